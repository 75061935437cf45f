import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  databaseSecretPath,
  POSTGRES_ADMIN_SECRET,
  quoteIdent,
  quoteLiteral,
} from "../../src/components/postgres/contract.js";
import { ownerSecretName } from "../../src/components/postgres/index.js";
import { passwordEnv, provisioningSql } from "../../src/components/postgres/sql.js";
import { InputError } from "../../src/diagnostics.js";
import type { K8sObject } from "../../src/render/k8s.js";
import type { DatabaseDecl } from "../../src/render/plan.js";
import { declaring, expectStrictlyValid, renderComponents } from "../helpers/component-fixture.js";
import { findPostgresBinDir, startPostgres, type TestPostgres } from "../helpers/postgres.js";

const blog: DatabaseDecl = { name: "blog", owner: "blog", consumer: "service:blog", dynamic: false };
const shop: DatabaseDecl = { name: "shop_db", owner: "shop", consumer: "service:shop", dynamic: false };
const events: DatabaseDecl = {
  name: "events",
  owner: "events_owner",
  consumer: "service:events",
  dynamic: true,
};

type Pod = {
  spec: { containers: { env: { name: string; value?: string; valueFrom?: unknown }[]; image: string }[] };
};
const byKind = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind);

describe("postgres component: in-cluster", () => {
  const tree = renderComponents({ postgres: { mode: "in-cluster", version: "17.6", storageSize: "20Gi" } }, [
    declaring({ databases: [blog, shop, events] }),
  ]);
  const objs = tree.objects("k8s/helm/manifests/postgres/");

  it("runs one pinned, non-root StatefulSet with a claim template on the platform storage class", () => {
    const [sts] = byKind(objs, "StatefulSet") as [K8sObject & { spec: any }];
    expect(sts.metadata.namespace).toBe("database");
    const pod = sts.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999, fsGroup: 999 });
    expect(pod.containers[0].image).toBe("docker.io/library/postgres:17.6");
    expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    expect(pod.containers[0].readinessProbe.exec.command[0]).toBe("pg_isready");
    expect(pod.containers[0].resources.limits.memory).toBeDefined();
    expect(sts.spec.volumeClaimTemplates[0].spec).toMatchObject({
      storageClassName: "local-path",
      resources: { requests: { storage: "20Gi" } },
    });
    expect(sts.spec.serviceName).toBe("postgres-headless");
  });

  it("exposes ClusterIP and headless Services named for the endpoint contract", () => {
    const services = byKind(objs, "Service") as (K8sObject & { spec: any })[];
    expect(services.map((s) => s.metadata.name).sort()).toEqual(["postgres", "postgres-headless"]);
    expect(services.find((s) => s.metadata.name === "postgres-headless")?.spec.clusterIP).toBe("None");
  });

  it("takes the superuser from Vault postgres/admin and each static owner from postgres/<db>", () => {
    const es = byKind(objs, "ExternalSecret") as (K8sObject & { spec: any })[];
    const keys = Object.fromEntries(es.map((e) => [e.metadata.name, e.spec.data[0].remoteRef.key]));
    expect(keys).toEqual({
      [POSTGRES_ADMIN_SECRET]: "postgres/admin",
      [ownerSecretName(blog)]: databaseSecretPath("blog"),
      [ownerSecretName(shop)]: databaseSecretPath("shop_db"),
    });
    for (const e of es)
      expect(e.spec.secretStoreRef).toEqual({ kind: "ClusterSecretStore", name: "vault-backend" });
    expect(byKind(objs, "Secret")).toEqual([]);
  });

  it("renders a Job named after a hash of the SQL, reading passwords only from Secrets", () => {
    const [job] = byKind(objs, "Job") as [K8sObject & { spec: { template: Pod } }];
    const [cm] = byKind(objs, "ConfigMap") as [K8sObject & { data: Record<string, string> }];
    expect(job.metadata.name).toMatch(/^postgres-provision-[0-9a-f]{10}$/);
    expect(cm.metadata.name).toBe(job.metadata.name);
    expect(cm.data["provision.sql"]).toBe(provisioningSql([blog, shop, events]));
    expect(job.metadata.annotations?.["argocd.argoproj.io/sync-wave"]).toBe("1");
    const env = job.spec.template.spec.containers[0]?.env ?? [];
    expect(env.find((e) => e.name === "PGHOST")?.value).toBe("postgres.database.svc.cluster.local");
    for (const e of env.filter((x) => /PASSWORD/.test(x.name))) {
      expect(e.value).toBeUndefined();
      expect(e.valueFrom).toHaveProperty("secretKeyRef");
    }
    expect(env.map((e) => e.name)).toContain(passwordEnv(blog));
    expect(env.map((e) => e.name)).not.toContain(passwordEnv(events));
  });

  it("names the Job by the hash its contract defines (the SQL is hashed in pieces, same bytes)", () => {
    const [job] = byKind(objs, "Job") as [K8sObject & { spec: { template: Pod } }];
    const image = job.spec.template.spec.containers[0]?.image;
    const hash = createHash("sha256")
      .update(
        JSON.stringify({
          sql: provisioningSql([blog, shop, events]),
          image,
          host: "postgres.database.svc.cluster.local",
          port: 5432,
          statics: ["blog", "shop_db"],
        }),
      )
      .digest("hex");
    expect(job.metadata.name).toBe(`postgres-provision-${hash.slice(0, 10)}`);
  });

  it("a changed database list renders a new Job name", () => {
    const other = renderComponents({ postgres: {} }, [declaring({ databases: [blog] })]);
    const a = byKind(objs, "Job")[0]?.metadata.name;
    const b = byKind(other.objects("k8s/helm/manifests/postgres/"), "Job")[0]?.metadata.name;
    expect(a).not.toBe(b);
  });

  it("validates against the strict core schemas and the ExternalSecret CRD", () => {
    expectStrictlyValid(objs);
  });
});

