import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { generateKeyPairSync, sign } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VAULT_SNAPSHOT_ROLE, VAULT_SNAPSHOT_SERVICE_ACCOUNT } from "../../src/components/backups/index.js";
import { POSTGRES_DUMP_SCRIPT, VAULT_SNAPSHOT_SCRIPT } from "../../src/components/backups/scripts.js";
import { VAULT } from "../../src/components/vault/contract.js";
import { renderComponents } from "../helpers/component-fixture.js";
import { freePort, sleep } from "../helpers/net.js";
import { startPostgres, type TestPostgres } from "../helpers/postgres.js";
import { tool } from "../helpers/tools.js";

/**
 * The backup CronJobs' scripts, exactly as rendered, against the real servers: pg_dump/pg_dumpall
 * of a real PostgreSQL restored into a second one as docs/runbooks/restore.md says; a Vault raft
 * snapshot taken by a login with only the rendered policy, restored into a fresh Vault.
 */

/** Runs a CronJob's script with `sh -c`, as the container does, with only the given environment. */
function runScript(script: string, env: Record<string, string>): { status: number | null; out: string } {
  const r = spawnSync("/bin/sh", ["-c", script], { encoding: "utf8", env });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** The rendered objects of one backups Application, by kind. */
function rendered(app: string) {
  const { files, read } = renderComponents({});
  const paths = [...files.keys()].filter((p) => p.startsWith(`k8s/helm/manifests/${app}/`));
  return paths.map((p) => read<any>(p));
}

describe("pg_dump CronJob against a real PostgreSQL", () => {
  let pg: TestPostgres;
  let restored: TestPostgres;
  let dir: string;
  beforeAll(async () => {
    pg = await startPostgres();
    restored = await startPostgres();
    dir = mkdtempSync(join(tmpdir(), "slipway-pgdump-"));
    // A database as the postgres component provisions one: an owner role with a password.
    const setup = [
      "CREATE ROLE blog_owner LOGIN PASSWORD 'owner-secret'",
      "CREATE DATABASE blog OWNER blog_owner",
      "CREATE DATABASE notes",
    ];
    for (const sql of setup) expect(pg.psql(["-c", sql]).stderr).toBe("");
    const rows = pg.psql(
      [
        "-c",
        "CREATE TABLE posts (id int PRIMARY KEY, title text); INSERT INTO posts VALUES (1, 'hello'), (2, 'world')",
      ],
      { user: "blog_owner", password: "owner-secret", database: "blog" },
    );
    expect(rows.status, rows.stderr).toBe(0);
  }, 120_000);
  afterAll(() => {
    pg?.stop();
    restored?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("runs the rendered script: roles and every database, the newest KEEP kept", async () => {
    const cron = rendered("backups-postgres").find((o) => o.kind === "CronJob");
    const container = cron.spec.jobTemplate.spec.template.spec.containers[0];
    expect(container.command).toEqual(["/bin/sh", "-c", POSTGRES_DUMP_SCRIPT]);
    const env = {
      PATH: `${pg.binDir}:/usr/bin:/bin`,
      BACKUP_DIR: dir,
      KEEP: "2",
      HOME: dir,
      PGHOST: pg.host,
      PGPORT: String(pg.port),
      PGDATABASE: "postgres",
      PGUSER: pg.superuser,
      PGPASSWORD: pg.superuserPassword,
    };
    // The same variables the container gets, apart from where the server is and the directory.
    expect(container.env.map((e: { name: string }) => e.name).sort()).toEqual(
      [
        "BACKUP_DIR",
        "HOME",
        "KEEP",
        "PGCONNECT_TIMEOUT",
        "PGDATABASE",
        "PGHOST",
        "PGPASSWORD",
        "PGPORT",
        "PGUSER",
      ].sort(),
    );
    for (let i = 0; i < 3; i++) {
      if (i > 0) await sleep(1100); // backups are named by the second
      const r = runScript(POSTGRES_DUMP_SCRIPT, env);
      expect(r.status, r.out).toBe(0);
    }
    const backups = readdirSync(dir).sort();
    expect(backups).toHaveLength(2);
    for (const b of backups) expect(b).toMatch(/^postgres-\d{8}T\d{6}Z$/);
    const newest = join(dir, backups[1] as string);
    expect(readdirSync(newest).sort()).toEqual(["blog.dump", "globals.sql", "notes.dump", "postgres.dump"]);
  }, 60_000);

  it("a wrong password fails the Job and leaves no backup behind", () => {
    const empty = mkdtempSync(join(tmpdir(), "slipway-pgdump-bad-"));
    try {
      const r = runScript(POSTGRES_DUMP_SCRIPT, {
        PATH: `${pg.binDir}:/usr/bin:/bin`,
        BACKUP_DIR: empty,
        KEEP: "2",
        HOME: empty,
        PGHOST: pg.host,
        PGPORT: String(pg.port),
        PGDATABASE: "postgres",
        PGUSER: pg.superuser,
        PGPASSWORD: "wrong",
      });
      expect(r.status).not.toBe(0);
      expect(readdirSync(empty).filter((f) => !f.endsWith(".partial"))).toEqual([]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("restores as the runbook says: globals with psql, each database with pg_restore --create", () => {
    const newest = join(dir, readdirSync(dir).sort().at(-1) as string);
    const env = {
      PATH: `${restored.binDir}:/usr/bin:/bin`,
      PGHOST: restored.host,
      PGPORT: String(restored.port),
      PGUSER: restored.superuser,
      PGPASSWORD: restored.superuserPassword,
      PGDATABASE: "postgres",
    };
    // docs/runbooks/restore.md, PostgreSQL steps 3 and 4 (the superuser already exists: one error, ignored).
    const globals = spawnSync("psql", ["--no-psqlrc", "--file", join(newest, "globals.sql")], {
      encoding: "utf8",
      env,
    });
    expect(globals.status, globals.stderr).toBe(0);
    expect(globals.stderr).toMatch(/role "postgres" already exists/);
    // globals.sql gave every role its backed-up password hash, the superuser's too: from here on
    // it is the password of the backup (kv/postgres/admin when it was taken).
    const after = { ...env, PGPASSWORD: pg.superuserPassword };
    for (const db of ["blog", "notes"]) {
      const r = spawnSync("pg_restore", ["--create", "--dbname=postgres", join(newest, `${db}.dump`)], {
        encoding: "utf8",
        env: after,
      });
      expect(r.status, r.stderr).toBe(0);
    }
    // The owner logs in with its old password (the role's hash came back) and finds its rows.
    expect(restored.psql(["-c", "SELECT 1"]).status).not.toBe(0);
    const rows = restored.psql(["-At", "-c", "SELECT id, title FROM posts ORDER BY id"], {
      user: "blog_owner",
      password: "owner-secret",
      database: "blog",
    });
    expect(rows.status, rows.stderr).toBe(0);
    expect(rows.stdout.trim().split("\n")).toEqual(["1|hello", "2|world"]);
    const owner = restored.psql(
      ["-At", "-c", "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'blog'"],
      { password: pg.superuserPassword },
    );
    expect(owner.stdout.trim()).toBe("blog_owner");
  });
});

/** A Vault server on raft storage (the platform's: vault-helm HA with raft), initialised and unsealed. */
interface RaftVault {
  readonly addr: string;
  readonly rootToken: string;
  readonly unsealKey: string;
  request(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

async function startRaftVault(root: string, name: string, nodeId = name): Promise<RaftVault> {
  const dir = join(root, name);
  mkdirSync(join(dir, "data"), { recursive: true });
  const port = await freePort();
  const clusterPort = await freePort();
  const addr = `http://127.0.0.1:${port}`;
  writeFileSync(
    join(dir, "vault.hcl"),
    `disable_mlock = true
api_addr = "${addr}"
cluster_addr = "http://127.0.0.1:${clusterPort}"
listener "tcp" {
  address = "127.0.0.1:${port}"
  cluster_address = "127.0.0.1:${clusterPort}"
  tls_disable = 1
}
storage "raft" {
  path = "${join(dir, "data")}"
  node_id = "${nodeId}"
}
`,
  );
  let output = "";
  const child: ChildProcess = spawn(tool("vault"), ["server", `-config=${join(dir, "vault.hcl")}`], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, CHECKPOINT_DISABLE: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const request: RaftVault["request"] = async (method, path, body, token) => {
    const res = await fetch(`${addr}/v1/${path}`, {
      method,
      headers: { ...(token ? { "X-Vault-Token": token } : {}), "Content-Type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === "" ? {} : JSON.parse(text) };
  };
  const stop = async () => {
    child.kill("SIGTERM");
    await exited;
  };
  const until = async (what: string, ok: () => Promise<boolean>) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        if (await ok()) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`vault ${name}: ${what} within 30 s:\n${output}`);
      }
      await sleep(200);
    }
  };
  await until("not listening", async () => (await request("GET", "sys/seal-status")).status === 200);
  const init = await request("PUT", "sys/init", { secret_shares: 1, secret_threshold: 1 });
  const unsealKey = init.body.keys_base64[0] as string;
  const rootToken = init.body.root_token as string;
  await request("PUT", "sys/unseal", { key: unsealKey });
  await until("not active", async () => (await fetch(`${addr}/v1/sys/health`)).status === 200);
  return { addr, rootToken, unsealKey, request, stop };
}

/** An RS256 JWT shaped like a projected Kubernetes service account token. */
function serviceAccountJwt(privateKey: string, claims: Record<string, unknown>): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const body = `${b64({ alg: "RS256", typ: "JWT" })}.${b64(claims)}`;
  return `${body}.${sign("sha256", Buffer.from(body), privateKey).toString("base64url")}`;
}

describe("Vault raft snapshot CronJob against a real Vault on raft storage", () => {
  let root: string;
  let vault: RaftVault;
  let fresh: RaftVault | undefined;
  let backupDir: string;
  let jwtFile: string;
  const { publicKey, privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "slipway-raft-"));
    backupDir = join(root, "backup");
    mkdirSync(backupDir);
    vault = await startRaftVault(root, "vault-0");
    const t = vault.rootToken;
    const ok = (r: { status: number; body: unknown }) =>
      expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    ok(await vault.request("POST", "sys/mounts/kv", { type: "kv", options: { version: "2" } }, t));
    ok(
      await vault.request("POST", "kv/data/postgres/admin", { data: { password: "before-the-disaster" } }, t),
    );
    // The policy exactly as the platform renders it (vault/terraform/policies.tf.json).
    const { read } = renderComponents({});
    const doc = read<any>("vault/terraform/policies.tf.json").data.vault_policy_document[VAULT_SNAPSHOT_ROLE];
    const hcl = doc.rule
      .map(
        (r: { path: string; capabilities: string[] }) =>
          `path "${r.path}" { capabilities = ${JSON.stringify(r.capabilities)} }`,
      )
      .join("\n");
    ok(await vault.request("PUT", `sys/policies/acl/${VAULT_SNAPSHOT_ROLE}`, { policy: hcl }, t));
    // Kubernetes auth needs a kube-apiserver for TokenReview; JWT auth mounted at the same path
    // takes the same login request (role + jwt) and checks the same token's signature, audience
    // and subject offline, so the script's login runs unchanged.
    ok(await vault.request("POST", `sys/auth/${VAULT.kubernetesAuthPath}`, { type: "jwt" }, t));
    ok(
      await vault.request(
        "POST",
        `auth/${VAULT.kubernetesAuthPath}/config`,
        { jwt_validation_pubkeys: [publicKey] },
        t,
      ),
    );
    ok(
      await vault.request(
        "POST",
        `auth/${VAULT.kubernetesAuthPath}/role/${VAULT_SNAPSHOT_ROLE}`,
        {
          role_type: "jwt",
          user_claim: "sub",
          bound_audiences: [VAULT.kubernetesAuthAudience],
          bound_subject: `system:serviceaccount:${VAULT.namespace}:${VAULT_SNAPSHOT_SERVICE_ACCOUNT}`,
          token_policies: [VAULT_SNAPSHOT_ROLE],
          token_ttl: 900,
        },
        t,
      ),
    );
    const now = Math.floor(Date.now() / 1000);
    jwtFile = join(root, "token");
    writeFileSync(
      jwtFile,
      serviceAccountJwt(privateKey, {
        iss: "https://kubernetes.default.svc.cluster.local",
        sub: `system:serviceaccount:${VAULT.namespace}:${VAULT_SNAPSHOT_SERVICE_ACCOUNT}`,
        aud: [VAULT.kubernetesAuthAudience],
        iat: now,
        nbf: now,
        exp: now + 600,
      }),
    );
  }, 120_000);
  afterAll(async () => {
    await vault?.stop();
    await fresh?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const scriptEnv = () => ({
    PATH: `${dirname(tool("vault"))}:/usr/bin:/bin`,
    HOME: root,
    BACKUP_DIR: backupDir,
    KEEP: "2",
    VAULT_ADDR: vault.addr,
    VAULT_AUTH_PATH: VAULT.kubernetesAuthPath,
    VAULT_ROLE: VAULT_SNAPSHOT_ROLE,
    VAULT_JWT_FILE: jwtFile,
  });

  it("runs the rendered script: logs in with the role, saves a snapshot, keeps the newest KEEP", async () => {
    const cron = rendered("backups-vault").find((o) => o.kind === "CronJob");
    const container = cron.spec.jobTemplate.spec.template.spec.containers[0];
    expect(container.command).toEqual(["/bin/sh", "-c", VAULT_SNAPSHOT_SCRIPT]);
    expect(container.env.map((e: { name: string }) => e.name).sort()).toEqual(
      ["BACKUP_DIR", "HOME", "KEEP", "VAULT_ADDR", "VAULT_AUTH_PATH", "VAULT_JWT_FILE", "VAULT_ROLE"].sort(),
    );
    for (let i = 0; i < 3; i++) {
      if (i > 0) await sleep(1100);
      const r = runScript(VAULT_SNAPSHOT_SCRIPT, scriptEnv());
      expect(r.status, r.out).toBe(0);
    }
    const snaps = readdirSync(backupDir).sort();
    expect(snaps).toHaveLength(2);
    for (const s of snaps) {
      expect(s).toMatch(/^vault-\d{8}T\d{6}Z\.snap$/);
      expect(statSync(join(backupDir, s)).size).toBeGreaterThan(1000);
    }
  }, 60_000);

  it("the role's token reads the snapshot and nothing else", async () => {
    const jwt = spawnSync("cat", [jwtFile], { encoding: "utf8" }).stdout;
    const login = await vault.request("POST", `auth/${VAULT.kubernetesAuthPath}/login`, {
      role: VAULT_SNAPSHOT_ROLE,
      jwt,
    });
    const token = login.body.auth.client_token as string;
    expect((await vault.request("GET", "kv/data/postgres/admin", undefined, token)).status).toBe(403);
    expect((await vault.request("GET", "sys/storage/raft/configuration", undefined, token)).status).toBe(403);
    expect((await vault.request("POST", "sys/storage/raft/snapshot-force", {}, token)).status).toBe(403);
    // Another service account of the namespace is refused at login.
    const other = serviceAccountJwt(privateKey, {
      sub: `system:serviceaccount:${VAULT.namespace}:default`,
      aud: [VAULT.kubernetesAuthAudience],
      exp: Math.floor(Date.now() / 1000) + 600,
    });
    const refused = await vault.request("POST", `auth/${VAULT.kubernetesAuthPath}/login`, {
      role: VAULT_SNAPSHOT_ROLE,
      jwt: other,
    });
    expect(refused.status).toBe(400);
  });

  it("restores into a fresh Vault as the runbook says; the old unseal key and secrets come back", async () => {
    const snap = join(backupDir, readdirSync(backupDir).sort().at(-1) as string);
    // A new node with the old node's id, as the StatefulSet's pod vault-0 comes back (vault-helm
    // setNodeId): raft's configuration in the snapshot names that id, and a node with another id
    // finds itself "removed from the HA cluster" and stays sealed.
    fresh = await startRaftVault(root, "vault-restored", "vault-0");
    // docs/runbooks/restore.md, Vault step 3: -force, since the snapshot comes from another cluster.
    const r = spawnSync(tool("vault"), ["operator", "raft", "snapshot", "restore", "-force", snap], {
      encoding: "utf8",
      env: { PATH: "/usr/bin:/bin", HOME: root, VAULT_ADDR: fresh.addr, VAULT_TOKEN: fresh.rootToken },
    });
    expect(r.status, r.stderr).toBe(0);
    // The fresh cluster now has the old keyring: the old unseal key and the old root token work.
    const deadline = Date.now() + 60_000;
    let secret: { status: number; body: any } = { status: 0, body: {} };
    const trace: string[] = [];
    while (Date.now() < deadline) {
      const seal = await fresh.request("GET", "sys/seal-status");
      // After the restore the node seals itself; only the snapshot's (old) unseal key opens it.
      if (seal.body.sealed === true) {
        const u = await fresh.request("PUT", "sys/unseal", { key: vault.unsealKey });
        trace.push(`${u.status} ${JSON.stringify(u.body.errors ?? u.body.sealed)}`);
      }
      secret = await fresh.request("GET", "kv/data/postgres/admin", undefined, vault.rootToken);
      if (secret.status === 200) break;
      await sleep(300);
    }
    expect(secret.status, `${JSON.stringify(secret.body)}\n${[...new Set(trace)].join("\n")}`).toBe(200);
    expect(secret.body.data.data).toEqual({ password: "before-the-disaster" });
    // The fresh cluster's own unseal key no longer fits.
    expect(fresh.unsealKey).not.toBe(vault.unsealKey);
  }, 120_000);
});
