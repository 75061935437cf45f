import type { DatabaseDecl } from "../../render/plan.js";
import { quoteIdent, quoteLiteral } from "./contract.js";

/** The environment variable the provisioning Job reads a static owner's password from. */
export function passwordEnv(db: Pick<DatabaseDecl, "name">): string {
  return `SLIPWAY_PASSWORD_${db.name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

/**
 * Idempotent provisioning for psql (`-v ON_ERROR_STOP=1 -f`): for each database, its owner role
 * (created once; password set from the environment on every run, so a rotation in Vault is
 * applied by the next run), the database (created once with `\gexec`, since CREATE DATABASE
 * cannot run inside a DO block), and its privileges: PUBLIC loses CONNECT and TEMPORARY, the owner
 * alone gets CONNECT. Dynamic-credential owners are NOLOGIN group roles: Vault's database engine
 * creates short-lived logins that are granted them.
 *
 * Passwords never appear in the SQL: `\getenv` reads them from the Job's environment (psql 15+).
 */
export function provisioningSql(databases: readonly DatabaseDecl[]): string {
  const dbs = [...databases].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const lines: string[] = [
    "-- Rendered by Slipway (postgres component); re-run by Argo CD whenever it changes.",
    "-- Safe to run any number of times.",
    "\\set ON_ERROR_STOP on",
    "",
    "-- No role but the superuser may connect to the maintenance databases: otherwise any owner",
    "-- (or a short-lived dynamic login) could connect to postgres and DROP DATABASE its own.",
    "REVOKE CONNECT, TEMPORARY ON DATABASE postgres, template1 FROM PUBLIC;",
    "",
  ];
  const roles = new Set<string>();
  dbs.forEach((db, i) => {
    const owner = quoteIdent(db.owner);
    const name = quoteIdent(db.name);
    lines.push(`-- ${db.name}: owner ${db.owner}, asked for by ${db.consumer}`);
    if (!roles.has(db.owner)) {
      roles.add(db.owner);
      lines.push(
        "DO $slipway$",
        "BEGIN",
        `  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = ${quoteLiteral(db.owner)}) THEN`,
        `    CREATE ROLE ${owner};`,
        "  END IF;",
        "END",
        "$slipway$;",
      );
      if (db.dynamic) {
        lines.push(
          `ALTER ROLE ${owner} WITH NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;`,
        );
      } else {
        const v = `password_${i}`;
        lines.push(
          `\\getenv ${v} ${passwordEnv(db)}`,
          `ALTER ROLE ${owner} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'${v}';`,
        );
      }
    }
    lines.push(
      `SELECT format('CREATE DATABASE %I OWNER %I', ${quoteLiteral(db.name)}, ${quoteLiteral(db.owner)})`,
      `  WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = ${quoteLiteral(db.name)}) \\gexec`,
      `ALTER DATABASE ${name} OWNER TO ${owner};`,
      `REVOKE ALL ON DATABASE ${name} FROM PUBLIC;`,
      `GRANT CONNECT, TEMPORARY ON DATABASE ${name} TO ${owner};`,
      "",
    );
  });
  while (lines.at(-1) === "") lines.pop();
  lines.push(""); // one final line break, without copying the script to add it
  return lines.join("\n");
}
