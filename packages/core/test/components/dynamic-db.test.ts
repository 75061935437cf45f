import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { check } from "../../src/check/check.js";
import { DATABASE_TF_PATH } from "../../src/components/dynamic-db/terraform.js";
import { passwordEnv } from "../../src/components/postgres/sql.js";
import { RELOADER_ANNOTATION } from "../../src/components/reloader/contract.js";
import { InputError } from "../../src/diagnostics.js";
import { expectStrictlyValid, renderComponents, type ServiceSpecs } from "../helpers/component-fixture.js";
import { findPostgresBinDir, startPostgres, type TestPostgres } from "../helpers/postgres.js";
import { SCHEMA_DIR } from "../helpers/strict-schema.js";

const ENABLED = {
  "dynamic-db": { enabled: true },
  "cert-manager": { enabled: false },
  reloader: { enabled: true },
};

const SERVICES = {
  notes: { image: "ghcr.io/example/notes:1.0.0", port: 8080, database: { dynamic: true } },
  tasks: { image: "ghcr.io/example/tasks:1.0.0", port: 8080, database: { name: "tasks_db", dynamic: true } },
  blog: { image: "ghcr.io/example/blog:1.0.0", port: 8080, database: {} },
};

/** A platform with dynamic-db on and the given services, rendered in memory. */
function render(componentConfig: Record<string, unknown> = ENABLED, services: ServiceSpecs = SERVICES) {
  return renderComponents(componentConfig, [], services);
}

interface TfRole {
  backend: string;
  name: string;
  db_name: string;
  creation_statements: string[];
  revocation_statements: string[];
  default_ttl: number;
  max_ttl: number;
}
interface TfDatabase {
  terraform: { required_version: string };
  variable: Record<string, { default: number }>;
  ephemeral: { vault_kv_secret_v2: Record<string, { mount: string; name: string }> };
  resource: {
    vault_mount: Record<string, { path: string; type: string }>;
    vault_database_secret_backend_connection: Record<string, any>;
    vault_database_secret_backend_role: Record<string, TfRole>;
  };
}

const rendered = render();
const tf = JSON.parse(rendered.files.get(DATABASE_TF_PATH) ?? "null") as TfDatabase;
const roleOf = (name: string) => tf.resource.vault_database_secret_backend_role[name] as TfRole;