describe("postgres component: external", () => {
  it("renders only provisioning against the external host", () => {
    const tree = renderComponents({ postgres: { mode: "external", host: "db.lan", port: 5433 } }, [
      declaring({ databases: [blog] }),
    ]);
    const objs = tree.objects("k8s/helm/manifests/postgres/");
    expect(objs.map((o) => o.kind).sort()).toEqual(["ConfigMap", "ExternalSecret", "ExternalSecret", "Job"]);
    const [job] = byKind(objs, "Job") as [K8sObject & { spec: { template: Pod } }];
    const env = job.spec.template.spec.containers[0]?.env ?? [];
    expect(env.find((e) => e.name === "PGHOST")?.value).toBe("db.lan");
    expect(env.find((e) => e.name === "PGPORT")?.value).toBe("5433");
  });

  it("requires a host", () => {
    try {
      renderComponents({ postgres: { mode: "external" } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).diagnostics.map((d) => [d.code, d.path])).toEqual([
        ["SW_POSTGRES_HOST_REQUIRED", ["spec", "components", "postgres", "host"]],
      ]);
    }
  });

  it("refuses two consumers of one database", () => {
    const dup = { ...blog, consumer: "service:other" };
    expect(() => renderComponents({ postgres: {} }, [declaring({ databases: [blog, dup] })])).toThrow(
      expect.objectContaining({
        diagnostics: [expect.objectContaining({ code: "SW_POSTGRES_DUPLICATE_DATABASE" })],
      }),
    );
  });
});

describe("SQL quoting", () => {
  it("quotes identifiers and literals", () => {
    expect(quoteIdent('we"ird')).toBe('"we""ird"');
    expect(quoteLiteral("it's")).toBe("'it''s'");
  });
});

