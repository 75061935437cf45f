import { describe, expect, it } from "vitest";
import { podSecurityViolations } from "../../src/check/policies/pod-security-standards.js";
import { VAULT_SNAPSHOT_ROLE } from "../../src/components/backups/index.js";
import { POSTGRES_DUMP_SCRIPT, VAULT_SNAPSHOT_SCRIPT } from "../../src/components/backups/scripts.js";
import { InputError } from "../../src/diagnostics.js";
import type { K8sObject } from "../../src/render/k8s.js";
import { expectStrictlyValid, renderComponents } from "../helpers/component-fixture.js";

const objectsOf = (tree: ReturnType<typeof renderComponents>, app: string) =>
  [...tree.files.keys()]
    .filter((p) => p.startsWith(`k8s/helm/manifests/${app}/`))
    .map((p) => tree.read<K8sObject & { spec?: any }>(p));

describe("backups component (issue 11, H4)", () => {
  const tree = renderComponents({});

  it("a Vault raft snapshot CronJob in vault and a pg_dump CronJob in database, labelled for check", () => {
    const vault = objectsOf(tree, "backups-vault");
    const pg = objectsOf(tree, "backups-postgres");
    expect(vault.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual([
      "CronJob/vault/vault-snapshot",
      "PersistentVolumeClaim/vault/vault-snapshots",
      "ServiceAccount/vault/vault-snapshot",
    ]);
    expect(pg.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual([
      "CronJob/database/postgres-dump",
      "PersistentVolumeClaim/database/postgres-dumps",
    ]);
    const snap = vault.find((o) => o.kind === "CronJob");
    const dump = pg.find((o) => o.kind === "CronJob");
    expect(snap?.metadata.labels?.["slipway.dev/backup-of"]).toBe("vault");
    expect(dump?.metadata.labels?.["slipway.dev/backup-of"]).toBe("database");
    for (const c of [snap, dump]) {
      expect(c?.spec.schedule).toBe("17 3 * * *");
      expect(c?.spec.concurrencyPolicy).toBe("Forbid");
    }
    const container = (o: typeof snap) => o?.spec.jobTemplate.spec.template.spec.containers[0];
    expect(container(snap).image).toBe("docker.io/hashicorp/vault:2.0.4");
    expect(container(snap).command).toEqual(["/bin/sh", "-c", VAULT_SNAPSHOT_SCRIPT]);
    expect(container(dump).image).toBe("docker.io/library/postgres:17.6");
    expect(container(dump).command).toEqual(["/bin/sh", "-c", POSTGRES_DUMP_SCRIPT]);
    for (const c of [container(snap), container(dump)]) {
      expect(c.resources.requests).toBeDefined();
      expect(c.resources.limits.memory).toBeDefined();
    }
    expectStrictlyValid([...vault, ...pg]);
  });

  it("pods meet Pod Security restricted; the Vault token is projected for Vault's audience only", () => {
    for (const app of ["backups-vault", "backups-postgres"]) {
      const cron = objectsOf(tree, app).find((o) => o.kind === "CronJob");
      const pod = cron?.spec.jobTemplate.spec.template.spec;
      expect(podSecurityViolations(pod, {}, []), app).toEqual([]);
      expect(pod.automountServiceAccountToken).toBe(false);
    }
    const pod = objectsOf(tree, "backups-vault").find((o) => o.kind === "CronJob")?.spec.jobTemplate.spec
      .template.spec;
    expect(pod.serviceAccountName).toBe("vault-snapshot");
    expect(pod.volumes.find((v: { name: string }) => v.name === "vault-token").projected.sources).toEqual([
      { serviceAccountToken: { audience: "vault", expirationSeconds: 600, path: "token" } },
    ]);
  });

  it("the claims are never pruned nor deleted, and their Applications have no cascade finalizer", () => {
    for (const app of ["backups-vault", "backups-postgres"]) {
      const claim = objectsOf(tree, app).find((o) => o.kind === "PersistentVolumeClaim");
      expect(claim?.metadata.annotations?.["argocd.argoproj.io/sync-options"]).toBe(
        "Prune=false,Delete=false",
      );
      expect(claim?.spec.resources.requests.storage).toBe("5Gi");
      expect(tree.read(`argocd/applications/${app}.yaml`).metadata.finalizers).toBeUndefined();
    }
  });

  it("declares a Vault policy allowing only a read of the raft snapshot, and a role for its service account", () => {
    const policies = tree.read<any>("vault/terraform/policies.tf.json");
    expect(policies.data.vault_policy_document[VAULT_SNAPSHOT_ROLE].rule).toEqual([
      { path: "sys/storage/raft/snapshot", capabilities: ["read"] },
    ]);
    const role = tree.read<any>("vault/terraform/roles.tf.json").resource.vault_kubernetes_auth_backend_role[
      VAULT_SNAPSHOT_ROLE
    ];
    expect(role).toMatchObject({
      role_name: VAULT_SNAPSHOT_ROLE,
      bound_service_account_names: ["vault-snapshot"],
      bound_service_account_namespaces: ["vault"],
      audience: "vault",
      token_ttl: 900,
    });
  });

  it("follows its config: schedule, keep, target size and storage class", () => {
    const t = renderComponents({
      backups: {
        schedule: "0 */6 * * *",
        keep: 3,
        target: { type: "pvc", size: "20Gi", storageClass: "nfs" },
      },
    });
    const cron = objectsOf(t, "backups-postgres").find((o) => o.kind === "CronJob");
    expect(cron?.spec.schedule).toBe("0 */6 * * *");
    const env = cron?.spec.jobTemplate.spec.template.spec.containers[0].env;
    expect(env.find((e: { name: string }) => e.name === "KEEP").value).toBe("3");
    const claim = objectsOf(t, "backups-postgres").find((o) => o.kind === "PersistentVolumeClaim");
    expect(claim?.spec).toMatchObject({
      storageClassName: "nfs",
      resources: { requests: { storage: "20Gi" } },
    });
  });

  it("refuses a schedule that is not five cron fields, naming the field", () => {
    let error: unknown;
    try {
      renderComponents({ backups: { schedule: "daily" } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).diagnostics.map((d) => d.path.join("."))).toContain(
      "spec.components.backups.schedule",
    );
  });

  it("renders nothing for what is disabled", () => {
    const t = renderComponents({ backups: { enabled: false } });
    expect([...t.files.keys()].filter((p) => p.includes("backups-"))).toEqual([]);
    expect(JSON.stringify(t.read("vault/terraform/policies.tf.json"))).not.toContain(VAULT_SNAPSHOT_ROLE);
  });
});
