import type { OidcClientDecl } from "../../render/plan.js";
import type { AccessSpec, AccessUi } from "../../config/access.js";
import type { PlatformSpec } from "../../config/schema.js";
import { externalSecret } from "../external-secrets/external-secret.js";
import {
  type IdentityConfig,
  identityHost,
  OIDC_CLIENT_PROPERTIES,
  oidcClientSecretPath,
  platformIdentity,
} from "./config.js";

/**
 * SSO for people (ADR 0012): the contract between `spec.access`, the identity provider and the
 * platform UIs. Whatever the provider, every UI reads group membership from one claim, `groups`, a
 * list of group names: ZITADEL puts the user's project roles there through an Action (its own
 * `urn:zitadel:iam:org:project:roles` claim is a map keyed by role, which neither Argo CD nor Vault
 * can read as a list), Keycloak through a group membership mapper on each UI's client.
 */

/** The claim holding a person's groups, under both providers. */
export const GROUPS_CLAIM = "groups";

/** OIDC client (and Vault KV entry `identity/clients/<name>`) of each platform UI. */
export const SSO_CLIENT: Record<AccessUi, string> = {
  argocd: "argocd",
  grafana: "grafana",
  vault: "vault",
  // The backstage component's own name for it (BACKSTAGE_OIDC_CLIENT, prefixed like scaffold's).
  backstage: "slipway-backstage",
};

/** Name of the Secret holding a UI's OIDC client id and secret, written by ESO from Vault. */
export const ssoSecretName = (ui: AccessUi): string => `${SSO_CLIENT[ui]}-oidc`;

/** The component deploying each UI: SSO for a UI whose component is disabled renders nothing. */
const UI_COMPONENT: Record<AccessUi, string> = {
  argocd: "argocd",
  grafana: "observability",
  vault: "vault",
  backstage: "backstage",
};

/**
 * The platform's access section when SSO for `ui` is declared, the identity provider is enabled and
 * so is the component deploying the UI (Grafana: in deploy mode, which its component checks).
 */
export function ssoAccess(platform: PlatformSpec, ui: AccessUi): AccessSpec | undefined {
  if (platform.components.identity?.enabled !== true) return undefined;
  if (platform.components[UI_COMPONENT[ui]]?.enabled !== true) return undefined;
  return platform.access?.[ui] ? platform.access : undefined;
}

/** The provider's endpoints a UI without discovery needs (Grafana's generic OAuth). */
export interface OidcEndpoints {
  readonly issuer: string;
  readonly authorize: string;
  readonly token: string;
  readonly userinfo: string;
  readonly displayName: string;
}

/** Endpoints as each provider publishes them in its discovery document. */
export function oidcEndpoints(c: IdentityConfig, domain: string): OidcEndpoints {
  const base = `https://${identityHost(c, domain)}`;
  if (c.provider === "zitadel") {
    return {
      issuer: base,
      authorize: `${base}/oauth/v2/authorize`,
      token: `${base}/oauth/v2/token`,
      userinfo: `${base}/oidc/v1/userinfo`,
      displayName: "ZITADEL",
    };
  }
  const realm = `${base}/realms/${c.realm}`;
  return {
    issuer: realm,
    authorize: `${realm}/protocol/openid-connect/auth`,
    token: `${realm}/protocol/openid-connect/token`,
    userinfo: `${realm}/protocol/openid-connect/userinfo`,
    displayName: "Keycloak",
  };
}

export const platformOidcEndpoints = (platform: PlatformSpec): OidcEndpoints =>
  oidcEndpoints(platformIdentity(platform), platform.domain);

/** A UI's OIDC client, declared by the component that deploys the UI. */
export function ssoClient(
  ui: AccessUi,
  namespace: string,
  redirectUris: readonly string[],
  postLogoutRedirectUris: readonly string[],
  owner: string,
): OidcClientDecl {
  return {
    name: SSO_CLIENT[ui],
    namespace,
    redirectUris,
    postLogoutRedirectUris,
    vaultPath: oidcClientSecretPath(SSO_CLIENT[ui]),
    owner,
  };
}

/**
 * The ExternalSecret delivering a UI's client id and secret from Vault (never from Git), under the
 * keys the UI reads. `labels` go on the Secret ESO writes (Argo CD only resolves `$secret:key`
 * references into Secrets labelled `app.kubernetes.io/part-of: argocd`).
 */
export function ssoExternalSecret(
  ui: AccessUi,
  namespace: string,
  keys: { id: string; secret: string },
  opts: { template?: Record<string, unknown>; annotations?: Record<string, string> } = {},
) {
  const path = oidcClientSecretPath(SSO_CLIENT[ui]);
  return externalSecret({
    name: ssoSecretName(ui),
    namespace,
    labels: { "app.kubernetes.io/managed-by": "slipway", "app.kubernetes.io/part-of": "identity" },
    ...(opts.annotations ? { annotations: opts.annotations } : {}),
    ...(opts.template ? { template: opts.template } : {}),
    data: [
      { secretKey: keys.id, key: path, property: OIDC_CLIENT_PROPERTIES.id },
      { secretKey: keys.secret, key: path, property: OIDC_CLIENT_PROPERTIES.secret },
    ],
  });
}
