import { stringifyEntityRef } from "@backstage/catalog-model";
import { NotAllowedError } from "@backstage/errors";
import type { OidcAuthResult } from "@backstage/plugin-auth-backend-module-oidc-provider";
import { createSignInResolverFactory, type OAuthAuthenticatorResult } from "@backstage/plugin-auth-node";
import { z } from "zod/v3";

/**
 * Sign-in tied to the platform's groups (ADR 0019): the identity provider says who a person is and
 * which groups they are in (the `groups` claim, ADR 0012); platform.yaml says which groups may use
 * Backstage (`spec.access.backstage`). A person in none of them is refused; anyone else gets a
 * Backstage token owning their user entity and each of their Backstage groups. People are not in the
 * catalog (they live in the identity provider), so nothing is looked up there.
 */

/** The resolver's name in app-config (`signIn.resolvers[].resolver`), as Slipway renders it. */
export const PLATFORM_GROUPS_RESOLVER = "platformGroups";

/** What `signIn.resolvers[]` carries besides `resolver` (rendered from platform.yaml). */
export const platformGroupsOptions = z
  .object({
    /** The ID token claim holding the person's group names (a list of strings). */
    claim: z.string().min(1).default("groups"),
    /** The groups platform.yaml grants Backstage to; the order is kept in the token. */
    groups: z.array(z.string().min(1)),
  })
  .strict();
export type PlatformGroupsOptions = z.output<typeof platformGroupsOptions>;

/** Backstage's entity name rule (catalog-model's `makeValidator().isValidObjectName`). */
const ENTITY_NAME = /^[A-Za-z0-9](?:[-_.A-Za-z0-9]{0,61}[A-Za-z0-9])?$/;

/** The claims the decision reads: the ID token's, then userinfo's for what it lacks. */
export type Claims = Record<string, unknown>;

export type SignInDecision =
  | { readonly ok: true; readonly userRef: string; readonly ownershipRefs: string[] }
  | { readonly ok: false; readonly message: string };

/**
 * Who a person is in Backstage, from their claims: the user entity `user:default/<name>`, where the
 * name is `preferred_username` (or the email) up to any `@`; their groups are the claim's names that
 * platform.yaml grants Backstage to, as `group:default/<name>`. Pure, so it is tested on its own.
 */
export function decideSignIn(claims: Claims, options: PlatformGroupsOptions): SignInDecision {
  const login = [claims.preferred_username, claims.email].find((v) => typeof v === "string" && v !== "");
  const name = typeof login === "string" ? login.split("@")[0] : undefined;
  if (name === undefined || !ENTITY_NAME.test(name)) {
    return {
      ok: false,
      message: `Sign-in refused: the identity provider sent no usable user name (preferred_username or email; got '${String(login ?? "")}')`,
    };
  }
  const raw = claims[options.claim];
  const held = Array.isArray(raw) ? raw.filter((g): g is string => typeof g === "string") : [];
  const granted = options.groups.filter((g) => held.includes(g));
  if (granted.length === 0) {
    const allowed =
      options.groups.length > 0 ? options.groups.join(", ") : "none (spec.access.backstage is empty)";
    return {
      ok: false,
      message: `Sign-in refused: '${name}' is in no group with Backstage access (the '${options.claim}' claim holds [${held.join(", ")}]; allowed: ${allowed}). Ask a platform admin to add you to one in the identity provider.`,
    };
  }
  const userRef = stringifyEntityRef({ kind: "User", namespace: "default", name });
  const groupRefs = granted.map((g) => stringifyEntityRef({ kind: "Group", namespace: "default", name: g }));
  return { ok: true, userRef, ownershipRefs: [userRef, ...groupRefs] };
}

/** The ID token's claims (its signature and nonce were checked by openid-client), then userinfo's. */
export function oidcClaims(result: OAuthAuthenticatorResult<OidcAuthResult>): Claims {
  const { tokenset, userinfo } = result.fullProfile;
  return { ...(userinfo ?? {}), ...tokenset.claims() };
}

/** The resolver factory the Slipway auth module registers for the `oidc` provider. */
export const platformGroupsResolver = createSignInResolverFactory({
  optionsSchema: platformGroupsOptions,
  create(options) {
    return async (info: { result: OAuthAuthenticatorResult<OidcAuthResult> }, ctx) => {
      const decision = decideSignIn(oidcClaims(info.result), options);
      // NotAllowedError (not NotFoundError, which makes Backstage try the next resolver): the
      // message reaches the sign-in page.
      if (!decision.ok) throw new NotAllowedError(decision.message);
      return ctx.issueToken({ claims: { sub: decision.userRef, ent: decision.ownershipRefs } });
    };
  },
});
