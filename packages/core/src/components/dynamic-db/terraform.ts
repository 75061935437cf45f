import { diag, InputError } from "../../diagnostics.js";
import type { DatabaseDecl } from "../../render/plan.js";
import { terraformJson, tfName, tfRef } from "../../render/terraform-json.js";
import type { PostgresEndpoint } from "../postgres/contract.js";
import { VAULT } from "../vault/contract.js";
import {
  ADMIN_KV_PATH,
  DATABASE_TF_DIR,
  type DynamicDbConfig,
  databaseRoleName,
  durationSeconds,
} from "./contract.js";
import { creationStatements, revocationStatements } from "./sql.js";

export const DATABASE_TF_PATH = `${DATABASE_TF_DIR}/database.tf.json`;
export const DATABASE_PROVIDERS_PATH = `${DATABASE_TF_DIR}/providers.tf.json`;

const PASSWORD_VERSION_VAR = "postgres_admin_password_version";

/** Terraform resource types and names, exported for tests and docs. */
export const TF = {
  mount: "vault_mount",
  connection: "vault_database_secret_backend_connection",
  role: "vault_database_secret_backend_role",
  adminSecret: "postgres_admin",
} as const;

/**
 * The Vault database secrets engine as Terraform JSON: the mount, one connection per dynamic
 * database (statements run inside that database, so revocation can reassign what a login
 * created there), and one role per consumer with its statements and TTLs.
 *
 * The superuser password is read at apply time from KV through an ephemeral resource and passed
 * as a write-only attribute: it never lands in Git, the plan or the state. Bump
 * `postgres_admin_password_version` after rotating it (docs/runbooks/vault-dynamic-db.md).
 */
export function databaseTerraform(
  config: DynamicDbConfig,
  databases: readonly DatabaseDecl[],
  endpoint: PostgresEndpoint,
): string {
  const dynamic = databases
    .filter((d) => d.dynamic)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  checkRoleNames(dynamic);
  const backend = tfRef(`${TF.mount}.database.path`);
  const mount = {
    database: {
      path: config.mount,
      type: "database",
      description: "Dynamic PostgreSQL credentials per service (managed by Slipway)",
    },
  };
  if (dynamic.length === 0) return terraformJson({ resource: { [TF.mount]: mount } });

  const connections: Record<string, unknown> = {};
  const roles: Record<string, unknown> = {};
  for (const db of dynamic) {
    const role = databaseRoleName(db.consumer);
    const conn = tfName(db.name);
    connections[conn] = {
      backend,
      name: db.name,
      allowed_roles: [role],
      // Fails the apply, rather than the first credential request, when Vault cannot log in.
      verify_connection: true,
      postgresql: {
        connection_url: `postgresql://{{username}}:{{password}}@${endpoint.host}:${endpoint.port}/${db.name}`,
        username: config.adminUsername,
        password_wo: tfRef(`ephemeral.vault_kv_secret_v2.${TF.adminSecret}.data.password`),
        password_wo_version: tfRef(`var.${PASSWORD_VERSION_VAR}`),
        // A connection per database: keep each pool small and recycle idle superuser sessions.
        max_open_connections: 2,
        max_idle_connections: 1,
        max_connection_lifetime: 300,
      },
    };
    roles[tfName(role)] = {
      backend,
      name: role,
      db_name: tfRef(`${TF.connection}.${conn}.name`),
      creation_statements: creationStatements(db),
      revocation_statements: revocationStatements(db),
      default_ttl: durationSeconds(config.defaultTtl),
      max_ttl: durationSeconds(config.maxTtl),
    };
  }
  return terraformJson({
    // Ephemeral resources (1.10) and write-only attributes (1.11); adds to providers.tf.json's constraint.
    terraform: { required_version: ">= 1.11.0" },
    variable: {
      [PASSWORD_VERSION_VAR]: {
        type: "number",
        default: 1,
        description: "Increase after rotating kv/postgres/admin so Vault's connections get the new password",
      },
    },
    ephemeral: {
      vault_kv_secret_v2: { [TF.adminSecret]: { mount: VAULT.kvMount, name: ADMIN_KV_PATH } },
    },
    resource: {
      [TF.mount]: mount,
      [TF.connection]: connections,
      [TF.role]: roles,
    },
  });
}

function checkRoleNames(dynamic: readonly DatabaseDecl[]): void {
  const seen = new Map<string, string>();
  for (const db of dynamic) {
    const role = tfName(databaseRoleName(db.consumer));
    const prev = seen.get(role);
    if (prev !== undefined) {
      throw new InputError([
        diag(
          "SW_DYNAMIC_DB_DUPLICATE_ROLE",
          `dynamic databases ${prev} and ${db.name} would share the Vault role ${role}`,
          { hint: "Give one of the consumers another name." },
        ),
      ]);
    }
    seen.set(role, db.name);
  }
}
