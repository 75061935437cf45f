// The identity component's public module: the identity provider's settings, issuer and OIDC
// client conventions, and the SSO clients of the platform UIs (docs/adr/0016-module-boundaries.md).

import { z } from "zod";
import type { AccessSpec, AccessUi } from "../../config/access.js";
import { dnsLabel } from "../../config/primitives.js";
import type { PlatformSpec } from "../../config/schema.js";
import { componentConfig } from "../../render/component.js";
import type { OidcClientDecl } from "../../render/plan.js";
import { externalSecret } from "../external-secrets/contract.js";

/**
 * The identity component's config and the contract services rely on (issuer URL, Vault paths of
 * OIDC clients, env names).
 */
export const identityConfig = z.strictObject({
  /** Which identity provider serves `auth.<domain>`; services see the same contract with either. */
  provider: z
    .enum(["zitadel", "keycloak"])
    .default("zitadel")
    .describe("zitadel (default) or keycloak; swapping it changes no service file"),
  /** `<subdomain>.<domain>` is the issuer's hostname (public: DNS record and tunnel route). */
  subdomain: dnsLabel.default("auth").describe("The issuer's hostname is <subdomain>.<domain>"),
  /** Keycloak only: the realm every OIDC client lives in (the issuer is `…/realms/<realm>`). */
  realm: dnsLabel.default("platform").describe("Keycloak realm of the platform's OIDC clients"),
  /** Also declare an OIDC client tied to no service, for verifying logins by hand (seed P1). */
  testClient: z.boolean().default(false).describe("Declare the `slipway-test` OIDC client for manual checks"),
});

export type IdentityConfig = z.output<typeof identityConfig>;
export type IdentityProvider = IdentityConfig["provider"];

/** The config a partial `spec.components.identity` (raw input, `enabled` allowed) resolves to. */
export const identitySettings = (c: unknown): IdentityConfig => z.object(identityConfig.shape).parse(c ?? {});

/** Namespace each provider runs in (the seed's `zitadel`; Keycloak's own when chosen). */
export const IDENTITY_NAMESPACE: Record<IdentityProvider, string> = {
  zitadel: "zitadel",
  keycloak: "keycloak",
};

/** The issuer's hostname, `<subdomain>.<domain>`. */
export const identityHost = (c: IdentityConfig, domain: string): string => `${c.subdomain}.${domain}`;

/**
 * The OIDC issuer services discover (`<issuer>/.well-known/openid-configuration`): ZITADEL serves
 * one issuer per instance at the external domain's root; Keycloak one per realm.
 */
export function issuerUrl(c: IdentityConfig, domain: string): string {
  const base = `https://${identityHost(c, domain)}`;
  return c.provider === "zitadel" ? base : `${base}/realms/${c.realm}`;
}

/** Vault KV path (under the KV mount) of an OIDC client's `client_id` and `client_secret`. */
export const oidcClientSecretPath = (client: string): string => `identity/clients/${client}`;

/** Properties of the Vault entry at {@link oidcClientSecretPath}, written by `terraform apply`. */
export const OIDC_CLIENT_PROPERTIES = { id: "client_id", secret: "client_secret" } as const;

/** The stable contract of a service with `auth: oidc`: these env names, whatever the provider. */
export const OIDC_ENV = {
  issuer: "OIDC_ISSUER_URL",
  clientId: "OIDC_CLIENT_ID",
  clientSecret: "OIDC_CLIENT_SECRET",
} as const;

/** Name of the Secret (and its ExternalSecret) holding a service's OIDC client credentials. */
export const oidcSecretName = (service: string): string => `${service}-oidc`;

/** Vault policy of the token `terraform apply` in `identity/terraform/` runs with. */
export const IDENTITY_TERRAFORM_POLICY = "identity-terraform";

/** The OIDC client tied to no service that `testClient: true` declares. */
export const TEST_CLIENT = "slipway-test";

/**
 * Callback paths registered for a service's client, by runtime: the presets' conventions
 * (Spring Security's `/login/oauth2/code/<registrationId>` with registration id `platform`; the
 * node-service preset's `/auth/callback`). Runtimes without a preset convention get both.
 */
export const CALLBACK_PATHS = {
  spring: "/login/oauth2/code/platform",
  node: "/auth/callback",
} as const;

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
  oidcEndpoints(componentConfig(platform, "identity"), platform.domain);

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

/** Where the OIDC clients live in the platform repository (ADR 0005). */
export const IDENTITY_TERRAFORM_DIR = "identity/terraform";
