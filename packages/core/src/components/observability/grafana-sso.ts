import { type AccessSpec, groupsWithRole } from "../../config/access.js";
import type { PlatformSpec } from "../../config/schema.js";
import type { K8sObject } from "../../render/k8s.js";
import {
  GROUPS_CLAIM,
  platformOidcEndpoints,
  ssoExternalSecret,
  ssoSecretName,
} from "../identity/contract.js";
import { OBSERVABILITY_NAMESPACE } from "./contract.js";

/** A deployed Grafana with SSO is reached at `grafana.<domain>` (internal route). */
export const GRAFANA_SUBDOMAIN = "grafana";

/** Grafana reads `GF_<SECTION>_<KEY>` env vars over grafana.ini: the client id and secret arrive so. */
export const GRAFANA_OIDC_KEYS = {
  id: "GF_AUTH_GENERIC_OAUTH_CLIENT_ID",
  secret: "GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET",
} as const;

/** Grafana's generic OAuth callback. */
export const grafanaRedirectUri = (host: string) => `https://${host}/login/generic_oauth`;

/** A JMESPath string literal (raw string): the group names are DNS labels, nothing to escape. */
const lit = (s: string) => `'${s}'`;

/**
 * `role_attribute_path`: the highest Grafana role any of the person's groups maps to; no match is
 * null, which `role_attribute_strict` turns into a refused login. A missing claim reads as `[]`.
 * @example contains(groups || `[]`, 'platform-admins') && 'Admin' || contains(groups || `[]`, 'developers') && 'Editor' || `null`
 */
export function grafanaRoleAttributePath(access: AccessSpec): string {
  const claim = `${GROUPS_CLAIM} || \`[]\``;
  const terms: string[] = [];
  const levels = [
    ["admin", "Admin"],
    ["editor", "Editor"],
    ["viewer", "Viewer"],
  ] as const;
  for (const [role, grafanaRole] of levels) {
    for (const g of groupsWithRole(access, "grafana", role)) {
      terms.push(`contains(${claim}, ${lit(g.name)}) && ${lit(grafanaRole)}`);
    }
  }
  // Last: no mapped group is null (not `false`), which role_attribute_strict refuses; with no group
  // holding a Grafana role at all, nobody may sign in through SSO.
  return [...terms, "`null`"].join(" || ");
}

/**
 * Chart values and the ExternalSecret for Grafana's sign-in through the platform's provider:
 * `auth.generic_oauth` with the provider's endpoints (Grafana does not read discovery), PKCE,
 * sign-up on first login, the role from the `groups` claim (strict: no role, no login; Grafana
 * Admin is never granted through SSO); client id and secret as env from the ESO-written Secret.
 * The local admin login stays (`grafana-admin`) as the way in when the provider is down.
 */
export function grafanaSso(
  platform: PlatformSpec,
  access: AccessSpec,
): { values: Record<string, unknown>; secret: K8sObject } {
  const endpoints = platformOidcEndpoints(platform);
  const host = `${GRAFANA_SUBDOMAIN}.${platform.domain}`;
  return {
    values: {
      envFromSecret: ssoSecretName("grafana"),
      "grafana.ini": {
        server: { root_url: `https://${host}` },
        "auth.generic_oauth": {
          enabled: true,
          name: endpoints.displayName,
          auth_url: endpoints.authorize,
          token_url: endpoints.token,
          api_url: endpoints.userinfo,
          scopes: "openid profile email",
          use_pkce: true,
          allow_sign_up: true,
          login_attribute_path: "preferred_username",
          email_attribute_path: "email",
          name_attribute_path: "name",
          role_attribute_path: grafanaRoleAttributePath(access),
          role_attribute_strict: true,
          allow_assign_grafana_admin: false,
        },
      },
    },
    secret: ssoExternalSecret("grafana", OBSERVABILITY_NAMESPACE, GRAFANA_OIDC_KEYS, {
      // Before the chart's Deployment, which reads it through envFrom.
      annotations: { "argocd.argoproj.io/sync-wave": "-1" },
    }),
  };
}
