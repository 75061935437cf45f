import { type AccessSpec, groupServices, groupsWithRole } from "../../config/access.js";
import type { VaultPolicyDecl } from "../../render/plan.js";
import { kvPolicyPaths, SERVICE_SECRETS_FOLDER, serviceSecretPrefix } from "./paths.js";

/** The Vault OIDC auth method people sign in with (UI and `vault login -method=oidc`), ADR 0012. */
export const VAULT_SSO = {
  /** Mount path: the UI's callback is `/ui/vault/auth/<path>/oidc/callback`. */
  path: "oidc",
  /** The one role; `default_role`, so neither the UI nor the CLI has to name it. */
  role: "platform",
  /** Policy of `admin` groups. */
  adminPolicy: "sso-admin",
  /** Token lifetime of a person's login. */
  tokenTtl: 3600,
  tokenMaxTtl: 8 * 3600,
} as const;

/** Policy of one `developer` group (its services differ from another group's). */
export const developerPolicy = (group: string) => `sso-developer-${group}`;
/** External identity group standing for a platform group inside Vault. */
export const vaultIdentityGroup = (group: string) => `sso-${group}`;

/**
 * Where Vault sends people back after the provider's login: the UI at `vault.<domain>` (for when a
 * route to it exists), and the CLI's loopback listener (`vault login -method=oidc`, port 8250),
 * which works through `kubectl port-forward` with nothing exposed.
 */
export function vaultRedirectUris(domain: string): string[] {
  return [
    `https://vault.${domain}/ui/vault/auth/${VAULT_SSO.path}/oidc/callback`,
    "http://localhost:8250/oidc/callback",
  ];
}

export interface VaultSsoModel {
  readonly policies: VaultPolicyDecl[];
  /** Each platform group holding a Vault role, with the policies its external group carries. */
  readonly groups: { readonly name: string; readonly policies: string[] }[];
}

/**
 * What each group may do in Vault:
 * - `admin`: everything (`path "*"` with sudo) — the people who run `terraform apply` and unseal;
 * - `developer`: the secrets of its services only (`kv/services/<name>/…`: write, read, delete,
 *   list), and listing the service names; nothing of the platform's own secrets (database
 *   superuser, identity provider keys, OIDC clients), no policies, no auth methods.
 */
export function vaultSso(access: AccessSpec, services: readonly string[], owner: string): VaultSsoModel {
  const policies: VaultPolicyDecl[] = [];
  const byGroup = new Map<string, string[]>();
  const grant = (group: string, policy: string) =>
    byGroup.set(group, [...(byGroup.get(group) ?? []), policy]);
  const admins = groupsWithRole(access, "vault", "admin");
  if (admins.length > 0) {
    policies.push({
      name: VAULT_SSO.adminPolicy,
      rules: [{ path: "*", capabilities: ["create", "read", "update", "patch", "delete", "list", "sudo"] }],
      owner,
    });
    for (const g of admins) grant(g.name, VAULT_SSO.adminPolicy);
  }
  for (const g of groupsWithRole(access, "vault", "developer")) {
    const rules: { path: string; capabilities: string[] }[] = [
      // The names of services (not their secrets), so the UI can browse down to the group's own.
      { path: kvPolicyPaths(SERVICE_SECRETS_FOLDER).metadata, capabilities: ["list"] },
    ];
    for (const s of groupServices(g, services)) {
      const p = kvPolicyPaths(`${serviceSecretPrefix(s)}*`);
      rules.push(
        { path: p.data, capabilities: ["create", "read", "update", "patch", "delete"] },
        { path: p.metadata, capabilities: ["read", "list", "delete"] },
        { path: kvPolicyPaths(serviceSecretPrefix(s)).metadata, capabilities: ["list"] },
      );
    }
    policies.push({ name: developerPolicy(g.name), rules, owner });
    grant(g.name, developerPolicy(g.name));
  }
  const groups = access.groups
    .filter((g) => byGroup.has(g.name))
    .map((g) => ({ name: g.name, policies: byGroup.get(g.name) ?? [] }));
  return { policies, groups };
}
