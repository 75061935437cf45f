import { type AccessSpec, groupServices, groupsWithRole } from "../../config/access.js";
import type { PlatformSpec } from "../../config/schema.js";
import { toYaml } from "../../render/yaml.js";
import { GROUPS_CLAIM, platformOidcEndpoints, ssoSecretName } from "../identity/contract.js";
import { ARGOCD_OIDC_KEYS } from "./contract.js";

/** The OIDC callback Argo CD's server handles. */
export const argocdRedirectUri = (host: string) => `https://${host}/auth/callback`;

/** The name of the role a `deployer` group gets: its own, since each group syncs its own services. */
export const deployerRole = (group: string) => `role:deployer-${group}`;

/**
 * `policy.csv` from `spec.access.argocd`, designed from the AppProjects (projects.ts):
 * - `admin` groups get the built-in `role:admin`;
 * - `readonly` groups the built-in `role:readonly` (get on everything, no secrets, no changes);
 * - each `deployer` group a role of its own: read the `platform` and `workloads` projects and
 *   their Applications, and on its services' Applications (project `workloads`, Application named
 *   after the service) sync, run resource actions (restart) and read logs. Nothing in `platform`
 *   beyond reading: the platform is changed through Git by the admins.
 * Nobody else gets anything: `policy.default` is empty.
 */
export function argocdPolicyCsv(access: AccessSpec, services: readonly string[]): string {
  const lines: string[] = [];
  for (const g of groupsWithRole(access, "argocd", "admin")) lines.push(`g, ${g.name}, role:admin`);
  for (const g of groupsWithRole(access, "argocd", "readonly")) lines.push(`g, ${g.name}, role:readonly`);
  for (const g of groupsWithRole(access, "argocd", "deployer")) {
    const role = deployerRole(g.name);
    lines.push(
      `p, ${role}, projects, get, platform, allow`,
      `p, ${role}, projects, get, workloads, allow`,
      `p, ${role}, applications, get, platform/*, allow`,
      `p, ${role}, applications, get, workloads/*, allow`,
    );
    // No `workloads/*` even when the group has every service: a service added later is granted by
    // re-rendering, and the policy in Git always lists what it allows.
    for (const s of groupServices(g, services)) {
      lines.push(
        `p, ${role}, applications, sync, workloads/${s}, allow`,
        `p, ${role}, applications, action/*, workloads/${s}, allow`,
        `p, ${role}, logs, get, workloads/${s}, allow`,
      );
    }
    lines.push(`g, ${g.name}, ${role}`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The argo-cd chart's `configs.cm` and `configs.rbac` for SSO: Argo CD talks to the platform's
 * issuer directly (no Dex), client id and secret are `$argocd-oidc:<key>` references into the
 * ESO-written Secret, the ID token must carry the `groups` claim, and RBAC reads it.
 */
export function argocdSsoValues(
  platform: PlatformSpec,
  access: AccessSpec,
  services: readonly string[],
): { cm: Record<string, unknown>; rbac: Record<string, unknown> } {
  const endpoints = platformOidcEndpoints(platform);
  const secret = ssoSecretName("argocd");
  const oidc = {
    name: endpoints.displayName,
    issuer: endpoints.issuer,
    clientID: `$${secret}:${ARGOCD_OIDC_KEYS.id}`,
    clientSecret: `$${secret}:${ARGOCD_OIDC_KEYS.secret}`,
    requestedScopes: ["openid", "profile", "email"],
    requestedIDTokenClaims: { [GROUPS_CLAIM]: { essential: true } },
  };
  return {
    cm: { "oidc.config": toYaml(oidc) },
    rbac: {
      "policy.csv": argocdPolicyCsv(access, services),
      // Deny: a person in no mapped group can log in and sees nothing.
      "policy.default": "",
      scopes: `[${GROUPS_CLAIM}]`,
    },
  };
}
