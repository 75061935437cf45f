import type { PlatformSpec } from "../../config/schema.js";
import { VAULT } from "../vault/paths.js";

/** The contract consumers use to reach the shared PostgreSQL. */
export interface PostgresEndpoint {
  readonly host: string;
  readonly port: number;
}

export const POSTGRES_NAMESPACE = "database";

/**
 * In-cluster: the `postgres` Service in `database`; external: the configured host.
 * Config shape owned by the postgres component: `{ mode: "in-cluster" | "external", host?, port? }`.
 */
export function postgresEndpoint(platform: PlatformSpec): PostgresEndpoint {
  const c = platform.components.postgres as { mode?: string; host?: string; port?: number } | undefined;
  if (c?.mode === "external" && c.host) return { host: c.host, port: c.port ?? 5432 };
  return { host: `postgres.${POSTGRES_NAMESPACE}.svc.cluster.local`, port: c?.port ?? 5432 };
}

/** Vault KV path (under the KV mount) holding a database's static owner credentials: `username`, `password`. */
export const databaseSecretPath = (database: string) => `postgres/${database}`;

/** The same secret as `vault kv put` names it, with the KV mount: `kv/postgres/<database>`. */
export const databaseVaultPath = (database: string) => `${VAULT.kvMount}/${databaseSecretPath(database)}`;
