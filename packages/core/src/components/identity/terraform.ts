import type { AccessSpec } from "../../config/access.js";
import { diag, InputError } from "../../diagnostics.js";
import type { OidcClientDecl } from "../../render/plan.js";
import { terraformJson, tfName, tfRef } from "../../render/terraform-json.js";
import type { VaultSsoModel } from "../vault/contract.js";
import { VAULT } from "../vault/contract.js";
import {
  IDENTITY_TERRAFORM_DIR,
  type IdentityConfig,
  identityHost,
  OIDC_CLIENT_PROPERTIES,
} from "./contract.js";
import { KEYCLOAK_ADMIN_PATH } from "./keycloak.js";
import { groupResources, vaultSsoResources } from "./sso-terraform.js";
import { ZITADEL_ADMIN_KEY_PATH } from "./zitadel.js";

/** Provider pins: ZITADEL's and Keycloak's official providers, and Vault for the client secrets. */
export const IDENTITY_PROVIDERS = {
  zitadel: { source: "zitadel/zitadel", version: "~> 2.0" },
  keycloak: { source: "keycloak/keycloak", version: "~> 5.0" },
  vault: { source: "hashicorp/vault", version: "~> 5.0" },
} as const;

/**
 * ZITADEL OIDC application settings shared by every client: a confidential web app using the
 * authorization code flow (refresh tokens allowed), client secret via HTTP Basic, opaque bearer
 * access tokens, user info in the ID token. Field values are the enum names of
 * `zitadel.application.v2` (checked against the API schema in the tests).
 */
export const ZITADEL_WEB_APP = {
  response_types: ["OIDC_RESPONSE_TYPE_CODE"],
  grant_types: ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE", "OIDC_GRANT_TYPE_REFRESH_TOKEN"],
  app_type: "OIDC_APP_TYPE_WEB",
  auth_method_type: "OIDC_AUTH_METHOD_TYPE_BASIC",
  version: "OIDC_VERSION_1_0",
  access_token_type: "OIDC_TOKEN_TYPE_BEARER",
  id_token_userinfo_assertion: true,
  clock_skew: "0s",
} as const;

const byName = (a: OidcClientDecl, b: OidcClientDecl) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function checkClients(clients: readonly OidcClientDecl[]): void {
  const seen = new Map<string, OidcClientDecl>();
  for (const c of clients) {
    const id = tfName(c.name);
    const prev = seen.get(id);
    if (prev) {
      throw new InputError([
        diag(
          "SW_IDENTITY_DUPLICATE_CLIENT",
          `OIDC client ${c.name} is declared by both ${prev.owner} and ${c.owner}`,
          {
            hint: "Each OIDC client has one owner; rename one of them (services: the service name).",
          },
        ),
      ]);
    }
    seen.set(id, c);
  }
}

/** `jsonencode({client_id = …, client_secret = …})` of a client resource: what Vault stores. */
function vaultSecret(c: OidcClientDecl, resource: string): Record<string, unknown> {
  const id = `${resource}.${tfName(c.name)}`;
  return {
    mount: VAULT.kvMount,
    name: c.vaultPath,
    data_json: tfRef(
      `jsonencode({ ${OIDC_CLIENT_PROPERTIES.id} = ${id}.client_id, ${OIDC_CLIENT_PROPERTIES.secret} = ${id}.client_secret })`,
    ),
  };
}

/**
 * The OIDC clients as Terraform JSON (ADR 0005): one provider-native client per declaration and a
 * `vault_kv_secret_v2` at its Vault path holding `client_id` and `client_secret`, which the
 * service's ExternalSecret reads. The identity provider's admin credential is read from Vault by
 * Terraform itself, so `terraform apply` needs only VAULT_ADDR and VAULT_TOKEN.
 */
