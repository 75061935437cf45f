import { diag, InputError } from "../../diagnostics.js";
import type { ErrorCode } from "../../errors.js";
import type { VaultKubernetesRoleDecl, VaultPolicyDecl } from "../../render/plan.js";
import { terraformJson, tfName, tfRef } from "../../render/terraform-json.js";
import {
  ttlSeconds,
  VAULT,
  VAULT_TERRAFORM_DIR,
  VAULT_TERRAFORM_POLICY,
  vaultProviders,
} from "./contract.js";

/** The in-cluster API server address Vault's Kubernetes auth calls for TokenReview. */
const KUBERNETES_HOST = "https://kubernetes.default.svc:443";

function checkUnique(names: readonly string[], code: ErrorCode, what: string): void {
  const seen = new Set<string>();
  const resource = new Map<string, string>();
  for (const n of names) {
    const r = tfName(n);
    if (seen.has(n) || (resource.has(r) && resource.get(r) !== n)) {
      throw new InputError([
        diag(code, `the Vault ${what} ${JSON.stringify(n)} is declared twice`, {
          hint: `Each ${what} has one owner; give the second one another name.`,
        }),
      ]);
    }
    seen.add(n);
    resource.set(r, n);
  }
}

/**
 * What `terraform apply` of `vault/terraform` (and its stage roots) needs, and nothing more than
 * those roots manage: the mounts and auth methods, the Kubernetes auth config and roles, the ACL
 * policies, and per enabled capability its mounts and KV paths. `auth/token/create`: the Vault
 * provider runs every apply with a short-lived child of the token it is given. The first apply
 * runs with the root token (it creates this policy); later ones with a periodic token holding it.
 */
export function vaultTerraformPolicy(opts: {
  /** cert-manager: the PKI mounts and the KV path the root certificate is copied to. */
  pki?: { mounts: readonly string[]; rootCaKvPath: string };
  /** dynamic-db: the database mount and the KV path of the superuser it logs in with. */
  database?: { mount: string; adminKvPath: string };
}): VaultPolicyDecl {
  const crud = ["create", "read", "update", "delete", "list"];
  const kv = (path: string) => ({
    data: `${VAULT.kvMount}/data/${path}`,
    metadata: `${VAULT.kvMount}/metadata/${path}`,
  });
  const rules: { path: string; capabilities: string[] }[] = [
    { path: "sys/mounts", capabilities: ["read"] },
    { path: "sys/mounts/*", capabilities: crud },
    { path: "sys/auth", capabilities: ["read"] },
    // Enabling and disabling an auth method needs sudo.
    { path: "sys/auth/*", capabilities: ["create", "read", "update", "delete", "sudo"] },
    { path: `auth/${VAULT.kubernetesAuthPath}/*`, capabilities: crud },
    { path: "sys/policies/acl/*", capabilities: crud },
    { path: "auth/token/create", capabilities: ["create", "update"] },
  ];
  if (opts.pki) {
    for (const m of opts.pki.mounts) rules.push({ path: `${m}/*`, capabilities: [...crud, "sudo"] });
    const ca = kv(opts.pki.rootCaKvPath);
    rules.push({ path: ca.data, capabilities: ["create", "read", "update", "delete"] });
    rules.push({ path: ca.metadata, capabilities: ["read", "delete"] });
  }
  if (opts.database) {
    rules.push({ path: `${opts.database.mount}/*`, capabilities: crud });
    rules.push({ path: kv(opts.database.adminKvPath).data, capabilities: ["read"] });
  }
  return { name: VAULT_TERRAFORM_POLICY, rules, owner: "vault" };
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * The Vault side of the platform as Terraform JSON: the KV v2 mount, the Kubernetes auth mount and
 * its config, one policy per declared policy, one role per declared Kubernetes role. Every role
 * requires the platform audience, so only tokens minted for Vault can log in.
 */
export function vaultTerraformFiles(
  policies: readonly VaultPolicyDecl[],
  roles: readonly VaultKubernetesRoleDecl[],
): { path: string; content: string }[] {
  checkUnique(
    policies.map((p) => p.name),
    "SW_VAULT_DUPLICATE_POLICY",
    "policy",
  );
  checkUnique(
    roles.map((r) => r.name),
    "SW_VAULT_DUPLICATE_ROLE",
    "Kubernetes auth role",
  );
  const declared = new Set(policies.map((p) => p.name));
  const authBackend = tfRef("vault_auth_backend.kubernetes.path");

  const providers = vaultProviders();

  const mounts = {
    resource: {
      vault_mount: {
        kv: {
          path: VAULT.kvMount,
          type: "kv",
          options: { version: "2" },
          description: "Static secrets delivered to pods by External Secrets (managed by Slipway)",
        },
      },
      vault_auth_backend: {
        kubernetes: {
          type: "kubernetes",
          path: VAULT.kubernetesAuthPath,
          description: "Kubernetes service accounts of the platform cluster (managed by Slipway)",
        },
      },
      vault_kubernetes_auth_backend_config: {
        // No reviewer JWT or CA: Vault runs in the cluster and uses its own service account
        // (the chart's auth-delegator binding) and the pod's CA, which rotate with the cluster.
        kubernetes: { backend: authBackend, kubernetes_host: KUBERNETES_HOST },
      },
    },
  };

  const files = [
    { path: `${VAULT_TERRAFORM_DIR}/providers.tf.json`, content: terraformJson(providers) },
    { path: `${VAULT_TERRAFORM_DIR}/mounts.tf.json`, content: terraformJson(mounts) },
  ];

  if (policies.length > 0) {
    const documents: Record<string, unknown> = {};
    const resources: Record<string, unknown> = {};
    for (const p of [...policies].sort(byName)) {
      const id = tfName(p.name);
      documents[id] = {
        rule: p.rules.map((r) => ({ path: r.path, capabilities: [...r.capabilities] })),
      };
      resources[id] = { name: p.name, policy: tfRef(`data.vault_policy_document.${id}.hcl`) };
    }
    files.push({
      path: `${VAULT_TERRAFORM_DIR}/policies.tf.json`,
      content: terraformJson({
        data: { vault_policy_document: documents },
        resource: { vault_policy: resources },
      }),
    });
  }

  if (roles.length > 0) {
    const resources: Record<string, unknown> = {};
    for (const r of [...roles].sort(byName)) {
      resources[tfName(r.name)] = {
        backend: authBackend,
        role_name: r.name,
        bound_service_account_names: [...r.serviceAccounts].sort(),
        bound_service_account_namespaces: [...r.namespaces].sort(),
        // A reference to a policy declared here orders the role after it; others are literal names.
        token_policies: [...r.policies]
          .sort()
          .map((p) => (declared.has(p) ? tfRef(`vault_policy.${tfName(p)}.name`) : p)),
        token_ttl: ttlSeconds(r.ttl),
        audience: VAULT.kubernetesAuthAudience,
      };
    }
    files.push({
      path: `${VAULT_TERRAFORM_DIR}/roles.tf.json`,
      content: terraformJson({ resource: { vault_kubernetes_auth_backend_role: resources } }),
    });
  }
  return files;
}
