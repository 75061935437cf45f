import { describe, expect, it } from "vitest";
import { check } from "../../src/check/check.js";
import { RELOADER_ANNOTATION } from "../../src/components/reloader/contract.js";
import {
  LAST_RELOADED_FROM_ANNOTATION,
  RELOADER_IMAGE,
  reloader,
  reloaderArgs,
} from "../../src/components/reloader/index.js";
import type { K8sObject } from "../../src/render/k8s.js";
import { renderComponents } from "../helpers/component-fixture.js";
import { coreValidator, SCHEMA_DIR, validationErrors } from "../helpers/strict-schema.js";

type Obj = K8sObject & { spec: any; rules?: any; subjects?: any; roleRef?: any };

describe("reloader component", () => {
  const tree = renderComponents({ reloader: { enabled: true } });
  const apps = tree.session.apps.filter((a) => a.owner === "reloader");
  const objects = tree.objects("k8s/helm/manifests/reloader/") as Obj[];
  const byKind = (kind: string) => objects.find((o) => o.kind === kind) as Obj;
  const deployment = byKind("Deployment");
  const container = deployment.spec.template.spec.containers[0];

  it("is off by default and depends only on argocd", () => {
    expect(reloader.dependsOn).toEqual(["argocd"]);
    expect(reloader.enabledByDefault).toBe(false);
    const off = renderComponents({});
    expect(off.session.apps.some((a) => a.owner === "reloader")).toBe(false);
    expect(off.session.plan.namespaces.has("reloader")).toBe(false);
  });

  it("renders one platform Application into the reloader namespace, synced before services", () => {
    expect(apps.map((a) => [a.spec.name, a.spec.project, a.spec.namespace])).toEqual([
      ["reloader", "platform", "reloader"],
    ]);
    expect(tree.session.plan.namespaces.get("reloader")?.project).toBe("platform");
    expect(objects.map((o) => o.kind).sort()).toEqual([
      "ClusterRole",
      "ClusterRoleBinding",
      "Deployment",
      "ServiceAccount",
    ]);
    const app = tree.read<Obj>("argocd/applications/reloader.yaml");
    expect(Number(app.metadata.annotations?.["argocd.argoproj.io/sync-wave"])).toBeLessThan(70);
  });

  it("every object validates strictly against the core schemas", () => {
    for (const o of objects) {
      expect(validationErrors(coreValidator(o), o), `${o.kind}/${o.metadata.name}`).toEqual([]);
    }
  });

  it("has least-privilege RBAC: read Secrets/ConfigMaps, roll apps workloads, record events", () => {
    const role = byKind("ClusterRole");
    expect(role.rules).toEqual([
      { apiGroups: [""], resources: ["configmaps", "secrets"], verbs: ["get", "list", "watch"] },
      {
        apiGroups: ["apps"],
        resources: ["daemonsets", "deployments", "statefulsets"],
        verbs: ["get", "list", "patch", "update"],
      },
      { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
    ]);
    const rules = role.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    for (const r of rules) {
      expect([...r.apiGroups, ...r.resources, ...r.verbs]).not.toContain("*");
      // Never writes Secrets or ConfigMaps, never creates or deletes workloads.
      if (r.resources.includes("secrets")) expect(r.verbs).toEqual(["get", "list", "watch"]);
      expect(r.verbs).not.toContain("delete");
      expect(r.verbs).not.toContain("escalate");
      expect(r.verbs).not.toContain("bind");
    }
    // Jobs and CronJobs are switched off by flag, so no batch access is needed.
    expect(rules.some((r) => r.apiGroups.includes("batch"))).toBe(false);
    expect(container.args).toContain("--ignored-workload-types=jobs,cronjobs");
    const binding = byKind("ClusterRoleBinding");
    expect(binding.roleRef).toEqual({
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: role.metadata.name,
    });
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "reloader", namespace: "reloader" }]);
    // The token is mounted only into Reloader's own pod.
    expect(byKind("ServiceAccount").automountServiceAccountToken).toBe(false);
    expect(deployment.spec.template.spec.automountServiceAccountToken).toBe(true);
    expect(deployment.spec.template.spec.serviceAccountName).toBe("reloader");
  });

  it("runs a pinned image with the annotations strategy, non-root, read-only, probed and bounded", () => {
    expect(container.image).toBe(RELOADER_IMAGE);
    expect(RELOADER_IMAGE).toMatch(/^ghcr\.io\/stakater\/reloader:v\d+\.\d+\.\d+$/);
    expect(container.args).toEqual(reloaderArgs("json"));
    expect(container.args).toContain("--reload-strategy=annotations");
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.template.spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65534,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(container.ports).toEqual([{ name: "http", containerPort: 9090, protocol: "TCP" }]);
    expect(container.livenessProbe.httpGet).toMatchObject({ path: "/live", port: "http" });
    expect(container.readinessProbe.httpGet).toMatchObject({ path: "/metrics", port: "http" });
    expect(container.resources).toEqual({
      requests: { cpu: "10m", memory: "64Mi" },
      limits: { memory: "256Mi" },
    });
    const text = renderComponents({ reloader: { enabled: true, logFormat: "text" } });
    const d = text.objects("k8s/helm/manifests/reloader/").find((o) => o.kind === "Deployment") as Obj;
    expect(d.spec.template.spec.containers[0].args).toEqual([
      "--reload-strategy=annotations",
      "--ignored-workload-types=jobs,cronjobs",
    ]);
  });

  it("counts in the budget from its Deployment", () => {
    expect(tree.session.apps.find((a) => a.owner === "reloader")?.spec.budget).toBeUndefined();
    expect(deployment.spec.template.spec.containers[0].resources.limits.memory).toBe("256Mi");
  });

  it("names the annotations the other side of the contract uses", () => {
    expect(RELOADER_ANNOTATION).toBe("secret.reloader.stakater.com/reload");
    expect(LAST_RELOADED_FROM_ANNOTATION).toBe("reloader.stakater.com/last-reloaded-from");
  });

  it("passes slipway check (strict schemas and every policy) beside dynamic-db", async () => {
    const t = renderComponents({
      reloader: { enabled: true },
      "dynamic-db": { enabled: true },
      "cert-manager": { enabled: false },
    });
    const r = await check(
      {
        files: [...t.files].map(([path, content]) => ({ path, content, owner: "test" })),
        apps: t.session.apps,
      },
      { schemaDir: SCHEMA_DIR, kubernetesVersion: "1.32" },
    );
    expect(r.diagnostics.map((d) => `${d.code} ${d.location?.file}: ${d.message}`)).toEqual([]);
  });
});