// The provisioning SQL against a real server: idempotent, owners reach only their own database.
// Needs the server binaries (CI: `apt-get install -y postgresql`); missing binaries fail the
// suite unless SLIPWAY_SKIP_POSTGRES=1 says so explicitly.
describe.skipIf(process.env.SLIPWAY_SKIP_POSTGRES === "1")("provisioning SQL on a real PostgreSQL", () => {
  let pg: TestPostgres;
  const passwords = { blog: "blog-pw-1", shop: "shop pw 'quoted'" };
  const env = { [passwordEnv(blog)]: passwords.blog, [passwordEnv(shop)]: passwords.shop };
  const sql = provisioningSql([blog, shop, events]);

  beforeAll(async () => {
    expect(findPostgresBinDir(), "PostgreSQL server binaries (apt-get install -y postgresql)").toBeDefined();
    pg = await startPostgres();
  });
  afterAll(() => pg?.stop());

  const connects = (user: string, password: string, database: string) =>
    pg.psql(["-tAc", "select current_user"], { user, password, database });

  it("runs twice without error", () => {
    for (let i = 0; i < 2; i++) {
      const r = pg.psql([], { input: sql, env });
      expect(r.stderr).not.toMatch(/ERROR/);
      expect(r.status).toBe(0);
    }
    const dbs = pg.psql([
      "-tAc",
      "select datname from pg_database where datname in ('blog','shop_db','events') order by 1",
    ]);
    expect(dbs.stdout.trim().split("\n")).toEqual(["blog", "events", "shop_db"]);
  });

  it("fails, rather than set an empty password, when a password is missing", () => {
    const r = pg.psql([], { input: sql, env: { [passwordEnv(blog)]: passwords.blog } });
    expect(r.status).not.toBe(0);
  });

  it("lets each owner connect to its own database only", () => {
    expect(connects("blog", passwords.blog, "blog").stdout.trim()).toBe("blog");
    expect(connects("shop", passwords.shop, "shop_db").stdout.trim()).toBe("shop");
    expect(connects("blog", passwords.blog, "shop_db").status).not.toBe(0);
    expect(connects("shop", passwords.shop, "blog").status).not.toBe(0);
    expect(connects("blog", "wrong", "blog").status).not.toBe(0);
  });

  it("gives owners their database and no superpowers; dynamic owners cannot log in", () => {
    const owners = pg.psql([
      "-tAc",
      "select d.datname || ':' || r.rolname || ':' || r.rolsuper || r.rolcreatedb || r.rolcreaterole || ':' || r.rolcanlogin from pg_database d join pg_roles r on r.oid = d.datdba where d.datname in ('blog','shop_db','events') order by 1",
    ]);
    expect(owners.stdout.trim().split("\n")).toEqual([
      "blog:blog:falsefalsefalse:true",
      "events:events_owner:falsefalsefalse:false",
      "shop_db:shop:falsefalsefalse:true",
    ]);
  });

  it("keeps PUBLIC out: a new login role cannot connect to any provisioned database", () => {
    expect(pg.psql(["-c", "CREATE ROLE intruder LOGIN PASSWORD 'intruder-pw'"]).status).toBe(0);
    for (const db of ["blog", "shop_db", "events"]) {
      const r = connects("intruder", "intruder-pw", db);
      expect(r.status, db).not.toBe(0);
      expect(r.stderr).toMatch(/permission denied|CONNECT privilege/);
    }
    // The maintenance databases are closed too: from `postgres` an owner could DROP its database.
    for (const db of ["postgres", "template1"]) {
      const r = connects("intruder", "intruder-pw", db);
      expect(r.status, db).not.toBe(0);
      expect(r.stderr).toMatch(/permission denied|CONNECT privilege/);
    }
  });

  it("an owner can create objects in its own database", () => {
    const r = pg.psql(["-c", "create table notes(id int primary key); insert into notes values (1)"], {
      user: "blog",
      password: passwords.blog,
      database: "blog",
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