describe("dynamic-db: Vault configuration (Terraform JSON)", () => {
  it("mounts the database engine and connects once per dynamic database, inside that database", () => {
    expect(tf.resource.vault_mount.database).toMatchObject({ path: "database", type: "database" });
    const conns = tf.resource.vault_database_secret_backend_connection;
    expect(Object.keys(conns)).toEqual(["notes", "tasks_db"]);
    expect(conns.tasks_db).toMatchObject({
      backend: "${vault_mount.database.path}",
      name: "tasks_db",
      allowed_roles: ["tasks"],
      verify_connection: true,
      postgresql: {
        connection_url:
          "postgresql://{{username}}:{{password}}@postgres.database.svc.cluster.local:5432/tasks_db",
        username: "postgres",
      },
    });
  });

  it("reads the superuser password ephemerally from kv/postgres/admin: write-only, never a literal", () => {
    expect(tf.ephemeral.vault_kv_secret_v2.postgres_admin).toEqual({ mount: "kv", name: "postgres/admin" });
    const pg = tf.resource.vault_database_secret_backend_connection.notes.postgresql;
    expect(pg.password_wo).toBe("${ephemeral.vault_kv_secret_v2.postgres_admin.data.password}");
    expect(pg.password_wo_version).toBe("${var.postgres_admin_password_version}");
    expect(pg).not.toHaveProperty("password");
    expect(tf.terraform.required_version).toBe(">= 1.11.0");
  });

  it("renders one role per dynamic service with its statements and TTLs (default 24h / 24h)", () => {
    expect(Object.keys(tf.resource.vault_database_secret_backend_role)).toEqual(["notes", "tasks"]);
    expect(roleOf("tasks")).toMatchObject({
      name: "tasks",
      db_name: "${vault_database_secret_backend_connection.tasks_db.name}",
      default_ttl: 86400,
      max_ttl: 86400,
    });
    expect(roleOf("tasks").creation_statements.join("\n")).toContain('GRANT "tasks_db" TO "{{name}}"');
    expect(roleOf("tasks").revocation_statements.join("\n")).toContain(
      'REASSIGN OWNED BY "{{name}}" TO "tasks_db"',
    );
  });

  it("renders only the mount when no service asks for dynamic credentials", () => {
    const r = render(ENABLED, { blog: SERVICES.blog });
    const only = JSON.parse(r.files.get(DATABASE_TF_PATH) ?? "null");
    expect(only).toEqual({
      resource: {
        vault_mount: {
          database: {
            description: "Dynamic PostgreSQL credentials per service (managed by Slipway)",
            path: "database",
            type: "database",
          },
        },
      },
    });
  });

  it("declares a least-privilege policy and a Kubernetes auth role per service", () => {
    const policies = rendered.session.plan.vaultPolicies.filter((p) => p.owner === "dynamic-db");
    expect(policies).toEqual([
      {
        name: "db-notes",
        rules: [{ path: "database/creds/notes", capabilities: ["read"] }],
        owner: "dynamic-db",
      },
      {
        name: "db-tasks",
        rules: [{ path: "database/creds/tasks", capabilities: ["read"] }],
        owner: "dynamic-db",
      },
    ]);
    const roles = rendered.session.plan.vaultKubernetesRoles.filter((r) => r.owner === "dynamic-db");
    expect(roles.map((r) => [r.name, r.serviceAccounts, r.namespaces, r.policies])).toEqual([
      ["db-notes", ["notes"], ["notes"], ["db-notes"]],
      ["db-tasks", ["tasks"], ["tasks"], ["db-tasks"]],
    ]);
    const tfRoles = JSON.parse(rendered.files.get("vault/terraform/roles.tf.json") ?? "{}").resource
      .vault_kubernetes_auth_backend_role;
    expect(tfRoles["db-notes"]).toMatchObject({ audience: "vault", role_name: "db-notes" });
  });

  it("rejects a refresh interval that is not well inside the lease, and a default TTL above the max", () => {
    const codes = (cfg: Record<string, unknown>) => {
      try {
        render({ ...ENABLED, "dynamic-db": { enabled: true, ...cfg } });
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        return (e as InputError).diagnostics.map((d) => [d.code, d.path]);
      }
      return [];
    };
    expect(codes({ defaultTtl: "1h", refreshInterval: "40m" })).toEqual([
      ["SW_DYNAMIC_DB_REFRESH_TOO_LONG", ["spec", "components", "dynamic-db", "refreshInterval"]],
    ]);
    expect(codes({ defaultTtl: "48h", maxTtl: "24h" })).toEqual([
      ["SW_DYNAMIC_DB_TTL", ["spec", "components", "dynamic-db", "defaultTtl"]],
    ]);
    expect(codes({ defaultTtl: "1h", maxTtl: "24h", refreshInterval: "20m" })).toEqual([]);
  });
});

