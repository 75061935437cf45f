import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { ttlSeconds, VAULT } from "../../src/components/vault/contract.js";
import { InputError } from "../../src/diagnostics.js";
import type { K8sObject } from "../../src/render/k8s.js";
import { declaring, renderComponents, renderFile, writePlatform } from "../helpers/component-fixture.js";
import { diagnosticsOf } from "../helpers/diagnostics.js";
import { chartValidator, coreValidator, helmMerge, validationErrors } from "../helpers/strict-schema.js";
import { CHARTS_DIR, tool } from "../helpers/tools.js";

type Values = {
  injector: { enabled: boolean };
  server: {
    dev: { enabled: boolean };
    resources: { requests: Record<string, string>; limits: Record<string, string> };
    dataStorage: { size: string; storageClass: string };
    ha: {
      enabled: boolean;
      replicas: number;
      config?: unknown;
      raft: { enabled: boolean; config: unknown };
    };
  };
  ui: { enabled: boolean };
};

interface TfRole {
  backend: string;
  role_name: string;
  bound_service_account_names: string[];
  bound_service_account_namespaces: string[];
  token_policies: string[];
  token_ttl: number;
  audience: string;
}

const extra = declaring({
  vaultPolicies: [
    {
      name: "blog",
      rules: [{ path: "kv/data/services/blog/*", capabilities: ["read"] }],
      owner: "service:blog",
    },
  ],
  vaultKubernetesRoles: [
    {
      name: "blog",
      serviceAccounts: ["blog"],
      namespaces: ["blog"],
      policies: ["blog", "default"],
      ttl: "20m",
      owner: "service:blog",
    },
  ],
});

