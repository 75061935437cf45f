import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SlipwayError } from "@slipway/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onboard } from "../src/onboard/index.js";

/**
 * The push path against a real smart-HTTP Git server: Debian's `git http-backend` behind a tiny CGI
 * bridge on 127.0.0.1. The bridge runs in its own process because onboarding calls git
 * synchronously: an in-process server could not answer while the test waits on git.
 */
const BACKEND = "/usr/lib/git-core/git-http-backend";
const EXAMPLE = join(import.meta.dirname, "../../../examples/homelab");

const BRIDGE = `
const http = require("node:http");
const { spawn } = require("node:child_process");
const [backend, root] = process.argv.slice(2);
const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://127.0.0.1");
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
      REMOTE_USER: "test",
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

// Debian's git ships git-http-backend; in CI a missing one must fail, not skip.
const available = existsSync(BACKEND) || process.env.CI !== undefined;
const work = mkdtempSync(join(tmpdir(), "slipway-onboard-http-"));
let server: ChildProcess | undefined;
let base = "";

function git(args: readonly string[], cwd?: string): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
  });
}

function bare(name: string): string {
  const dir = join(work, "git", name);
  git(["init", "-q", "--bare", "-b", "main", dir]);
  git(["config", "http.receivepack", "true"], dir);
  return dir;
}

beforeAll(async () => {
  if (!available) return;
  const script = join(work, "bridge.cjs");
  writeFileSync(script, BRIDGE);
  server = spawn(process.execPath, [script, BACKEND, join(work, "git")], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<string>((resolve, reject) => {
    server?.stdout?.once("data", (d: Buffer) => resolve(d.toString().trim()));
    server?.once("exit", (code) => reject(new Error(`bridge exited with ${String(code)}`)));
  });
  base = `http://127.0.0.1:${port}`;
});

afterAll(() => {
  if (server?.pid !== undefined) server.kill();
  rmSync(work, { recursive: true, force: true });
});

/** Hash of everything under `dir` (paths, modes, contents), as in onboard.test.ts. */
function treeHash(dir: string): string {
  const h = createHash("sha256");
  const walk = (rel: string) => {
    const abs = join(dir, rel);
    const st = lstatSync(abs);
    h.update(`${rel}\0${st.mode}\0`);
    if (st.isDirectory()) for (const e of readdirSync(abs).sort()) walk(rel === "" ? e : `${rel}/${e}`);
    else h.update(readFileSync(abs));
  };
  walk("");
  return h.digest("hex");
}

function codesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof SlipwayError) return e.diagnostics.map((d) => d.code);
    throw e;
  }
  throw new Error("expected an error");
}

describe.skipIf(!available)("onboard over smart HTTP (git http-backend)", () => {
  it("pushes the first commit, and a rerun is a no-op", () => {
    const platform = join(work, "platform");
    cpSync(EXAMPLE, platform, { recursive: true });
    const remote = bare("demo.git");
    const url = `${base}/demo.git`;
    const plan = onboard({ platformConfig: platform, name: "demo", presetId: "node-service", pushUrl: url });
    expect(plan.written).toBe(true);
    expect(plan.repository.target).toEqual({ kind: "push", url });
    expect(git(["rev-parse", "refs/heads/main"], remote).trim()).toBe(plan.repository.commit);
    expect(git(["ls-remote", url]).trim()).toContain(`${plan.repository.commit}\trefs/heads/main`);

    const before = [treeHash(platform), treeHash(remote)];
    const again = onboard({ platformConfig: platform, name: "demo", presetId: "node-service", pushUrl: url });
    expect(again.noop).toBe(true);
    expect([treeHash(platform), treeHash(remote)]).toEqual(before);
  });

  it("refuses a non-empty HTTP remote and a missing one, changing nothing", () => {
    const platform = join(work, "platform-2");
    cpSync(EXAMPLE, platform, { recursive: true });
    const busy = bare("busy.git");
    const seed = join(work, "seed");
    git(["init", "-q", "-b", "main", seed]);
    writeFileSync(join(seed, "README.md"), "# busy\n");
    git(["add", "."], seed);
    git(["-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-q", "-m", "init"], seed);
    git(["push", "-q", `${base}/busy.git`, "main"], seed);

    const before = [treeHash(platform), treeHash(busy)];
    const run = (pushUrl: string) => () =>
      onboard({ platformConfig: platform, name: "web", presetId: "static-frontend", pushUrl });
    expect(codesOf(run(`${base}/busy.git`))).toEqual(["SW_NEW_REMOTE_NOT_EMPTY"]);
    expect(codesOf(run(`${base}/missing.git`))).toEqual(["SW_NEW_REMOTE_UNREACHABLE"]);
    expect([treeHash(platform), treeHash(busy)]).toEqual(before);
  });
});