describe("dynamic-db: objects in the service's Application", () => {
  const objs = rendered.objects("k8s/helm/manifests/notes/");
  const generator = objs.find((o) => o.kind === "VaultDynamicSecret");
  const es = objs.find((o) => o.kind === "ExternalSecret");
  const deployment = objs.find((o) => o.kind === "Deployment");
  const container = deployment?.spec.template.spec.containers[0];

  it("renders a VaultDynamicSecret that logs in as the service's account for Vault's audience", () => {
    expect(generator?.metadata).toMatchObject({ name: "notes-database", namespace: "notes" });
    expect(generator?.spec).toEqual({
      method: "GET",
      path: "database/creds/notes",
      resultType: "Data",
      provider: {
        server: "http://vault.vault.svc.cluster.local:8200",
        auth: {
          kubernetes: {
            mountPath: "kubernetes",
            role: "db-notes",
            serviceAccountRef: { name: "notes", audiences: ["vault"] },
          },
        },
      },
    });
  });

  it("renders an ExternalSecret over the generator, refreshing well inside the lease", () => {
    expect(es?.spec.refreshInterval).toBe("8h");
    expect(es?.spec.dataFrom).toEqual([
      {
        sourceRef: {
          generatorRef: {
            apiVersion: "generators.external-secrets.io/v1alpha1",
            kind: "VaultDynamicSecret",
            name: "notes-database",
          },
        },
      },
    ]);
    expect(es?.spec).not.toHaveProperty("secretStoreRef");
    expect(es?.spec.target.template.data).toEqual({
      username: "{{ .username }}",
      password: "{{ .password }}",
      url: "postgresql://{{ .username | urlquery }}:{{ .password | urlquery }}@postgres.database.svc.cluster.local:5432/notes",
    });
  });

  it("gives the container DATABASE_* from the Secret, and no static ExternalSecret", () => {
    const env = Object.fromEntries(
      (container.env as { name: string; value?: string; valueFrom?: any }[]).map((e) => [e.name, e]),
    );
    expect(env.DATABASE_USERNAME?.valueFrom.secretKeyRef).toEqual({
      name: "notes-database",
      key: "username",
    });
    expect(env.DATABASE_PASSWORD?.valueFrom.secretKeyRef).toEqual({
      name: "notes-database",
      key: "password",
    });
    expect(env.DATABASE_URL?.valueFrom.secretKeyRef).toEqual({ name: "notes-database", key: "url" });
    expect(env.DATABASE_NAME?.value).toBe("notes");
    expect(objs.filter((o) => o.kind === "ExternalSecret")).toHaveLength(1);
    // The static service keeps its KV-backed credentials, through its own store, and no generator.
    const blog = rendered.objects("k8s/helm/manifests/blog/");
    expect(blog.some((o) => o.kind === "VaultDynamicSecret")).toBe(false);
    expect(blog.find((o) => o.kind === "ExternalSecret")?.spec.secretStoreRef).toEqual({
      kind: "SecretStore",
      name: "vault-blog",
    });
  });

  it("annotates the pod template for Reloader unless restartOnRotation is none", () => {
    expect(deployment?.spec.template.metadata.annotations[RELOADER_ANNOTATION]).toBe("notes-database");
    const none = render({ ...ENABLED, "dynamic-db": { enabled: true, restartOnRotation: "none" } });
    const d = none.objects("k8s/helm/manifests/notes/").find((o) => o.kind === "Deployment");
    expect(d?.spec.template.metadata.annotations?.[RELOADER_ANNOTATION]).toBeUndefined();
  });

  it("validates in strict mode against the generator and ExternalSecret CRDs and core schemas", () => {
    expectStrictlyValid(objs);
  });

  it("passes slipway check (schemas, policies incl. no-secrets) with zero diagnostics", async () => {
    const r = await check(
      { files: rendered.fileList, apps: rendered.session.apps },
      { schemaDir: SCHEMA_DIR, kubernetesVersion: "1.32" },
    );
    expect(r.stats.files).toBe(rendered.fileList.length);
    expect(r.stats.validated.crd).toBeGreaterThan(0);
    expect(r.diagnostics.map((d) => `${d.code} ${d.location?.file ?? ""} ${d.message}`)).toEqual([]);
    expect(r.stats.unvalidatedKinds).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The rendered statements against a real PostgreSQL server, run the way Vault runs them.
// ---------------------------------------------------------------------------------------------

/** Vault's PostgreSQL plugin: entries split on `;` unless dollar-quoted, empty parts skipped. */
function vaultQueries(statements: readonly string[]): string[] {
  return statements.flatMap((s) =>
    s.includes("$$")
      ? [s]
      : s
          .split(";")
          .map((q) => q.trim())
          .filter((q) => q !== ""),
  );
}

/** Vault's substitution: plain string replacement, no escaping. */
function substitute(query: string, vars: Record<string, string>): string {
  let out = query;
  for (const [k, v] of Object.entries(vars)) out = out.split(`{{${k}}}`).join(v);
  return out;
}

/** Vault's `{{expiration}}` layout, `2006-01-02 15:04:05-0700`, in UTC. */
function vaultExpiration(at: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${at.getUTCFullYear()}-${p(at.getUTCMonth() + 1)}-${p(at.getUTCDate())} ${p(at.getUTCHours())}:${p(
    at.getUTCMinutes(),
  )}:${p(at.getUTCSeconds())}+0000`;
}

let serial = 0;
/** A username and password shaped like Vault's defaults (`v-<display>-<role>-<random>-<unix>`, 20 chars). */
function vaultCredential(role: string): { name: string; password: string } {
  const alnum = (n: number) =>
    [...randomBytes(n)]
      .map((b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[b % 62])
      .join("");
  serial++;
  const unix = Math.floor(Date.now() / 1000) + serial;
  return {
    name: `v-kubernet-${role.slice(0, 8)}-${alnum(20)}-${unix}`.slice(0, 63),
    password: `${alnum(8)}-${alnum(11)}`,
  };
}

describe.skipIf(process.env.SLIPWAY_SKIP_POSTGRES === "1")(
  "dynamic-db statements on a real PostgreSQL",
  () => {
    let pg: TestPostgres;
    // Provisioning exactly as the postgres component ships it: the rendered ConfigMap.
    const provisionCm = rendered
      .objects("k8s/helm/manifests/postgres/")
      .find((o) => o.kind === "ConfigMap") as unknown as { data: Record<string, string> };
    const provisionSql = provisionCm.data["provision.sql"] as string;
    const conn = tf.resource.vault_database_secret_backend_connection;
    /** The database a role's Vault connection logs in to (its connection_url's path). */
    const connectionDb = (role: TfRole) => {
      const id =
        /^\$\{vault_database_secret_backend_connection\.([^.]+)\.name\}$/.exec(role.db_name)?.[1] ?? "";
      return new URL(conn[id].postgresql.connection_url.replace(/\{\{(\w+)\}\}/g, "$1")).pathname.slice(1);
    };

    /** Vault issuing a credential: the role's creation statements, in one transaction, as the superuser. */
    function issue(roleName: string, validFor = 3600) {
      const role = roleOf(roleName);
      const cred = vaultCredential(roleName);
      const vars = { ...cred, expiration: vaultExpiration(new Date(Date.now() + validFor * 1000)) };
      const sql = vaultQueries(role.creation_statements).map((q) => `${substitute(q, vars)};`);
      const r = pg.psql([], {
        database: connectionDb(role),
        input: ["BEGIN;", ...sql, "COMMIT;"].join("\n"),
      });
      expect(r.stderr).not.toMatch(/ERROR/);
      expect(r.status).toBe(0);
      return { ...cred, database: connectionDb(role) };
    }

    /** Vault revoking it: the revocation statements, in one transaction, on the same connection. */
    function revoke(roleName: string, name: string) {
      const role = roleOf(roleName);
      const sql = vaultQueries(role.revocation_statements).map((q) => `${substitute(q, { name })};`);
      return pg.psql([], { database: connectionDb(role), input: ["BEGIN;", ...sql, "COMMIT;"].join("\n") });
    }

    const as = (c: { name: string; password: string }, database: string, sql: string) =>
      pg.psql(["-qtA", "-c", sql], { user: c.name, password: c.password, database });
    const roleCount = () => Number(pg.psql(["-tAc", "select count(*) from pg_roles"]).stdout.trim());

    let baseline = 0;
    beforeAll(async () => {
      expect(
        findPostgresBinDir(),
        "PostgreSQL server binaries (apt-get install -y postgresql)",
      ).toBeDefined();
      pg = await startPostgres();
      const r = pg.psql([], {
        input: provisionSql,
        env: { [passwordEnv({ name: "blog" })]: "blog-static-pw" },
      });
      expect(r.stderr).not.toMatch(/ERROR/);
      expect(r.status).toBe(0);
      baseline = roleCount();
    });
    afterAll(() => pg?.stop());

    let first: ReturnType<typeof issue>;
    let second: ReturnType<typeof issue>;

    it("issues a login that connects to its own database and acts as the owner role", () => {
      first = issue("notes");
      expect(first.database).toBe("notes");
      const who = as(first, "notes", "select current_user || ' ' || session_user");
      expect(who.stdout.trim()).toBe(`notes ${first.name}`);
    });

    it("reads and writes its own tables; what it creates belongs to the owner role", () => {
      const r = as(
        first,
        "notes",
        "create table notes(id int primary key, body text); insert into notes values (1, 'first'); select count(*) from notes",
      );
      expect(r.stderr).toBe("");
      expect(r.stdout.trim()).toBe("1");
      // RESET ROLE returns to the owner role (it is the session default)...
      expect(as(first, "notes", "reset role; select current_user").stdout.trim()).toBe("notes");
      // ...and a session that explicitly drops it still works through inherited privileges...
      const own = as(
        first,
        "notes",
        "set role none; create table scratch(id int); insert into scratch values (7); select count(*) from notes",
      );
      expect(own.stderr).toBe("");
      expect(own.stdout.trim().split("\n").pop()).toBe("1");
      const owners = pg.psql(
        [
          "-tAc",
          "select tablename || ':' || tableowner from pg_tables where schemaname = 'public' order by 1",
        ],
        { database: "notes" },
      );
      // ...but what it creates then is the login's own, until revocation hands it over.
      expect(owners.stdout.trim().split("\n")).toEqual(["notes:notes", `scratch:${first.name}`]);
    });

    it("lets the next login use, migrate and drop tables a previous login created", () => {
      second = issue("notes");
      const r = as(
        second,
        "notes",
        "insert into notes values (2, 'second'); alter table notes add column created timestamptz default now(); create index on notes(body); select count(*) from notes",
      );
      expect(r.stderr).toBe("");
      expect(r.stdout.trim()).toBe("2");
    });

    it("revokes a login that owns objects: they pass to the owner role and the role is gone", () => {
      const r = revoke("notes", first.name);
      expect(r.stderr).not.toMatch(/ERROR/);
      expect(r.status).toBe(0);
      const owner = pg.psql(["-tAc", "select tableowner from pg_tables where tablename = 'scratch'"], {
        database: "notes",
      });
      expect(owner.stdout.trim()).toBe("notes");
      expect(
        pg.psql(["-tAc", `select count(*) from pg_roles where rolname = '${first.name}'`]).stdout.trim(),
      ).toBe("0");
      expect(as(first, "notes", "select 1").status).not.toBe(0);
      // The next login now owns scratch through the owner role, migrations included.
      const use = as(
        second,
        "notes",
        "alter table scratch add column note text; select count(*) from scratch",
      );
      expect(use.stderr).toBe("");
      expect(use.stdout.trim()).toBe("1");
    });

    it("cannot connect to another service's database, dynamic or static", () => {
      for (const db of ["tasks_db", "blog"]) {
        const r = as(second, db, "select 1");
        expect(r.status, db).not.toBe(0);
        expect(r.stderr).toMatch(/permission denied for database|CONNECT privilege/);
      }
      const tasks = issue("tasks");
      expect(tasks.database).toBe("tasks_db");
      expect(as(tasks, "tasks_db", "create table t(id int); select current_user").stdout.trim()).toBe(
        "tasks_db",
      );
      expect(as(tasks, "notes", "select count(*) from notes").status).not.toBe(0);
      expect(revoke("tasks", tasks.name).status).toBe(0);
    });

    it("cannot create roles or databases, nor escalate through the owner role", () => {
      const role = as(second, "notes", "create role intruder login password 'x'");
      expect(role.status).not.toBe(0);
      expect(role.stderr).toMatch(/permission denied to create role/);
      const db = as(second, "notes", "create database other");
      expect(db.status).not.toBe(0);
      expect(db.stderr).toMatch(/permission denied to create database/);
      const attrs = pg.psql([
        "-tAc",
        `select rolsuper || ',' || rolcreaterole || ',' || rolcreatedb || ',' || rolreplication || ',' || rolbypassrls from pg_roles where rolname in ('${second.name}', 'notes')`,
      ]);
      expect(attrs.stdout.trim().split("\n")).toEqual([
        "false,false,false,false,false",
        "false,false,false,false,false",
      ]);
    });

    it("stops working after its expiration (VALID UNTIL)", async () => {
      const short = issue("notes", 2);
      expect(as(short, "notes", "select 1").status).toBe(0);
      await new Promise((r) => setTimeout(r, 3500));
      const late = as(short, "notes", "select 1");
      expect(late.status).not.toBe(0);
      expect(late.stderr).toMatch(/password authentication failed/);
      expect(revoke("notes", short.name).status).toBe(0);
    });

    it("ends a revoked login's open sessions", async () => {
      const held = issue("notes");
      const child = spawn(join(pg.binDir, "psql"), ["--no-psqlrc", "-X", "-c", "select pg_sleep(30)"], {
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          PGHOST: pg.host,
          PGPORT: String(pg.port),
          PGUSER: held.name,
          PGPASSWORD: held.password,
          PGDATABASE: "notes",
        },
      });
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      const active = () =>
        pg
          .psql(["-tAc", `select count(*) from pg_stat_activity where usename = '${held.name}'`])
          .stdout.trim();
      for (let i = 0; i < 50 && active() !== "1"; i++) await new Promise((r) => setTimeout(r, 100));
      expect(active()).toBe("1");
      const started = Date.now();
      expect(revoke("notes", held.name).status).toBe(0);
      expect(await exited).not.toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it("cannot reach the server's `postgres` database (the provisioning SQL revokes PUBLIC's CONNECT)", () => {
      // From `postgres` a member of the owner role could DROP its own database.
      const r = as(second, "postgres", "select 1");
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/permission denied for database|CONNECT privilege/);
      expect(as(second, "notes", "select count(*) from notes").stdout.trim()).toBe("2");
    });

    it("leaves no role behind: pg_roles is back to the baseline", () => {
      expect(revoke("notes", second.name).status).toBe(0);
      expect(roleCount()).toBe(baseline);
      // The data written by the revoked logins stays, owned by the owner role.
      expect(pg.psql(["-tAc", "select count(*) from notes"], { database: "notes" }).stdout.trim()).toBe("2");
    });
  },
);
