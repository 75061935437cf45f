import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A smart-HTTP Git server for tests: Debian's `git http-backend` behind a tiny CGI bridge on
 * 127.0.0.1. The bridge runs in its own process because onboarding calls git synchronously: an
 * in-process server could not answer while the test waits on git. With a token, every request
 * needs `Authorization: Basic base64(x-access-token:<token>)` (GitHub's form) and gets 401 without.
 */
export const GIT_HTTP_BACKEND = "/usr/lib/git-core/git-http-backend";

/** Debian's git ships git-http-backend; in CI a missing one must fail, not skip. */
export const gitHttpAvailable = existsSync(GIT_HTTP_BACKEND) || process.env.CI !== undefined;

const BRIDGE = `
const http = require("node:http");
const fs = require("node:fs");
const { spawn } = require("node:child_process");
const [backend, root, log, token] = process.argv.slice(2);
const expected = token ? "Basic " + Buffer.from("x-access-token:" + token).toString("base64") : undefined;
const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://127.0.0.1");
  const authorized = expected === undefined || req.headers.authorization === expected;
  fs.appendFileSync(log, JSON.stringify({ method: req.method, path: url.pathname, query: url.search, authorized }) + "\\n");
  if (!authorized) {
    res.writeHead(401, { "www-authenticate": 'Basic realm="git"' });
    return void res.end();
  }
  const cgi = spawn(backend, [], {
    env: {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: "1",
      REQUEST_METHOD: req.method,
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      HTTP_CONTENT_ENCODING: req.headers["content-encoding"] ?? "",
      GIT_PROTOCOL: req.headers["git-protocol"] ?? "",
      REMOTE_ADDR: "127.0.0.1",
      REMOTE_USER: "x-access-token",
    },
  });
  req.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let headersDone = false;
  cgi.stdout.on("data", (chunk) => {
    if (headersDone) return void res.write(chunk);
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf("\\r\\n\\r\\n");
    if (end === -1) return;
    headersDone = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString("latin1").split("\\r\\n")) {
      const i = line.indexOf(":");
      const k = line.slice(0, i).trim();
      const v = line.slice(i + 1).trim();
      if (k.toLowerCase() === "status") status = Number.parseInt(v, 10);
      else res.setHeader(k, v);
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
  });
  cgi.stdout.on("end", () => res.end());
  cgi.on("error", () => { res.statusCode = 500; res.end(); });
});
server.listen(0, "127.0.0.1", () => process.stdout.write(String(server.address().port) + "\\n"));
`;

export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly authorized: boolean;
}

export interface GitHttpServer {
  /** `http://127.0.0.1:<port>`; a repository `x.git` is at `${base}/x.git`. */
  readonly base: string;
  /** Directory of the bare repositories. */
  readonly root: string;
  /** Creates an empty bare repository that accepts pushes; returns its directory. */
  bare(name: string): string;
  /** A bare repository whose `main` holds `dir`'s files as one commit. */
  seeded(name: string, dir: string): string;
  /** Every request so far, in order. */
  requests(): RequestRecord[];
  close(): void;
}

export function git(args: readonly string[], cwd?: string): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
  });
}

/** Starts the server; `token` turns on Basic authentication. */
export async function startGitHttpServer(token?: string): Promise<GitHttpServer> {
  const work = mkdtempSync(join(tmpdir(), "slipway-git-http-"));
  const root = join(work, "git");
  mkdirSync(root);
  const log = join(work, "requests.jsonl");
  writeFileSync(log, "");
  const script = join(work, "bridge.cjs");
  writeFileSync(script, BRIDGE);
  // The token reaches the bridge in argv: a test server's, not the code under test's.
  const server: ChildProcess = spawn(
    process.execPath,
    [script, GIT_HTTP_BACKEND, root, log, ...(token ? [token] : [])],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const port = await new Promise<string>((resolve, reject) => {
    server.stdout?.once("data", (d: Buffer) => resolve(d.toString().trim()));
    server.once("exit", (code) => reject(new Error(`bridge exited with ${String(code)}`)));
  });
  const bare = (name: string) => {
    const dir = join(root, name);
    git(["init", "-q", "--bare", "-b", "main", dir]);
    git(["config", "http.receivepack", "true"], dir);
    return dir;
  };
  return {
    base: `http://127.0.0.1:${port}`,
    root,
    bare,
    seeded(name, dir) {
      const remote = bare(name);
      const src = join(work, `seed-${name}`);
      cpSync(dir, src, { recursive: true });
      git(["init", "-q", "-b", "main"], src);
      git(["add", "-A", "-f"], src);
      git(["-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-q", "-m", "init"], src);
      git(["push", "-q", remote, "main"], src);
      return remote;
    },
    requests: () =>
      readFileSync(log, "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as RequestRecord),
    close() {
      if (server.pid !== undefined) server.kill();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
