import { z } from "zod";
import { dnsLabel } from "../../config/primitives.js";

/**
 * The identity component's config and the contract services rely on (issuer URL, Vault paths of
 * OIDC clients, env names). Kept apart from `index.ts` so other components (scaffold, backstage)
 * read the contract without pulling the component.
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
