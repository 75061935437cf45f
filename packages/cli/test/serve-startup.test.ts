import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { repo, slipway } from "./_slipway.js";

// Issue 16: startup failures were "internal error" (exit 70), and `--dev --host 0.0.0.0` printed
// its refusal but never exited (the development provider it had started kept the process alive).

const dirs: string[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** `slipway serve …` in an empty directory, killed after 30 s: a start that fails must exit by itself. */
function serve(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const cwd = mkdtempSync(join(tmpdir(), "slipway-serve-"));
  dirs.push(cwd);
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("OIDC_") && !k.startsWith("SCAFFOLD_")),
  );
  return slipway(["serve", ...args], {
    cwd,
    timeout: 30_000,
    env: { ...clean, NO_COLOR: "1", SLIPWAY_DEV_GIT_DIR: join(cwd, "dev-git"), ...env },
  });
}

async function occupiedPort(): Promise<number> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("slipway serve: startup failures are coded errors with exit 2, and the process ends", () => {
  it.each([
    ["--dev on all interfaces", ["--dev", "--host", "0.0.0.0"], "SW_SERVE_DEV_NOT_LOOPBACK", "host"],
    ["--dev on a LAN address", ["--dev", "--host", "192.0.2.10"], "SW_SERVE_DEV_NOT_LOOPBACK", "host"],
    [
      "--dev behind a plain-http public base URL",
      ["--dev", "--base-url", "http://scaffold.example.com"],
      "SW_SERVE_DEV_NOT_LOOPBACK",
      "base-url",
    ],
    ["OIDC settings missing in production", [], "SW_SERVE_OIDC_NOT_CONFIGURED", "env"],
  ])("%s", (_name, args, code, at) => {
    const r = serve([...args, "--port", "18459"]);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error ${code}:`);
    expect(r.stderr).toContain(`at ${at}`);
    expect(r.stderr).not.toContain("internal error");
  });

  it.each([
    ["a port in use (the development provider it started is stopped again)", ["--dev"], {}],
    [
      "a port in use in production",
      [],
      {
        OIDC_ISSUER_URL: "http://127.0.0.1:9/issuer",
        OIDC_CLIENT_ID: "scaffold",
        OIDC_CLIENT_SECRET: "secret",
        SCAFFOLD_COOKIE_SECRET: "0123456789abcdef0123456789abcdef-test",
      },
    ],
  ])("%s", async (_name, args, env) => {
    const port = await occupiedPort();
    const r = serve([...args, "--port", String(port)], env);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error SW_SERVE_PORT_IN_USE:");
    expect(r.stderr).toContain("at port");
    expect(r.stderr).not.toContain("internal error");
  });
});

describe("slipway serve: a setting it cannot use is SW_SERVE_SETTING_INVALID with exit 2, naming what to set", () => {
  // Before: an invalid SCAFFOLD_TRUST_PROXY or OTLP endpoint was an internal error (exit 70), an
  // invalid SCAFFOLD_ANONYMOUS_NETWORKS or base URL "OIDC is not configured" with a hint naming others.
  const oidc = {
    OIDC_ISSUER_URL: "http://127.0.0.1:9/issuer",
    OIDC_CLIENT_ID: "scaffold",
    OIDC_CLIENT_SECRET: "secret",
    SCAFFOLD_COOKIE_SECRET: "0123456789abcdef0123456789abcdef-test",
  };
  it.each([
    ["SCAFFOLD_TRUST_PROXY", [], { SCAFFOLD_TRUST_PROXY: "not-an-ip" }, "env.SCAFFOLD_TRUST_PROXY"],
    [
      "OTEL_EXPORTER_OTLP_ENDPOINT",
      [],
      { OTEL_EXPORTER_OTLP_ENDPOINT: "notaurl" },
      "env.OTEL_EXPORTER_OTLP_ENDPOINT",
    ],
    [
      "SCAFFOLD_ANONYMOUS_NETWORKS",
      [],
      { SCAFFOLD_ANONYMOUS_NETWORKS: "10.0.0.0/99" },
      "env.SCAFFOLD_ANONYMOUS_NETWORKS",
    ],
    ["--base-url", ["--base-url", "scaffold.example.com"], {}, "base-url"],
    [
      "SCAFFOLD_PUSH_TARGET without {name}",
      [],
      { SCAFFOLD_PUSH_TARGET: "/srv/git/all.git" },
      "env.SCAFFOLD_PUSH_TARGET",
    ],
  ])("%s", (_name, args, env, at) => {
    const r = serve([...args, "--port", "18459"], { ...oidc, ...env });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error SW_SERVE_SETTING_INVALID:");
    expect(r.stderr).toContain(`at ${at}`);
    expect(r.stderr).toContain("hint: ");
    expect(r.stderr).not.toContain("internal error");
  });
});

describe("slipway serve --config that does not exist", () => {
  // Before: the service started, and every Create repository failed on the missing file.
  it("is SW_CONFIG_NOT_FOUND with exit 2", () => {
    const r = serve(["--dev", "--config", "missing/platform.yaml", "--port", "18459"]);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error SW_CONFIG_NOT_FOUND:");
    expect(r.stderr).toContain("at config");
    expect(r.stderr).not.toContain("internal error");
  });
});

// Issue 16: a local `slipway serve --dev` ran without the container's heap cap and grew from 120 to
// 306 MiB under load. It now replaces itself (same pid) with the flags and allocator settings of
// packages/scaffold/Dockerfile, unless it was given a heap cap already.
describe("slipway serve runs with the service's memory settings", () => {
  const node24 = join(repo, "node_modules/.bin/node");
  const node = existsSync(node24) ? node24 : process.execPath;

  /** Starts `node [nodeFlags] slipway.js serve --dev`, waits for /healthz, returns what its pid runs. */
  async function started(nodeFlags: readonly string[]) {
    const cwd = mkdtempSync(join(tmpdir(), "slipway-serve-"));
    dirs.push(cwd);
    const port = 18460 + Math.floor(Math.random() * 500);
    const child = spawn(
      node,
      [...nodeFlags, join(repo, "packages/cli/bin/slipway.js"), "serve", "--dev", "--port", String(port)],
      {
        cwd,
        env: { ...process.env, NO_COLOR: "1", SLIPWAY_DEV_GIT_DIR: join(cwd, "dev-git") },
        stdio: "ignore",
      },
    );
    try {
      for (let i = 0; i < 150; i++) {
        const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const pid = child.pid as number;
      return {
        argv: readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0"),
        env: readFileSync(`/proc/${pid}/environ`, "utf8").split("\0"),
        healthy: (await fetch(`http://127.0.0.1:${port}/healthz`)).ok,
      };
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
  }

  it.runIf(process.platform === "linux")(
    "adds the heap cap and allocator settings, in the same process",
    async () => {
      const s = await started([]);
      expect(s.healthy).toBe(true);
      expect(s.argv).toEqual(expect.arrayContaining(["--max-semi-space-size=2", "--max-old-space-size=64"]));
      expect(s.env).toEqual(expect.arrayContaining(["MALLOC_ARENA_MAX=2", "MALLOC_TRIM_THRESHOLD_=131072"]));
    },
  );

  it.runIf(process.platform === "linux")("keeps a heap cap it was given", async () => {
    const s = await started(["--max-old-space-size=96"]);
    expect(s.healthy).toBe(true);
    expect(s.argv.filter((a) => a.startsWith("--max-old-space-size"))).toEqual(["--max-old-space-size=96"]);
  });
});
