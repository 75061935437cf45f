import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_TF_PATH } from "../../src/components/dynamic-db/terraform.js";
import { passwordEnv } from "../../src/components/postgres/sql.js";
import { VAULT_TERRAFORM_DIR } from "../../src/components/vault/contract.js";
import { renderFile } from "../helpers/component-fixture.js";
import { startPostgres, type TestPostgres } from "../helpers/postgres.js";
import { startVault, type TestVault } from "../helpers/vault.js";
import { type Attrs, TerraformStandIn, TfError, type TfJson } from "../helpers/vault-terraform.js";

/**
 * The example platform's rendered `vault/terraform` roots applied to a real Vault (`vault server
 * -dev`, built from its Go module by `tools/build.sh vault`) in front of a real PostgreSQL, then used
 * the way a service uses them: read `database/creds/<service>` with the service's policy, log in with
 * what Vault returns, work in the database, revoke the lease, and see the login gone. The Terraform
 * provider cannot be built here, so {@link TerraformStandIn} sends what it would send (see there for
 * what that does not cover).
 */

const config = join(import.meta.dirname, "../../../../examples/homelab/platform.yaml");
const rendered = renderFile(config);
const roots: Record<string, TfJson> = Object.fromEntries(
  rendered.fileList
    .filter((f) => f.path.startsWith(`${VAULT_TERRAFORM_DIR}/`) && f.path.endsWith(".tf.json"))
    .map((f) => [f.path, JSON.parse(f.content) as TfJson]),
);
const provisionSql = (
  rendered.objects("k8s/helm/manifests/postgres/").find((o) => o.kind === "ConfigMap") as unknown as {
    data: Record<string, string>;
  }
).data["provision.sql"] as string;
const dynamicDbs = rendered.session.plan.databases.filter((d) => d.dynamic);

/** The one value the stand-in changes: the in-cluster PostgreSQL address becomes the test server's. */
function toTestServer(pg: TestPostgres) {
  return (address: string, attrs: Attrs): Attrs => {
    if (!address.startsWith("vault_database_secret_backend_connection.")) return attrs;
    const url: string = attrs.postgresql.connection_url;
    const m = /^(postgresql:\/\/\{\{username\}\}:\{\{password\}\}@)([^/:]+):(\d+)(\/.*)$/.exec(url);
    if (!m) throw new Error(`${address}: unexpected connection_url ${url}`);
    return {
      ...attrs,
      postgresql: { ...attrs.postgresql, connection_url: `${m[1]}${pg.host}:${pg.port}${m[4]}` },
    };
  };
}

/** Not applied: Terraform expressions the stand-in does not evaluate. */
const SKIP = {
  "vault_kv_secret_v2.pki_root_ca":
    "data_json is jsonencode({ certificate = … }): a copy of the root certificate into KV for cert-manager",
};

