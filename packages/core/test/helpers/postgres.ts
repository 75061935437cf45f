import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./net.js";

/**
 * A throwaway PostgreSQL server for tests that must prove SQL against the real thing
 * (provisioning, and later Vault's dynamic-credential statements). It uses the Debian/Ubuntu
 * `postgresql` binaries (`/usr/lib/postgresql/<major>/bin`); CI installs them with
 * `apt-get install -y postgresql`. As root, the server runs as the `postgres` OS user, since
 * PostgreSQL refuses to run as root.
 *
 *     const pg = await startPostgres();
 *     try { pg.psql(["-c", "select 1"]); } finally { pg.stop(); }
 */
export interface TestPostgres {
  readonly host: "127.0.0.1";
  readonly port: number;
  readonly superuser: string;
  readonly superuserPassword: string;
  readonly binDir: string;
  /** Runs psql over TCP; `user`/`password` default to the superuser. Never throws: check `status`. */
  psql(
    args: readonly string[],
    opts?: {
      user?: string;
      password?: string;
      database?: string;
      env?: Record<string, string>;
      input?: string;
    },
  ): PsqlResult;
  stop(): void;
}

export interface PsqlResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The newest installed server's bin directory, or undefined when PostgreSQL is not installed. */
export function findPostgresBinDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((d) => /^\d+$/.test(d) && existsSync(join(root, d, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : join(root, majors[0], "bin");
}

function osUser(name: string): { uid: number; gid: number } | undefined {
  const r = spawnSync("id", ["-u", name], { encoding: "utf8" });
  const g = spawnSync("id", ["-g", name], { encoding: "utf8" });
  if (r.status !== 0 || g.status !== 0) return undefined;
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

export async function startPostgres(): Promise<TestPostgres> {
  const binDir = findPostgresBinDir();
  if (!binDir) throw new Error("PostgreSQL server binaries not found: apt-get install -y postgresql");
  const asRoot = process.getuid?.() === 0;
  const runAs = asRoot ? osUser("postgres") : undefined;
  if (asRoot && !runAs)
    throw new Error("running as root but there is no 'postgres' OS user to run the server");

  const dir = mkdtempSync(join(tmpdir(), "slipway-pg-"));
  const data = join(dir, "data");
  const pwfile = join(dir, "pwfile");
  const superuser = "postgres";
  const superuserPassword = `test-${process.pid}-${Date.now()}`;
  writeFileSync(pwfile, `${superuserPassword}\n`, { mode: 0o600 });
  if (runAs) {
    chownSync(dir, runAs.uid, runAs.gid);
    chownSync(pwfile, runAs.uid, runAs.gid);
  }
  chmodSync(dir, 0o700);

  const run = (cmd: string, args: string[]) => {
    const full = runAs
      ? ["runuser", "-u", "postgres", "--", join(binDir, cmd), ...args]
      : [join(binDir, cmd), ...args];
    const r = spawnSync(full[0] as string, full.slice(1), { encoding: "utf8", cwd: dir });
    if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr || r.stdout}`);
  };

  run("initdb", [
    "--pgdata",
    data,
    "--username",
    superuser,
    `--pwfile=${pwfile}`,
    // Password authentication over TCP, exactly as clients in the cluster connect.
    "--auth-host=scram-sha-256",
    "--auth-local=scram-sha-256",
    "--encoding=UTF8",
    "--no-instructions",
  ]);
  const port = await freePort();
  run("pg_ctl", [
    "--pgdata",
    data,
    "--wait",
    "--log",
    join(dir, "server.log"),
    "-o",
    `-c port=${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off`,
    "start",
  ]);

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      run("pg_ctl", ["--pgdata", data, "--mode", "immediate", "--wait", "stop"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  const psql: TestPostgres["psql"] = (args, opts = {}) => {
    const r = spawnSync(join(binDir, "psql"), ["--no-psqlrc", "-X", "--set=ON_ERROR_STOP=1", ...args], {
      encoding: "utf8",
      input: opts.input,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        PGHOST: "127.0.0.1",
        PGPORT: String(port),
        PGUSER: opts.user ?? superuser,
        PGPASSWORD: opts.password ?? superuserPassword,
        PGDATABASE: opts.database ?? "postgres",
        PGCONNECT_TIMEOUT: "5",
        ...opts.env,
      },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  return { host: "127.0.0.1", port, superuser, superuserPassword, binDir, psql, stop };
}
