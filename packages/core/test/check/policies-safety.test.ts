import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildCheckInput } from "../../src/check/input.js";
import { policies } from "../../src/check/policies/index.js";
import { podSecurityViolations } from "../../src/check/policies/pod-security-standards.js";
import { retains } from "../../src/check/policies/stateful-namespace-retained.js";
import { type Policy, policyCode } from "../../src/check/policy.js";
import type { PolicyId } from "../../src/errors.js";
import { FIXTURES, loadFixture } from "./helpers.js";

/**
 * Issue 11's safety rules (the user's incident rules H1–H5: the 2026-08-03 namespace-prune
 * cascade), each a policy with a passing and a failing fixture under fixtures/check/policies/<id>/.
 */
const SAFETY = [
  "stateful-namespace-retained",
  "no-cascade-finalizer",
  "rollout-on-change",
  "stateful-backup",
  "pod-security-labels",
  "pod-security-standards",
];
const policy = (id: string) => policies.find((p) => p.id === id) as Policy;

/** Findings of one policy over a fixture tree, as `severity file path` strings. */
function run(id: string, variant: "pass" | "fail"): string[] {
  const { files, apps } = loadFixture(join(FIXTURES, "policies", id, variant));
  expect(files.length).toBeGreaterThan(0);
  const findings = [...policy(id).check(buildCheckInput(files, apps))];
  for (const f of findings) expect(f.diagnostic.code).toBe(policyCode(id as PolicyId));
  return findings.map((f) => `${f.diagnostic.severity} ${f.file} ${f.diagnostic.path.join(".")}`).sort();
}

describe("safety policies (issue 11, H1–H5)", () => {
  it("are registered in check's one list, in order", () => {
    const ids = policies.map((p) => p.id);
    expect(ids.filter((id) => SAFETY.includes(id))).toEqual(SAFETY);
  });

  it.each(SAFETY)("%s passes its passing fixture", (id) => {
    expect(run(id, "pass")).toEqual([]);
  });

  it("H1 stateful-namespace-retained: a stateful namespace Argo CD may prune or delete, or not rendered at all", () => {
    expect(run("stateful-namespace-retained", "fail")).toEqual([
      "error k8s/helm/manifests/cache/persistentvolumeclaim-cache.yaml metadata",
      "error k8s/helm/manifests/namespaces/namespace-database.yaml metadata.annotations.argocd.argoproj.io/sync-options",
      "error k8s/helm/manifests/namespaces/namespace-vault.yaml metadata",
    ]);
  });

  it("H1: both sync options, in any order, among others", () => {
    expect(retains("Prune=false,Delete=false")).toBe(true);
    expect(retains("ServerSideApply=true, Delete=false ,Prune=false")).toBe(true);
    expect(retains("Prune=false")).toBe(false);
    expect(retains("Delete=false")).toBe(false);
    expect(retains("Prune=true,Delete=false")).toBe(false);
    expect(retains(undefined)).toBe(false);
  });

  it("H2 no-cascade-finalizer: Argo CD's own Application, one deploying Namespaces, one deploying a claim", () => {
    expect(run("no-cascade-finalizer", "fail")).toEqual([
      "error argocd/applications/argocd.yaml metadata.finalizers.0",
      "error argocd/applications/backups-vault.yaml metadata.finalizers.0",
      "error argocd/applications/namespaces.yaml metadata.finalizers.1",
    ]);
  });

  it("H3 rollout-on-change: OnDelete StatefulSets and DaemonSets, as errors (Vault unseals itself, ADR 0009)", () => {
    expect(run("rollout-on-change", "fail")).toEqual([
      "error k8s/helm/manifests/vault/daemonset-agent.yaml spec.updateStrategy.type",
      "error k8s/helm/manifests/vault/statefulset-vault.yaml spec.updateStrategy.type",
    ]);
  });

  it("H4 stateful-backup: no CronJob backs the namespace up, or only a suspended one", () => {
    expect(run("stateful-backup", "fail")).toEqual([
      "error k8s/helm/manifests/namespaces/namespace-database.yaml metadata.name",
      "error k8s/helm/manifests/namespaces/namespace-vault.yaml metadata.name",
    ]);
  });

  it("H5 pod-security-labels: missing labels, a level that is none, unpinned versions", () => {
    expect(run("pod-security-labels", "fail")).toEqual([
      "error k8s/helm/manifests/namespaces/namespace-blog.yaml metadata.labels",
      "error k8s/helm/manifests/namespaces/namespace-blog.yaml metadata.labels",
      "error k8s/helm/manifests/namespaces/namespace-blog.yaml metadata.labels",
      "error k8s/helm/manifests/namespaces/namespace-notes.yaml metadata.labels",
      "error k8s/helm/manifests/namespaces/namespace-notes.yaml metadata.labels.pod-security.kubernetes.io/audit-version",
      "error k8s/helm/manifests/namespaces/namespace-notes.yaml metadata.labels.pod-security.kubernetes.io/enforce",
    ]);
  });

  it("H5 pod-security-standards: pods breaking their namespace's level, a namespace looser than its pods", () => {
    const D = "error k8s/helm/manifests/blog/deployment-blog.yaml spec.template.spec";
    const V = "error k8s/helm/manifests/vault/statefulset-vault.yaml spec.template.spec";
    expect(run("pod-security-standards", "fail")).toEqual(
      [
        // restricted: a gitRepo volume, root in an init container adding CHOWN, a bare container.
        `${D}.containers.0.securityContext.allowPrivilegeEscalation`,
        `${D}.containers.0.securityContext.capabilities.drop`,
        `${D}.containers.0.securityContext.runAsNonRoot`,
        `${D}.containers.0.securityContext.seccompProfile`,
        `${D}.initContainers.0.securityContext.capabilities.add`,
        `${D}.initContainers.0.securityContext.runAsUser`,
        `${D}.volumes.0.gitRepo`,
        "error k8s/helm/manifests/namespaces/namespace-monitoring.yaml metadata.labels.pod-security.kubernetes.io/enforce",
        // baseline: every Baseline control once; none of Restricted's.
        V,
        `${V}.containers.0.ports.0.hostPort`,
        `${V}.containers.0.securityContext.capabilities.add`,
        `${V}.containers.0.securityContext.privileged`,
        `${V}.containers.0.securityContext.procMount`,
        `${V}.hostNetwork`,
        `${V}.securityContext.seLinuxOptions.type`,
        `${V}.securityContext.seccompProfile.type`,
        `${V}.securityContext.sysctls.0.name`,
        `${V}.volumes.0.hostPath`,
      ].sort(),
    );
  });

  it("H5: HostProcess, SELinux user/role, AppArmor profiles and ephemeral containers are Baseline controls too", () => {
    const spec = {
      securityContext: { windowsOptions: { hostProcess: true }, appArmorProfile: { type: "Unconfined" } },
      containers: [
        { name: "a", securityContext: { seLinuxOptions: { user: "system_u", role: "sysadm_r" } } },
      ],
      ephemeralContainers: [{ name: "debug", securityContext: { privileged: true } }],
    };
    const baseline = podSecurityViolations(spec, {}, [])
      .filter((v) => v.level === "baseline")
      .map((v) => v.path.join("."));
    expect(baseline.sort()).toEqual([
      "containers.0.securityContext.seLinuxOptions.role",
      "containers.0.securityContext.seLinuxOptions.user",
      "ephemeralContainers.0.securityContext.privileged",
      "securityContext.appArmorProfile.type",
      "securityContext.windowsOptions.hostProcess",
    ]);
  });
});