describe("vault component", () => {
  const tree = renderComponents({ vault: { storageSize: "5Gi" } }, [extra]);
  const values = tree.read<Values>("k8s/helm/values/vault.yaml");

  it("deploys one raft server, UI on, no injector, no dev mode, resources set", () => {
    expect(values.injector.enabled).toBe(false);
    expect(values.server.dev.enabled).toBe(false);
    expect(values.server.ha).toMatchObject({ enabled: true, replicas: 1, raft: { enabled: true } });
    // vault-helm 0.34 fails on a structured config ("value must be a string"): HCL text it is.
    expect(typeof values.server.ha.raft.config).toBe("string");
    expect(values.server.ha.raft.config).toContain('storage "raft" {\n  path = "/vault/data"\n}');
    // Consul's `ha.config` is unused with raft: left to the chart's default, not restated.
    expect(values.server.ha.config).toBeUndefined();
    // In HA mode the chart never reads `standalone` (helm template renders the same either way).
    expect((values.server as Record<string, unknown>).standalone).toBeUndefined();
    expect(values.ui.enabled).toBe(true);
    expect(values.server.dataStorage).toMatchObject({ size: "5Gi", storageClass: "local-path" });
    expect(values.server.resources.requests.memory).toBeDefined();
    expect(values.server.resources.limits.memory).toBeDefined();
  });

  it("pins the chart, registers its repo and declares a budget", () => {
    const app = tree.session.apps.find((a) => a.spec.name === "vault");
    expect(app?.spec.helm).toMatchObject({
      chart: "vault",
      version: "0.34.1",
      schemaRef: "helm-vault/0.34.1",
    });
    expect(tree.session.plan.sourceRepos.has("https://helm.releases.hashicorp.com")).toBe(true);
    expect(app?.spec.budget?.[0]?.requests.memoryBytes).toBeGreaterThan(0);
    expect(tree.session.plan.namespaces.get(VAULT.namespace)?.project).toBe("platform");
  });

  it("values validate against the chart's schema merged over its defaults", () => {
    const { validate, defaults } = chartValidator("helm-vault/0.34.1");
    expect(validationErrors(validate, helmMerge(defaults, values))).toEqual([]);
  });

  it("declares the KV v2 mount and the Kubernetes auth mount and config in Terraform", () => {
    const mounts = tree.read<{ resource: Record<string, Record<string, Record<string, unknown>>> }>(
      "vault/terraform/mounts.tf.json",
    );
    expect(mounts.resource.vault_mount?.kv).toMatchObject({
      path: VAULT.kvMount,
      type: "kv",
      options: { version: "2" },
    });
    expect(mounts.resource.vault_auth_backend?.kubernetes).toMatchObject({
      type: "kubernetes",
      path: VAULT.kubernetesAuthPath,
    });
    expect(mounts.resource.vault_kubernetes_auth_backend_config?.kubernetes).toMatchObject({
      backend: "${vault_auth_backend.kubernetes.path}",
      kubernetes_host: "https://kubernetes.default.svc:443",
    });
    const providers = tree.read<{ provider: { vault: Record<string, unknown> } }>(
      "vault/terraform/providers.tf.json",
    );
    // Address and token come from the environment.
    expect(providers.provider.vault).toEqual({});
  });

  it("renders one policy per declared policy and one role per declared role", () => {
    const policies = tree.read<{
      data: { vault_policy_document: Record<string, { rule: { path: string; capabilities: string[] }[] }> };
      resource: { vault_policy: Record<string, { name: string; policy: string }> };
    }>("vault/terraform/policies.tf.json");
    expect(Object.keys(policies.resource.vault_policy).sort()).toEqual([
      "backup-vault-snapshot",
      "blog",
      "external-secrets",
      // The token later applies run with (ADR 0002).
      "slipway-terraform",
    ]);
    expect(policies.data.vault_policy_document.blog?.rule).toEqual([
      { path: "kv/data/services/blog/*", capabilities: ["read"] },
    ]);
    expect(policies.resource.vault_policy.blog?.policy).toBe("${data.vault_policy_document.blog.hcl}");

    const roles = tree.read<{ resource: { vault_kubernetes_auth_backend_role: Record<string, TfRole> } }>(
      "vault/terraform/roles.tf.json",
    ).resource.vault_kubernetes_auth_backend_role;
    expect(Object.keys(roles).sort()).toEqual(["backup-vault-snapshot", "blog", "external-secrets"]);
    expect(roles.blog).toEqual({
      backend: "${vault_auth_backend.kubernetes.path}",
      role_name: "blog",
      bound_service_account_names: ["blog"],
      bound_service_account_namespaces: ["blog"],
      token_policies: ["${vault_policy.blog.name}", "default"],
      token_ttl: 1200,
      audience: VAULT.kubernetesAuthAudience,
    });
  });

  it("refuses a policy declared twice", () => {
    const twice = declaring({
      vaultPolicies: [
        { name: "x", rules: [], owner: "a" },
        { name: "x", rules: [], owner: "b" },
      ],
    });
    try {
      renderComponents({}, [twice]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).diagnostics[0]?.code).toBe("SW_VAULT_DUPLICATE_POLICY");
    }
  });

  it("parses role TTLs", () => {
    expect([ttlSeconds("90"), ttlSeconds("15m"), ttlSeconds("1h"), ttlSeconds("1d")]).toEqual([
      90, 900, 3600, 86400,
    ]);
    expect(() => ttlSeconds("1 hour")).toThrow(InputError);
    expect(diagnosticsOf(() => ttlSeconds("1 hour", ["spec", "roles", 0, "ttl"]))).toEqual([
      ["SW_VAULT_BAD_TTL", ["spec", "roles", 0, "ttl"]],
    ]);
  });

  it("renders byte-identically twice, whatever the declaration order", () => {
    const reversed = declaring({
      vaultPolicies: [
        { name: "zeta", rules: [{ path: "kv/data/z", capabilities: ["read"] }], owner: "z" },
        { name: "alpha", rules: [{ path: "kv/data/a", capabilities: ["read"] }], owner: "a" },
      ],
    });
    const inOrder = declaring({
      vaultPolicies: [
        { name: "alpha", rules: [{ path: "kv/data/a", capabilities: ["read"] }], owner: "a" },
        { name: "zeta", rules: [{ path: "kv/data/z", capabilities: ["read"] }], owner: "z" },
      ],
    });
    const a = renderComponents({}, [reversed]).files;
    const b = renderComponents({}, [inOrder]).files;
    for (const path of [
      "vault/terraform/policies.tf.json",
      "vault/terraform/roles.tf.json",
      "k8s/helm/values/vault.yaml",
    ]) {
      expect(a.get(path), path).toBe(b.get(path));
    }
  });

  it("renders no Secret objects anywhere", () => {
    const secrets = [...tree.files.entries()]
      .filter(([p]) => p.endsWith(".yaml"))
      .map(([, c]) => c)
      .filter((c) => /^kind: Secret$/m.test(c));
    expect(secrets).toEqual([]);
    const objs: K8sObject[] = tree.objects("k8s/");
    expect(objs.filter((o) => o.kind === "Secret")).toEqual([]);
  });

  it("admits connections only from its own namespace and, on the API port, from ESO's and cert-manager's", () => {
    const policyOf = (t: ReturnType<typeof renderComponents>) =>
      t.read("k8s/helm/manifests/vault/networkpolicy-vault-ingress.yaml");
    const ns = (name: string) => ({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } },
    });
    // Defaults: external-secrets on, cert-manager and istio off.
    const p = policyOf(tree);
    expect(p.spec).toEqual({
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [
        { from: [ns("vault")] },
        { from: [ns("external-secrets")], ports: [{ protocol: "TCP", port: 8200 }] },
      ],
    });
    expect(validationErrors(coreValidator(p), p)).toEqual([]);
    // With cert-manager and the ambient mesh: its namespace too, and HBONE beside the API port.
    const mesh = policyOf(renderComponents({ "cert-manager": { enabled: true }, istio: { enabled: true } }));
    expect(mesh.spec.ingress[1]).toEqual({
      from: [ns("cert-manager"), ns("external-secrets")],
      ports: [
        { protocol: "TCP", port: 8200 },
        { protocol: "TCP", port: 15008 },
      ],
    });
  });
});

