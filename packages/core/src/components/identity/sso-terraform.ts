import type { AccessSpec } from "../../config/access.js";
import { tfName, tfRef } from "../../render/terraform-json.js";
import { VAULT_SSO, type VaultSsoModel, vaultIdentityGroup, vaultRedirectUris } from "../vault/contract.js";
import { GROUPS_CLAIM, type IdentityConfig, issuerUrl, SSO_CLIENT } from "./contract.js";

/**
 * ZITADEL Action (v1, flow "Complement Token") that writes the person's roles in the platform
 * project into a flat `groups` claim, on the userinfo/ID token and on the access token — the shape
 * of Argo CD's own ZITADEL guide. Only grants of the platform project count: a role of another
 * project with the same key grants nothing here. ECMAScript 5.1 (ZITADEL runs it in goja).
 * `${…}` is Terraform's template syntax: the project id is filled in at apply time.
 */
export const ZITADEL_GROUPS_ACTION = {
  name: "groupsClaim",
  script: [
    "function groupsClaim(ctx, api) {",
    "  var grants = ctx.v1.user.grants;",
    "  if (grants === undefined || grants.count == 0) {",
    "    return;",
    "  }",
    "  var groups = [];",
    "  grants.grants.forEach(function (grant) {",
    '    if (grant.projectId !== "${zitadel_project.platform.id}") {',
    "      return;",
    "    }",
    "    grant.roles.forEach(function (role) {",
    "      groups.push(role);",
    "    });",
    "  });",
    `  api.v1.claims.setClaim("${GROUPS_CLAIM}", groups);`,
    "}",
    "",
  ].join("\n"),
  /** Both token triggers of the Complement Token flow (the ID token's claims come from userinfo). */
  triggers: ["TRIGGER_TYPE_PRE_USERINFO_CREATION", "TRIGGER_TYPE_PRE_ACCESS_TOKEN_CREATION"],
} as const;

/**
 * The groups as the provider's own objects, and the `groups` claim:
 * - ZITADEL: one `zitadel_project_role` per group in the platform project (people get a group
 *   through a `zitadel_user_grant`, i.e. an authorization in the console), and the Action above;
 * - Keycloak: one `keycloak_group` per group in the realm, and on each UI client a
 *   `keycloak_openid_group_membership_protocol_mapper` writing plain names (`full_path: false`).
 */
export function groupResources(
  c: IdentityConfig,
  access: AccessSpec,
  uiClients: readonly string[],
): Record<string, Record<string, unknown>> {
  const groups = [...access.groups].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (c.provider === "zitadel") {
    const roles: Record<string, unknown> = {};
    for (const g of groups) {
      roles[tfName(g.name)] = {
        project_id: tfRef("zitadel_project.platform.id"),
        role_key: g.name,
        display_name: g.description ?? g.name,
      };
    }
    const triggers: Record<string, unknown> = {};
    for (const t of ZITADEL_GROUPS_ACTION.triggers) {
      triggers[t.replace(/^TRIGGER_TYPE_/, "").toLowerCase()] = {
        flow_type: "FLOW_TYPE_CUSTOMISE_TOKEN",
        trigger_type: t,
        action_ids: [tfRef("zitadel_action.groups_claim.id")],
      };
    }
    return {
      zitadel_project_role: roles,
      zitadel_action: {
        groups_claim: {
          name: ZITADEL_GROUPS_ACTION.name,
          script: ZITADEL_GROUPS_ACTION.script,
          timeout: "10s",
          // A failing script must not lock everyone out of every application of the instance.
          allowed_to_fail: true,
        },
      },
      zitadel_trigger_actions: triggers,
    };
  }
  const kcGroups: Record<string, unknown> = {};
  for (const g of groups)
    kcGroups[tfName(g.name)] = { realm_id: tfRef("keycloak_realm.platform.id"), name: g.name };
  const mappers: Record<string, unknown> = {};
  for (const client of [...uiClients].sort()) {
    mappers[tfName(client)] = {
      realm_id: tfRef("keycloak_realm.platform.id"),
      client_id: tfRef(`keycloak_openid_client.${tfName(client)}.id`),
      name: GROUPS_CLAIM,
      claim_name: GROUPS_CLAIM,
      full_path: false,
      add_to_id_token: true,
      add_to_access_token: true,
      add_to_userinfo: true,
    };
  }
  return {
    keycloak_group: kcGroups,
    ...(uiClients.length > 0 ? { keycloak_openid_group_membership_protocol_mapper: mappers } : {}),
  };
}

/**
 * Vault's OIDC auth method for people, next to the client it uses (so client id and secret never
 * leave this root's state): the mount and its config against the platform's issuer, one `oidc`
 * role reading the `groups` claim, and per platform group an external identity group carrying the
 * group's policies, tied to the claim value by a group alias on this mount. The policies themselves
 * are the Vault root's (vault/sso.ts, ADR 0012).
 */
export function vaultSsoResources(
  c: IdentityConfig,
  domain: string,
  model: VaultSsoModel,
): Record<string, Record<string, unknown>> {
  const client = `${c.provider === "zitadel" ? "zitadel_application_oidc" : "keycloak_openid_client"}.${tfName(SSO_CLIENT.vault)}`;
  const issuer = issuerUrl(c, domain);
  const groups: Record<string, unknown> = {};
  const aliases: Record<string, unknown> = {};
  for (const g of [...model.groups].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const id = tfName(g.name);
    groups[id] = { name: vaultIdentityGroup(g.name), type: "external", policies: [...g.policies].sort() };
    aliases[id] = {
      name: g.name,
      mount_accessor: tfRef("vault_jwt_auth_backend.oidc.accessor"),
      canonical_id: tfRef(`vault_identity_group.${id}.id`),
    };
  }
  return {
    vault_jwt_auth_backend: {
      oidc: {
        path: VAULT_SSO.path,
        type: "oidc",
        description:
          "People of the platform's groups, signed in by the platform's identity provider (managed by Slipway)",
        oidc_discovery_url: issuer,
        bound_issuer: issuer,
        oidc_client_id: tfRef(`${client}.client_id`),
        oidc_client_secret: tfRef(`${client}.client_secret`),
        default_role: VAULT_SSO.role,
      },
    },
    vault_jwt_auth_backend_role: {
      platform: {
        backend: tfRef("vault_jwt_auth_backend.oidc.path"),
        role_name: VAULT_SSO.role,
        role_type: "oidc",
        user_claim: "sub",
        groups_claim: GROUPS_CLAIM,
        bound_audiences: [tfRef(`${client}.client_id`)],
        allowed_redirect_uris: vaultRedirectUris(domain),
        // Policies come from the external groups only: a person in no group gets `default`.
        token_ttl: VAULT_SSO.tokenTtl,
        token_max_ttl: VAULT_SSO.tokenMaxTtl,
      },
    },
    ...(model.groups.length > 0 ? { vault_identity_group: groups, vault_identity_group_alias: aliases } : {}),
  };
}
