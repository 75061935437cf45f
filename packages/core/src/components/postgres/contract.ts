// The postgres component's public module: what other components, check/ and bootstrap/ may use
// (docs/adr/0016-module-boundaries.md). It imports only render/, config/, errors and other contracts.
import type { PlatformSpec } from "../../config/schema.js";
import { componentConfig } from "../../render/component.js";
import { VAULT } from "../vault/contract.js";

/** The contract consumers use to reach the shared PostgreSQL. */
export interface PostgresEndpoint {
  readonly host: string;
  readonly port: number;
}

export const POSTGRES_NAMESPACE = "database";

/** In-cluster: the `postgres` Service in `database`; external: the configured host. */
export function postgresEndpoint(platform: PlatformSpec): PostgresEndpoint {
  const c = componentConfig(platform, "postgres");
  if (c.mode === "external" && c.host) return { host: c.host, port: c.port };
  return { host: `postgres.${POSTGRES_NAMESPACE}.svc.cluster.local`, port: c.port };
}

/** Vault KV path (under the KV mount) holding a database's static owner credentials: `username`, `password`. */
export const databaseSecretPath = (database: string) => `postgres/${database}`;

/** The same secret as `vault kv put` names it, with the KV mount: `kv/postgres/<database>`. */
export const databaseVaultPath = (database: string) => `${VAULT.kvMount}/${databaseSecretPath(database)}`;

/** The Secret ESO writes them to, in the `database` namespace. */
export const POSTGRES_ADMIN_SECRET = "postgres-admin";

/** Vault KV path of the superuser credentials (`username`, `password`), in both modes. */
export const POSTGRES_ADMIN_SECRET_PATH = "postgres/admin";

/** `"name"` with embedded quotes doubled: a PostgreSQL identifier, whatever the input. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `'text'` with embedded quotes doubled: a standard-conforming string literal. */
export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