/** `helm template` of the real vault chart with these values: every object it renders. */
function chartObjects(values: unknown): any[] {
  const dir = mkdtempSync(join(tmpdir(), "slipway-vault-values-"));
  try {
    writeFileSync(join(dir, "values.yaml"), JSON.stringify(values));
    const r = spawnSync(
      tool("helm"),
      ["template", "vault", join(CHARTS_DIR, "vault/0.34.1"), "-n", "vault", "-f", join(dir, "values.yaml")],
      { encoding: "utf8" },
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    return parseAllDocuments(r.stdout)
      .map((d) => d.toJS())
      .filter((o) => o);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The StatefulSet the real vault chart renders with these values. */
function statefulSet(values: unknown): any {
  return chartObjects(values).find((o) => o.kind === "StatefulSet");
}

describe("vault auto-unseal (ADR 0009)", () => {
  const schema = chartValidator("helm-vault/0.34.1");
  const valid = (v: unknown) =>
    expect(validationErrors(schema.validate, helmMerge(schema.defaults, v))).toEqual([]);

  it("defaults to the Kubernetes-secret unseal: an optional Secret volume and a postStart hook, no seal stanza", () => {
    const v = renderComponents({}).read<any>("k8s/helm/values/vault.yaml");
    valid(v);
    expect(v.server.ha.raft.config).not.toContain("seal");
    expect(v.server.volumes).toEqual([
      { name: "unseal", secret: { secretName: "vault-unseal", optional: true, defaultMode: 0o440 } },
    ]);
    expect(v.server.volumeMounts).toEqual([{ name: "unseal", mountPath: "/vault/unseal", readOnly: true }]);
    expect(v.server.postStart.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
    // Keys go through stdin, never on a command line.
    expect(v.server.postStart[2]).toContain('vault write sys/unseal key=@"$f"');
    // The real chart puts both on the server container.
    const sts = statefulSet(v);
    const vault = sts.spec.template.spec.containers.find((c: any) => c.name === "vault");
    expect(vault.lifecycle.postStart.exec.command).toEqual(v.server.postStart);
    expect(vault.volumeMounts).toContainEqual({ name: "unseal", mountPath: "/vault/unseal", readOnly: true });
    expect(sts.spec.template.spec.volumes).toContainEqual(v.server.volumes[0]);
  });

  it("transit: Vault's seal stanza for the other Vault, the token from a Secret (never in Git)", () => {
    const v = renderComponents({
      vault: { unseal: { mode: "transit", address: "https://vault.lan:8200", keyName: "homelab" } },
    }).read<any>("k8s/helm/values/vault.yaml");
    valid(v);
    expect(v.server.ha.raft.config).toContain(
      'seal "transit" {\n  address = "https://vault.lan:8200"\n  key_name = "homelab"\n  mount_path = "transit/"\n  disable_renewal = "false"\n}',
    );
    expect(v.server.postStart).toBeUndefined();
    const sts = statefulSet(v);
    const vault = sts.spec.template.spec.containers.find((c: any) => c.name === "vault");
    expect(vault.env).toContainEqual({
      name: "VAULT_TOKEN",
      valueFrom: { secretKeyRef: { name: "vault-transit-token", key: "token" } },
    });
  });

  const ACCOUNT = "123456789012";
  const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  const eks = (vaultIam: Record<string, unknown> | undefined) => ({
    distribution: "eks",
    aws: { region: "eu-west-1", ...(vaultIam ? { vaultIam } : {}) },
  });

  it("awskms on EKS with IRSA: the stanza names the key and the cluster's region, credentials come from the pod's role", () => {
    const v = renderFile(
      writePlatform(
        { vault: { unseal: { mode: "awskms", kmsKeyId: KEY } } },
        {},
        eks({ mode: "irsa", roleArn: `arn:aws:iam::${ACCOUNT}:role/vault-unseal` }),
      ),
    ).read<any>("k8s/helm/values/vault.yaml");
    valid(v);
    expect(v.server.ha.raft.config).toContain(
      `seal "awskms" {\n  region = "eu-west-1"\n  kms_key_id = "${KEY}"\n}`,
    );
    // No key in the file, no Secret: the AWS SDK in Vault reads the web identity EKS injects.
    expect(v.server.ha.raft.config).not.toMatch(/access_key|secret_key/);
    expect(v.server.extraSecretEnvironmentVars).toBeUndefined();
    expect(v.server.postStart).toBeUndefined();
    // The real chart puts the role on the service account the server runs as.
    const objs = chartObjects(v);
    const sts = objs.find((o) => o.kind === "StatefulSet");
    const sa = objs.find(
      (o) => o.kind === "ServiceAccount" && o.metadata.name === sts.spec.template.spec.serviceAccountName,
    );
    expect(sa.metadata.annotations).toMatchObject({
      "eks.amazonaws.com/role-arn": `arn:aws:iam::${ACCOUNT}:role/vault-unseal`,
    });
    expect(
      sts.spec.template.spec.containers.find((c: any) => c.name === "vault").env ?? [],
    ).not.toContainEqual(expect.objectContaining({ name: "AWS_ACCESS_KEY_ID" }));
  });

  it("awskms elsewhere: its own region and endpoint, the access key from a Secret the pod needs", () => {
    const v = renderComponents({
      vault: {
        unseal: {
          mode: "awskms",
          kmsKeyId: "alias/vault-unseal",
          region: "eu-central-1",
          endpoint: "https://vpce-0abc.kms.eu-central-1.vpce.amazonaws.com",
        },
      },
    }).read<any>("k8s/helm/values/vault.yaml");
    valid(v);
    expect(v.server.ha.raft.config).toContain(
      'seal "awskms" {\n  region = "eu-central-1"\n  kms_key_id = "alias/vault-unseal"\n  endpoint = "https://vpce-0abc.kms.eu-central-1.vpce.amazonaws.com"\n}',
    );
    const vault = statefulSet(v).spec.template.spec.containers.find((c: any) => c.name === "vault");
    for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])
      expect(vault.env).toContainEqual({
        name,
        valueFrom: { secretKeyRef: { name: "vault-awskms-credentials", key: name } },
      });
  });

  it("refuses an awskms seal without a region and a key that is not a KMS key reference, at their paths", () => {
    expect(
      diagnosticsOf(() =>
        renderComponents({ vault: { unseal: { mode: "awskms", kmsKeyId: "alias/vault" } } }),
      ),
    ).toEqual([["SW_VAULT_AWSKMS_REGION", ["spec", "components", "vault", "unseal"]]]);
    // EKS without vaultIam knows the region; with no pod identity the Secret holds the credentials.
    const noIam = renderFile(
      writePlatform({ vault: { unseal: { mode: "awskms", kmsKeyId: "alias/vault" } } }, {}, eks(undefined)),
    ).read<any>("k8s/helm/values/vault.yaml");
    expect(noIam.server.ha.raft.config).toContain('seal "awskms" {\n  region = "eu-west-1"');
    expect(noIam.server.extraSecretEnvironmentVars.map((e: any) => e.secretName)).toEqual([
      "vault-awskms-credentials",
      "vault-awskms-credentials",
    ]);
    for (const bad of ["vault-unseal", "arn:aws:iam::123456789012:role/x", "alias/"]) {
      const d = diagnosticsOf(() =>
        renderComponents({ vault: { unseal: { mode: "awskms", kmsKeyId: bad, region: "eu-west-1" } } }),
      );
      expect(d, bad).toEqual([["SW_SPEC_FORMAT", ["spec", "components", "vault", "unseal", "kmsKeyId"]]]);
    }
  });

  it("manual: neither", () => {
    const v = renderComponents({ vault: { unseal: { mode: "manual" } } }).read<any>(
      "k8s/helm/values/vault.yaml",
    );
    expect(v.server.postStart).toBeUndefined();
    expect(v.server.volumes).toBeUndefined();
    expect(v.server.ha.raft.config).not.toContain("seal");
  });

  it("refuses a threshold above the shares and a transit address that is not a URL, at their paths", () => {
    const d = diagnosticsOf(() =>
      renderComponents({ vault: { unseal: { mode: "kubernetes-secret", keyShares: 2, keyThreshold: 3 } } }),
    );
    expect(d).toEqual([
      ["SW_VAULT_UNSEAL_THRESHOLD", ["spec", "components", "vault", "unseal", "keyThreshold"]],
    ]);
    const t = diagnosticsOf(() =>
      renderComponents({ vault: { unseal: { mode: "transit", address: "vault.lan" } } }),
    );
    expect(t[0]?.[1]).toEqual(["spec", "components", "vault", "unseal", "address"]);
  });
});
