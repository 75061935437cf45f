// The dynamic-db component's public module: its settings, the database role of a consumer, and where
// its Terraform stage and the superuser credentials it reads live (docs/adr/0016-module-boundaries.md).
import { z } from "zod";
import { VAULT_TERRAFORM_DIR } from "../vault/contract.js";

/** A duration in the forms Vault and ESO both accept: `90s`, `20m`, `1h`, `1d` is not one (ESO has no days). */
const duration = z.string().regex(/^[1-9]\d*(s|m|h)$/, {
  error: "must be a whole number of seconds, minutes or hours: 90s, 20m, 8h",
});

/**
 * `spec.components.dynamic-db` in platform.yaml. Every field has a default.
 *
 * ESO's VaultDynamicSecret generator never renews a lease, so a credential lives exactly
 * `defaultTtl`; `refreshInterval` is how often ESO asks for a new one (and, with Reloader, how
 * often the pods roll). See docs/components/dynamic-db.md for the rotation story.
 */
export const dynamicDbConfig = z.strictObject({
  /** Vault mount path of the database secrets engine. @default "database" */
  mount: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,62}$/, { error: "must be a Vault mount path such as database" })
    .default("database")
    .describe("Vault mount path of the database secrets engine"),
  /** Lease of each credential: the role's `VALID UNTIL` and when Vault drops it. @default "24h" */
  defaultTtl: duration.default("24h").describe("Lease of each credential (the role's VALID UNTIL)"),
  /** Upper bound for `vault lease renew` on a credential. @default "24h" */
  maxTtl: duration.default("24h").describe("Upper bound for renewing a credential's lease"),
  /** How often ESO issues new credentials; at most half of `defaultTtl`. @default "8h" */
  refreshInterval: duration
    .default("8h")
    .describe("How often ESO issues new credentials; at most half of defaultTtl"),
  /**
   * What makes a running pod pick up new credentials: `reloader` annotates the pod template for
   * Stakater Reloader (a rolling restart whenever the Secret changes); `none` leaves it to the
   * application or a person (pods then lose database access `defaultTtl` after their credential
   * was issued). @default "reloader"
   */
  restartOnRotation: z
    .enum(["reloader", "none"])
    .default("reloader")
    .describe("reloader: Stakater Reloader restarts pods on new credentials; none: the application's job"),
  /**
   * Username of the PostgreSQL superuser stored at Vault `kv/postgres/admin` (the password is read
   * from there at `terraform apply` time and never written to state). @default "postgres"
   */
  adminUsername: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: "must be a PostgreSQL role name" })
    .default("postgres")
    .describe("PostgreSQL superuser whose password is at Vault kv/postgres/admin"),
});
export type DynamicDbConfig = z.output<typeof dynamicDbConfig>;

/** Seconds of a validated {@link duration}. */
export function durationSeconds(d: string): number {
  const n = Number(d.slice(0, -1));
  return n * ({ s: 1, m: 60, h: 3600 }[d.slice(-1)] ?? 1);
}

/** Vault database role a consumer reads `<mount>/creds/<role>` from: the service name. */
export const databaseRoleName = (consumer: string) => consumer.replace(/^service:/, "");
/** Vault policy and Kubernetes auth role of a service's generator. */
export const generatorVaultRole = (service: string) => `db-${service}`;
/** Name of the VaultDynamicSecret, the ExternalSecret and the Secret it writes. */
export const dynamicSecretName = (service: string) => `${service}-database`;

/**
 * The root this component owns, apart from the vault component's (ADR 0002): it is applied in a
 * later bootstrap stage, because its ephemeral read of `kv/postgres/admin` fails until that secret
 * is written and `verify_connection` fails until PostgreSQL runs — which needs External Secrets to
 * log in with a role the base root creates (docs/guides/bootstrap.md).
 */
export const DATABASE_TF_DIR = `${VAULT_TERRAFORM_DIR}/database`;

/** KV path of the superuser credentials (the postgres component's contract, `postgres/admin`). */
export const ADMIN_KV_PATH = "postgres/admin";
