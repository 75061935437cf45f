import type { DatabaseDecl } from "../../render/plan.js";
import { quoteIdent, quoteLiteral } from "../postgres/contract.js";

/**
 * The statements Vault's PostgreSQL plugin runs for a dynamic role, as rendered into the
 * Terraform role (and executed by the tests against a real server). Vault substitutes
 * `{{name}}`, `{{password}}` and `{{expiration}}` without escaping, splits each entry on `;`
 * and runs them in one transaction on the role's connection — which is the service's own
 * database (one Vault connection per database), so `REASSIGN OWNED`/`DROP OWNED` reach the
 * objects a login created there. Hence: one statement per entry, no `;` and no `$$`.
 *
 * Ownership across rotations: each login is an INHERIT member of the database's NOLOGIN owner
 * role, and its sessions in that database start as `SET ROLE <owner>` (a per-role, per-database
 * default). Whatever a login creates is owned by the owner role, so the next login — every
 * migration included — can use, alter and drop it. A session that resets the role still works
 * through inherited privileges; anything it creates is handed to the owner on revocation.
 */
export function creationStatements(db: Pick<DatabaseDecl, "name" | "owner">): string[] {
  const owner = quoteIdent(db.owner);
  return [
    `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT`,
    `GRANT ${owner} TO "{{name}}"`,
    `ALTER ROLE "{{name}}" IN DATABASE ${quoteIdent(db.name)} SET role = ${quoteLiteral(db.owner)}`,
  ];
}

/**
 * Revocation that leaves nothing behind: end the login's sessions (a revoked credential must not
 * keep a pooled connection), hand anything it still owns in this database to the owner, drop
 * its remaining privileges, then the role (its membership and settings go with it).
 */
export function revocationStatements(db: Pick<DatabaseDecl, "owner">): string[] {
  return [
    `SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE usename = '{{name}}' AND pid <> pg_catalog.pg_backend_pid()`,
    `REASSIGN OWNED BY "{{name}}" TO ${quoteIdent(db.owner)}`,
    `DROP OWNED BY "{{name}}"`,
    `DROP ROLE IF EXISTS "{{name}}"`,
  ];
}
