import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type BootstrapPlan, bootstrapPlan } from "../../src/bootstrap/plan.js";
import { ARGOCD_CHART } from "../../src/components/argocd/contract.js";
import { renderPlatform } from "../../src/synth.js";
import { renderComponents, writePlatform } from "../helpers/component-fixture.js";

const example = join(import.meta.dirname, "../../../../examples/homelab/platform.yaml");
const plan = bootstrapPlan(renderPlatform(example));
const step = (p: BootstrapPlan, id: string) => {
  const s = p.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id} in ${p.steps.map((x) => x.id).join(", ")}`);
  return s;
};
const index = (p: BootstrapPlan, id: string) => p.steps.findIndex((s) => s.id === id);

describe("bootstrap plan of examples/homelab", () => {
  it("orders every step from the node to the last Terraform root", () => {
    expect(plan.steps.map((s) => s.id)).toEqual([
      "k3s",
      "argocd",
      "root-app",
      "vault-running",
      "vault-init",
      "vault-unseal-secret",
      "vault-unseal",
      "vault-config",
      "kv-seed",
      "postgres-ready",
      "vault-database",
      "kv-user",
      "identity-key",
      "identity-clients",
      "cloudflare",
      "retire-root-token",
    ]);
    // Every step but the last (advice) can be told done or not.
    expect(plan.steps.filter((s) => s.done.length === 0).map((s) => s.id)).toEqual(["retire-root-token"]);
  });

  it("starts with K3s without its bundled Traefik, pinned to the platform's Kubernetes minor", () => {
    const k3s = step(plan, "k3s");
    expect(k3s.by).toBe("manual");
    expect(k3s.commands.join("\n")).toContain('INSTALL_K3S_EXEC="server --disable=traefik"');
    expect(k3s.commands.join("\n")).toContain("INSTALL_K3S_CHANNEL=v1.32");
    const traefik = k3s.done.find((c) => c.kind === "kube-object");
    expect(traefik).toMatchObject({
      path: "/apis/helm.cattle.io/v1/namespaces/kube-system/helmcharts/traefik",
      absent: true,
    });
    expect(traefik?.fix).toContain("kubectl -n kube-system delete helmchart traefik traefik-crd");
  });

  it("installs Argo CD from the rendered values with the chart its own Application uses, then the root app", () => {
    const rendered = renderComponents({});
    const argocd = step(plan, "argocd");
    const [action] = argocd.actions;
    expect(action?.kind).toBe("exec");
    const argv = action?.kind === "exec" ? action.argv : [];
    expect(argv.slice(0, 5)).toEqual(["helm", "upgrade", "--install", "argocd", "argo-cd"]);
    const flag = (f: string) => argv[argv.indexOf(f) + 1];
    expect(flag("--repo")).toBe(ARGOCD_CHART.repoURL);
    expect(flag("--version")).toBe(ARGOCD_CHART.version);
    expect(flag("--namespace")).toBe("argocd");
    expect(flag("--values")).toBe("k8s/helm/values/argocd.yaml");
    expect(rendered.files.has(flag("--values") as string)).toBe(true);
    // The printed command is the same argv.
    expect(argocd.commands).toEqual([argv.join(" ")]);
    // Argo CD's own Application installs the same chart at the same version.
    const own = rendered.read("argocd/applications/argocd.yaml").spec.sources[0];
    expect([own.repoURL, own.chart, own.targetRevision]).toEqual([
      ARGOCD_CHART.repoURL,
      "argo-cd",
      ARGOCD_CHART.version,
    ]);
    const root = step(plan, "root-app");
    expect(root.actions).toEqual([{ kind: "kube-apply", file: "argocd/root.yaml" }]);
    expect(parse(rendered.files.get("argocd/root.yaml") ?? "")).toMatchObject({
      kind: "Application",
      metadata: { name: "root", namespace: "argocd" },
    });
  });

  it("stages the Vault Terraform: base root, then KV seeding, PostgreSQL, and only then the database root", () => {
    const base = step(plan, "vault-config");
    expect(base.commands).toEqual([
      "tofu -chdir=vault/terraform init -input=false",
      "tofu -chdir=vault/terraform apply -input=false -auto-approve",
    ]);
    const db = step(plan, "vault-database");
    expect(db.commands[1]).toBe("tofu -chdir=vault/terraform/database apply -input=false -auto-approve");
    expect(index(plan, "vault-config")).toBeLessThan(index(plan, "kv-seed"));
    expect(index(plan, "kv-seed")).toBeLessThan(index(plan, "postgres-ready"));
    expect(index(plan, "postgres-ready")).toBeLessThan(index(plan, "vault-database"));
    // The database root's ephemeral read needs kv/postgres/admin: a precondition, with its fix.
    const pre = db.preconditions.find((c) => c.kind === "kv-present");
    expect(pre).toMatchObject({ secrets: [{ path: "postgres/admin" }] });
    // Done: every policy (the Terraform token's included) and role the base root declares exists.
    const done = base.done[0];
    expect(done?.kind).toBe("vault-read");
    const paths = done?.kind === "vault-read" ? done.paths : [];
    expect(paths).toContain("sys/policies/acl/slipway-terraform");
    expect(paths).toContain("sys/policies/acl/external-secrets");
    expect(paths).toContain("auth/kubernetes/role/external-secrets");
    expect(paths).toContain("auth/kubernetes/role/db-notes");
    const dbDone = db.done[0];
    expect(dbDone?.kind === "vault-read" ? dbDone.paths : []).toEqual([
      "database/config/notes",
      "database/roles/notes",
    ]);
  });

  it("renders the database engine as a root of its own, beside the base root", () => {
    const rendered = renderComponents({ "dynamic-db": { enabled: true }, reloader: { enabled: true } }, [], {
      notes: { image: "ghcr.io/example/notes:1.0.0", port: 8080, database: { dynamic: true } },
    });
    const paths = [...rendered.files.keys()].filter((p) => p.startsWith("vault/terraform/"));
    expect(paths.filter((p) => p.startsWith("vault/terraform/database/")).sort()).toEqual([
      "vault/terraform/database/database.tf.json",
      "vault/terraform/database/providers.tf.json",
    ]);
    // Nothing in the base root reads KV: it applies on a fresh Vault.
    for (const p of paths.filter((x) => !x.includes("/database/"))) {
      expect(JSON.parse(rendered.files.get(p) ?? "{}").ephemeral, p).toBeUndefined();
    }
    const providers = rendered.read<{ terraform: { required_providers: unknown } }>(
      "vault/terraform/database/providers.tf.json",
    );
    expect(providers.terraform.required_providers).toEqual({
      vault: { source: "hashicorp/vault", version: "~> 5.0" },
    });
  });

  it("knows who writes each KV secret the platform reads", () => {
    const seed = step(plan, "kv-seed");
    const secrets = seed.actions[0]?.kind === "kv-generate" ? seed.actions[0].secrets : [];
    expect(secrets.map((s) => s.path)).toEqual([
      "identity/zitadel",
      "postgres/admin",
      "postgres/backstage",
      "postgres/zitadel",
      "scaffold/session",
    ]);
    expect(secrets.find((s) => s.path === "postgres/admin")).toMatchObject({
      fields: ["password", "username"],
      fixed: { username: "postgres" },
    });
    const user = step(plan, "kv-user");
    expect(user.by).toBe("manual");
    expect(user.commands.join("\n")).toContain("vault kv put -mount=kv cloudflare/tunnel token=<…>");
    // Written by Terraform (not seeded): the OIDC clients, and the PKI root certificate.
    const all = JSON.stringify(plan.steps.flatMap((s) => s.actions));
    expect(all).not.toContain('"path":"cert-manager/root-ca"');
    expect(all).not.toContain('"path":"identity/clients/notes"');
    expect(step(plan, "identity-key").actions).toEqual([
      {
        kind: "kv-copy",
        namespace: "zitadel",
        secret: "zitadel-admin-sa",
        key: "zitadel-admin-sa.json",
        kvPath: "identity/zitadel-admin-sa",
        field: "key",
      },
    ]);
  });

  it("asks for the transit token before Vault starts in transit mode, and has no unseal Secret", () => {
    const p = bootstrapPlan(
      renderPlatform(
        writePlatform({
          vault: { enabled: true, unseal: { mode: "transit", address: "https://vault.lan:8200" } },
        }),
      ),
    );
    expect(index(p, "vault-transit-token")).toBeLessThan(index(p, "vault-running"));
    expect(p.steps.some((s) => s.id === "vault-unseal-secret")).toBe(false);
    expect(step(p, "vault-unseal").by).toBe("wait");
    expect(step(p, "vault-init").actions).toEqual([
      { kind: "vault-init", shares: 5, threshold: 3, recovery: true },
    ]);
  });

  it("awskms: recovery keys and no unseal by hand; an access-key Secret off EKS's pod identity only", () => {
    const awskms = { mode: "awskms", kmsKeyId: "alias/vault-unseal" };
    const k3s = bootstrapPlan(
      renderPlatform(writePlatform({ vault: { enabled: true, unseal: { ...awskms, region: "eu-west-1" } } })),
    );
    expect(index(k3s, "vault-awskms-credentials")).toBeLessThan(index(k3s, "vault-running"));
    expect(step(k3s, "vault-awskms-credentials").done).toEqual([
      expect.objectContaining({ path: "/api/v1/namespaces/vault/secrets/vault-awskms-credentials" }),
    ]);
    expect(k3s.steps.some((s) => s.id === "vault-unseal-secret")).toBe(false);
    expect(step(k3s, "vault-unseal")).toMatchObject({ by: "wait", actions: [] });
    expect(step(k3s, "vault-unseal").done[0]?.fix).toContain("vault-awskms-credentials");
    expect(step(k3s, "vault-init").actions).toEqual([
      { kind: "vault-init", shares: 5, threshold: 3, recovery: true },
    ]);

    const eks = bootstrapPlan(
      renderPlatform(
        writePlatform(
          { vault: { enabled: true, unseal: awskms } },
          {},
          {
            distribution: "eks",
            aws: {
              region: "eu-west-1",
              vaultIam: { mode: "pod-identity", roleArn: "arn:aws:iam::123456789012:role/vault-unseal" },
            },
          },
        ),
      ),
    );
    expect(eks.steps.some((s) => s.id === "vault-awskms-credentials")).toBe(false);
    expect(step(eks, "vault-unseal").done[0]?.fix).toContain("spec.cluster.aws.vaultIam");
  });

  it("stops after the root app when Vault is disabled", () => {
    const p = bootstrapPlan(
      renderPlatform(
        writePlatform({
          vault: { enabled: false },
          "external-secrets": { enabled: false },
          cloudflare: { enabled: false },
          postgres: { enabled: false },
        }),
      ),
    );
    expect(p.steps.map((s) => s.id)).toEqual(["k3s", "argocd", "root-app"]);
  });
});