describe("vault/terraform of examples/homelab on a real Vault and PostgreSQL", () => {
  let pg: TestPostgres;
  let vault: TestVault;
  let tf: TerraformStandIn;

  beforeAll(async () => {
    [pg, vault] = await Promise.all([startPostgres(), startVault()]);
    // The postgres component's provisioning, as its Job runs it: databases and NOLOGIN owner roles.
    const env = Object.fromEntries(
      rendered.session.plan.databases.filter((d) => !d.dynamic).map((d) => [passwordEnv(d), `pw-${d.name}`]),
    );
    const r = pg.psql([], { input: provisionSql, env });
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.status).toBe(0);
    tf = new TerraformStandIn(vault, { rewrite: toTestServer(pg), skip: SKIP });
  }, 60_000);
  afterAll(async () => {
    await vault?.stop();
    pg?.stop();
  });

  /** A token holding only `policies`, as a Kubernetes auth login for such a role would get. */
  async function tokenWith(policies: string[]): Promise<string> {
    const res = await vault.request("POST", "auth/token/create", {
      policies,
      no_default_policy: true,
      ttl: "10m",
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.auth.client_token as string;
  }

  it("applies the baseline roots (mounts, Kubernetes auth, policies, roles, PKI) before the database", async () => {
    // The runbook's order: baseline apply, then the operator fills kv/postgres/admin, then the rest.
    const before = await tf.apply(roots, (file) => file !== DATABASE_TF_PATH);
    expect(before).toContain("vault_mount.kv");
    expect(before).toContain("vault_policy.db-notes");
    expect(before).toContain("vault_kubernetes_auth_backend_role.db-notes");
    expect(before).toContain("vault_pki_secret_backend_role.cert-manager");
    const mounts = await vault.request("GET", "sys/mounts");
    expect(mounts.body.data["kv/"]).toMatchObject({ type: "kv", options: { version: "2" } });
    expect(mounts.body.data["pki_int/"]).toMatchObject({ type: "pki", config: { max_lease_ttl: 157680000 } });
  });

  it("refuses the database root until kv/postgres/admin exists (the ephemeral read fails)", async () => {
    const err = await tf.apply(roots).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TfError);
    expect((err as TfError).response?.status).toBe(404);
  });

  it("applies database.tf.json: Vault logs in to PostgreSQL with the superuser from KV (verify_connection)", async () => {
    const kv = await vault.request("POST", "kv/data/postgres/admin", {
      data: { username: pg.superuser, password: pg.superuserPassword },
    });
    expect(kv.status).toBe(200);
    const applied = await tf.apply(roots);
    expect(applied).toEqual([
      "vault_mount.database",
      ...dynamicDbs.map((d) => `vault_database_secret_backend_connection.${d.name}`),
      ...dynamicDbs.map((d) => `vault_database_secret_backend_role.${d.name}`),
    ]);
    const conn = await vault.request("GET", "database/config/notes");
    expect(conn.body.data).toMatchObject({
      plugin_name: "postgresql-database-plugin",
      allowed_roles: ["notes"],
      verify_connection: true,
      connection_details: {
        connection_url: `postgresql://{{username}}:{{password}}@127.0.0.1:${pg.port}/notes`,
        username: "postgres",
        max_open_connections: 2,
        max_idle_connections: 1,
        max_connection_lifetime: "300s",
      },
    });
    expect(JSON.stringify(conn.body)).not.toContain(pg.superuserPassword);
  });

  it("stores every rendered policy as Vault parsed it, and every Kubernetes auth role with its policy", async () => {
    for (const [address, attrs] of tf.state) {
      if (!address.startsWith("vault_policy.")) continue;
      const res = await vault.request("GET", `sys/policies/acl/${attrs.name}`);
      expect(res.status, address).toBe(200);
      expect(res.body.data.policy).toBe(attrs.policy);
    }
    const role = await vault.request("GET", "auth/kubernetes/role/db-notes");
    expect(role.body.data).toMatchObject({
      audience: "vault",
      bound_service_account_names: ["notes"],
      bound_service_account_namespaces: ["notes"],
      token_policies: ["db-notes"],
      token_ttl: 600,
    });
  });

  /** A token as a login through the service's store role would get: exactly the role's policies. */
  async function storeToken(service: string): Promise<string> {
    const role = await vault.request("GET", `auth/kubernetes/role/kv-${service}`);
    expect(role.status, JSON.stringify(role.body)).toBe(200);
    expect(role.body.data).toMatchObject({
      audience: "vault",
      bound_service_account_names: [service],
      bound_service_account_namespaces: [service],
    });
    return tokenWith(role.body.data.token_policies as string[]);
  }

  it("gives each service's SecretStore role its own KV paths and nothing of another service's or the platform's", async () => {
    const put = async (path: string, data: Record<string, string>) =>
      expect((await vault.request("POST", `kv/data/${path}`, { data })).status).toBe(200);
    await put("services/notes/session", { key: "notes-own" });
    await put("services/status-api/upstream", { token: "status-own" });
    await put("identity/clients/notes", { client_id: "notes", client_secret: "oidc-notes" });
    await put("identity/admin", { key: "zitadel-admin" });
    await put("scaffold/git", { token: "scaffold-git" });
    const notes = await storeToken("notes");
    const status = await storeToken("status-api");
    const read = async (token: string, path: string) =>
      (await vault.request("GET", path, undefined, token)).status;

    // Its own: the services/<name>/ prefix (and listing it), and its OIDC client (notes has auth: oidc).
    expect(await read(status, "kv/data/services/status-api/upstream")).toBe(200);
    expect(await read(status, "kv/metadata/services/status-api/upstream")).toBe(200);
    expect((await vault.request("LIST", "kv/metadata/services/status-api/", undefined, status)).status).toBe(
      200,
    );
    expect(await read(notes, "kv/data/services/notes/session")).toBe(200);
    expect(await read(notes, "kv/data/identity/clients/notes")).toBe(200);
    // Another service's.
    expect(await read(status, "kv/data/services/notes/session")).toBe(403);
    expect(await read(notes, "kv/data/services/status-api/upstream")).toBe(403);
    expect(await read(status, "kv/data/identity/clients/notes")).toBe(403);
    expect((await vault.request("LIST", "kv/metadata/services/", undefined, notes)).status).toBe(403);
    // The platform's: the PostgreSQL superuser, the identity provider's admin, the scaffold's Git token.
    for (const token of [notes, status]) {
      expect(await read(token, "kv/data/postgres/admin")).toBe(403);
      expect(await read(token, "kv/data/identity/admin")).toBe(403);
      expect(await read(token, "kv/data/scaffold/git")).toBe(403);
      expect(
        (await vault.request("POST", "kv/data/services/notes/session", { data: { x: "y" } }, token)).status,
      ).toBe(403);
    }
  });

  let cred: { username: string; password: string };
  let leaseId = "";

  it("issues a credential to a token holding only db-notes, and nothing else", async () => {
    const token = await tokenWith(["db-notes"]);
    const res = await vault.request("GET", "database/creds/notes", undefined, token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.lease_duration).toBe(86400);
    expect(res.body.renewable).toBe(true);
    cred = res.body.data;
    leaseId = res.body.lease_id as string;
    expect(leaseId).toMatch(/^database\/creds\/notes\//);
    expect(cred.username).toMatch(/^v-token-notes-/);
    // The policy is exactly database/creds/notes: read.
    expect((await vault.request("GET", "kv/data/postgres/admin", undefined, token)).status).toBe(403);
    expect((await vault.request("GET", "database/config/notes", undefined, token)).status).toBe(403);
    expect((await vault.request("POST", "database/creds/notes", {}, token)).status).toBe(403);
  });

  it("logs in with it and works in its database as the owner role (GRANT + SET role)", () => {
    const as = (sql: string) =>
      pg.psql(["-qtA", "-c", sql], { user: cred.username, password: cred.password, database: "notes" });
    const r = as(
      "create table live(id int); insert into live values (1); select current_user || ' ' || session_user",
    );
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe(`notes ${cred.username}`);
    const owner = pg.psql(["-tAc", "select tableowner from pg_tables where tablename = 'live'"], {
      database: "notes",
    });
    expect(owner.stdout.trim()).toBe("notes");
  });

  it("revokes the lease: Vault's revocation statements drop the login", async () => {
    const res = await vault.request("PUT", "sys/leases/revoke", { lease_id: leaseId });
    expect(res.status, JSON.stringify(res.body)).toBe(204);
    const login = pg.psql(["-tAc", "select 1"], {
      user: cred.username,
      password: cred.password,
      database: "notes",
    });
    expect(login.status).not.toBe(0);
    expect(login.stderr).toMatch(/password authentication failed/);
    const roles = pg.psql(["-tAc", `select count(*) from pg_roles where rolname = '${cred.username}'`]);
    expect(roles.stdout.trim()).toBe("0");
    // The table it created stays, owned by the owner role.
    expect(pg.psql(["-tAc", "select count(*) from live"], { database: "notes" }).stdout.trim()).toBe("1");
  });

  it("fails, applying nothing, on a role whose db_name names a connection that is not declared", async () => {
    const broken = structuredClone(roots);
    const db = broken[DATABASE_TF_PATH] as { resource: Record<string, Record<string, Attrs>> };
    const roles = db.resource.vault_database_secret_backend_role as Record<string, Attrs>;
    roles.stray = {
      ...roles.notes,
      name: "stray",
      db_name: "${vault_database_secret_backend_connection.nots.name}",
    };
    const err = await tf.apply(broken).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TfError);
    // Failed on the undeclared address the role depends on, before anything was sent.
    expect((err as TfError).address).toBe("vault_database_secret_backend_connection.nots");
    expect((err as TfError).response).toBeUndefined();
    expect((err as TfError).message).toMatch(/vault_database_secret_backend_connection\.nots/);
    expect((await vault.request("GET", "database/roles/stray")).status).toBe(404);
  });

  it("signs a certificate for an allowed name through cert-manager's policy, and refuses another domain", async () => {
    const token = await tokenWith(["cert-manager"]);
    const dir = mkdtempSync(join(tmpdir(), "slipway-csr-"));
    const csr = (cn: string) => {
      const r = spawnSync(
        "openssl",
        ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"].concat([
          "-keyout",
          join(dir, "key.pem"),
          "-subj",
          `/CN=${cn}`,
        ]),
        { encoding: "utf8" },
      );
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    try {
      const ok = await vault.request(
        "POST",
        "pki_int/sign/cert-manager",
        { csr: csr("notes.notes.svc.cluster.local"), common_name: "notes.notes.svc.cluster.local" },
        token,
      );
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      const leaf = new X509Certificate(ok.body.data.certificate);
      const intermediate = new X509Certificate(ok.body.data.issuing_ca);
      const root = new X509Certificate(tf.state.get("vault_pki_secret_backend_root_cert.root")?.certificate);
      expect(leaf.checkIssued(intermediate) && leaf.verify(intermediate.publicKey)).toBe(true);
      expect(intermediate.checkIssued(root) && intermediate.verify(root.publicKey)).toBe(true);
      expect(intermediate.subject).toContain("CN=meirong.dev Intermediate CA");

      const other = await vault.request(
        "POST",
        "pki_int/sign/cert-manager",
        { csr: csr("evil.example.com"), common_name: "evil.example.com" },
        token,
      );
      expect(other.status).toBe(400);
      expect(other.body.errors?.join(" ")).toMatch(/not allowed by this role/);
      // The root signs only through the root mount, which cert-manager's policy does not reach.
      const viaRoot = await vault.request(
        "POST",
        "pki/root/sign-intermediate",
        { csr: csr("x.meirong.dev") },
        token,
      );
      expect(viaRoot.status).toBe(403);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("signs a SPIFFE identity only through the mesh role (istio-csr's Issuer), never the platform Issuer's", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slipway-csr-"));
    try {
      // A mesh CSR as istio-agent/ztunnel sends it: no subject, the identity as a URI SAN.
      const spiffe = "spiffe://cluster.local/ns/notes/sa/notes";
      const r = spawnSync(
        "openssl",
        ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"].concat([
          "-keyout",
          join(dir, "key.pem"),
          "-subj",
          "/",
          "-addext",
          `subjectAltName=URI:${spiffe}`,
        ]),
        { encoding: "utf8" },
      );
      expect(r.status, r.stderr).toBe(0);
      const platform = await tokenWith(["cert-manager"]);
      const mesh = await tokenWith(["cert-manager-mesh"]);
      // The platform role has no URI SANs: a namespace that reached it could not mint a mesh identity.
      const refused = await vault.request(
        "POST",
        "pki_int/sign/cert-manager",
        { csr: r.stdout, uri_sans: spiffe },
        platform,
      );
      expect(refused.status).toBe(400);
      expect(refused.body.errors?.join(" ")).toMatch(/URI Subject Alternative Names|not allowed/);
      const signed = await vault.request(
        "POST",
        "pki_int/sign/mesh",
        { csr: r.stdout, uri_sans: spiffe },
        mesh,
      );
      expect(signed.status, JSON.stringify(signed.body)).toBe(200);
      expect(new X509Certificate(signed.body.data.certificate).subjectAltName).toBe(`URI:${spiffe}`);
      // Each policy signs through its own role only.
      expect((await vault.request("POST", "pki_int/sign/mesh", { csr: r.stdout }, platform)).status).toBe(
        403,
      );
      expect((await vault.request("POST", "pki_int/sign/cert-manager", { csr: r.stdout }, mesh)).status).toBe(
        403,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
