import type { PlatformSpec } from "../../config/schema.js";
import { componentConfig } from "../../render/component.js";
import { VAULT } from "../vault/paths.js";

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