export function identityTerraformFiles(
  c: IdentityConfig,
  domain: string,
  platformName: string,
  clients: readonly OidcClientDecl[],
  sso?: {
    readonly access: AccessSpec;
    /** Clients of platform UIs, which get the `groups` claim. */
    readonly uiClients: readonly string[];
    /** Vault's OIDC auth method, when Vault has SSO. */
    readonly vault?: VaultSsoModel;
  },
): { path: string; content: string }[] {
  checkClients(clients);
  const sorted = [...clients].sort(byName);
  const host = identityHost(c, domain);
  const adminData =
    c.provider === "zitadel"
      ? { zitadel_admin: { mount: VAULT.kvMount, name: ZITADEL_ADMIN_KEY_PATH } }
      : { keycloak_admin: { mount: VAULT.kvMount, name: KEYCLOAK_ADMIN_PATH } };
  const providerConfig =
    c.provider === "zitadel"
      ? {
          zitadel: {
            domain: host,
            port: "443",
            insecure: false,
            jwt_profile_json: tfRef('data.vault_kv_secret_v2.zitadel_admin.data["key"]'),
          },
        }
      : {
          keycloak: {
            url: `https://${host}`,
            base_path: "",
            realm: "master",
            client_id: "admin-cli",
            username: tfRef('data.vault_kv_secret_v2.keycloak_admin.data["username"]'),
            password: tfRef('data.vault_kv_secret_v2.keycloak_admin.data["password"]'),
          },
        };
  const providers = {
    terraform: {
      required_version: ">= 1.6.0",
      required_providers: {
        [c.provider]: IDENTITY_PROVIDERS[c.provider],
        vault: IDENTITY_PROVIDERS.vault,
      },
    },
    // Vault's address and token come from VAULT_ADDR and VAULT_TOKEN, never from a file.
    provider: { vault: {}, ...providerConfig },
    data: { vault_kv_secret_v2: adminData },
  };

  const resources: Record<string, Record<string, unknown>> = c.provider === "zitadel"
    ? {
        // One project for the platform's clients, in the first instance's organization.
        zitadel_project: { platform: { name: platformName } },
        zitadel_application_oidc: {},
      }
    : {
        keycloak_realm: { platform: { realm: c.realm, enabled: true } },
        keycloak_openid_client: {},
      };
  const clientResource = c.provider === "zitadel" ? "zitadel_application_oidc" : "keycloak_openid_client";
  const secrets: Record<string, unknown> = {};
  for (const client of sorted) {
    const id = tfName(client.name);
    (resources[clientResource] as Record<string, unknown>)[id] =
      c.provider === "zitadel"
        ? {
            project_id: tfRef("zitadel_project.platform.id"),
            name: client.name,
            redirect_uris: [...client.redirectUris],
            post_logout_redirect_uris: [...client.postLogoutRedirectUris],
            // ZITADEL accepts http:// redirect URIs only in development mode (the loopback test client).
            dev_mode: client.redirectUris.some((u) => u.startsWith("http://")),
            ...ZITADEL_WEB_APP,
            response_types: [...ZITADEL_WEB_APP.response_types],
            grant_types: [...ZITADEL_WEB_APP.grant_types],
          }
        : {
            realm_id: tfRef("keycloak_realm.platform.id"),
            client_id: client.name,
            name: client.name,
            enabled: true,
            access_type: "CONFIDENTIAL",
            standard_flow_enabled: true,
            implicit_flow_enabled: false,
            direct_access_grants_enabled: false,
            service_accounts_enabled: false,
            valid_redirect_uris: [...client.redirectUris],
            valid_post_logout_redirect_uris: [...client.postLogoutRedirectUris],
            // "+": allow CORS from the redirect URIs' origins only.
            web_origins: ["+"],
          };
    secrets[id] = vaultSecret(client, clientResource);
  }

  const files = [{ path: `${IDENTITY_TERRAFORM_DIR}/providers.tf.json`, content: terraformJson(providers) }];
  const clientFile: Record<string, unknown> = { ...resources };
  if (sorted.length > 0) clientFile.vault_kv_secret_v2 = secrets;
  else delete clientFile[clientResource];
  files.push({
    path: `${IDENTITY_TERRAFORM_DIR}/clients.tf.json`,
    content: terraformJson({ resource: clientFile }),
  });
  if (sso) {
    files.push({
      path: `${IDENTITY_TERRAFORM_DIR}/groups.tf.json`,
      content: terraformJson({ resource: groupResources(c, sso.access, sso.uiClients) }),
    });
    if (sso.vault) {
      files.push({
        path: `${IDENTITY_TERRAFORM_DIR}/vault-sso.tf.json`,
        content: terraformJson({ resource: vaultSsoResources(c, domain, sso.vault) }),
      });
    }
  }
  return files;
}
