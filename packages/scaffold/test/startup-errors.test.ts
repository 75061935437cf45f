import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InputError } from "@slipway/core/lite";
import { describe, expect, it } from "vitest";
import { AuthUnavailableError } from "../src/auth-loader.js";
import { startServer } from "../src/start.js";
import {
  assertCreateSettings,
  assertDevAddress,
  assertSettings,
  isLoopbackHost,
  startupError,
} from "../src/startup-errors.js";

// Issue 16: startup failures were "internal error". EACCES cannot be provoked as root: the mapping
// is tested here, the rest through the built CLI (packages/cli/test/serve-startup.test.ts).
const at = { host: "127.0.0.1", port: 80 };
const sysError = (code: string) => Object.assign(new Error(`listen ${code}`), { code });

/** The [code, path] pairs of what `run` throws. */
function refusal(run: () => void): unknown {
  try {
    run();
  } catch (e) {
    return (e as InputError).diagnostics.map((d) => [d.code, d.path]);
  }
  return undefined;
}

describe("startupError", () => {
  it.each([
    ["EADDRINUSE", "SW_SERVE_PORT_IN_USE", "port"],
    ["EACCES", "SW_SERVE_PORT_DENIED", "port"],
    ["EADDRNOTAVAIL", "SW_SERVE_HOST_UNAVAILABLE", "host"],
    ["ENOTFOUND", "SW_SERVE_HOST_UNAVAILABLE", "host"],
  ])("%s → %s", (errno, code, path) => {
    const e = startupError(sysError(errno), at);
    expect(e?.diagnostics.map((d) => [d.code, d.path])).toEqual([[code, [path]]]);
  });

  it("missing OIDC settings", () => {
    const e = startupError(new AuthUnavailableError("OIDC is not configured"), at);
    expect(e?.diagnostics[0]?.code).toBe("SW_SERVE_OIDC_NOT_CONFIGURED");
  });

  it("leaves anything else a bug", () => {
    expect(startupError(new TypeError("x is undefined"), at)).toBeUndefined();
    expect(startupError(sysError("EPERM"), at)).toBeUndefined();
  });
});

describe("--dev stays on loopback", () => {
  it.each([
    "127.0.0.1",
    "127.1.2.3",
    "localhost",
    "::1",
    "[::1]",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "127.255.255.254",
  ])("allows %s", (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });
  it.each(["0.0.0.0", "::", "192.0.2.1", "example.com", "127.0.0.1.example.com"])("refuses %s", (host) => {
    expect(isLoopbackHost(host)).toBe(false);
    expect(refusal(() => assertDevAddress(host, "http://127.0.0.1:8080"))).toEqual([
      ["SW_SERVE_DEV_NOT_LOOPBACK", ["host"]],
    ]);
  });
  it("refuses a plain-http public base URL, allows https", () => {
    expect(refusal(() => assertDevAddress("127.0.0.1", "http://scaffold.example.com"))).toEqual([
      ["SW_SERVE_DEV_NOT_LOOPBACK", ["base-url"]],
    ]);
    expect(refusal(() => assertDevAddress("127.0.0.1", "https://scaffold.example.com"))).toBeUndefined();
  });
});

describe("--dev on IPv6 loopback", () => {
  // Issue 16: `--dev --host ::1` refused with "needs a loopback or https base URL, not
  // 'http://::1:8080'": the default base URL put the IPv6 address in without brackets.
  it.each([
    ["::1", "[::1]"],
    // Red-team rerun: allowed by the host check, refused by the login's loopback check: exit 70.
    ["::ffff:127.0.0.1", "[::ffff:127.0.0.1]"],
    ["127.255.255.254", "127.255.255.254"],
  ])("--host %s starts, with a base URL that answers", async (host, inUrl) => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, host, resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const home = mkdtempSync(join(tmpdir(), "slipway-ipv6-"));
    const started = await startServer({
      dev: true,
      host,
      port,
      env: { SLIPWAY_DEV_GIT_DIR: join(home, "dev-git") },
    });
    try {
      expect(started.url).toBe(`http://${inUrl}:${port}`);
      expect((await fetch(`${started.url}/healthz`)).status).toBe(200);
    } finally {
      await started.app.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe("assertSettings: a setting serve cannot use is SW_SERVE_SETTING_INVALID, naming it", () => {
  const check = (
    env: Record<string, string>,
    baseUrl = "http://127.0.0.1:8080",
    from?: "--base-url" | "SCAFFOLD_BASE_URL",
    dev = false,
  ) => refusal(() => assertSettings(env, baseUrl, from, dev));
  it.each([
    [{}, "not-a-url", "--base-url", ["base-url"]],
    [{}, "ftp://scaffold.example.com", "SCAFFOLD_BASE_URL", ["env", "SCAFFOLD_BASE_URL"]],
    [{ SCAFFOLD_TRUST_PROXY: "not-an-ip" }, undefined, undefined, ["env", "SCAFFOLD_TRUST_PROXY"]],
    [
      { SCAFFOLD_TRUST_PROXY: "10.0.0.1, 10.0.0.0/99" },
      undefined,
      undefined,
      ["env", "SCAFFOLD_TRUST_PROXY"],
    ],
    [
      { SCAFFOLD_ANONYMOUS_NETWORKS: "10.0.0.1" },
      undefined,
      undefined,
      ["env", "SCAFFOLD_ANONYMOUS_NETWORKS"],
    ],
    [{ SCAFFOLD_COOKIE_SECRET: "short" }, undefined, undefined, ["env", "SCAFFOLD_COOKIE_SECRET"]],
    [{ SCAFFOLD_COOKIE_SECRET: "x".repeat(31) }, undefined, undefined, ["env", "SCAFFOLD_COOKIE_SECRET"]],
  ] as const)("%o %s %s", (env, baseUrl, from, path) => {
    expect(check(env, baseUrl, from)).toEqual([["SW_SERVE_SETTING_INVALID", path]]);
  });

  it("accepts what fastify and the OIDC plugin accept", () => {
    expect(check({}, "https://scaffold.example.com", "--base-url")).toBeUndefined();
    for (const proxy of ["true", "false", "", "loopback, 10.42.0.0/16", "192.0.2.1,::1,fd00::/8,uniquelocal"])
      expect(check({ SCAFFOLD_TRUST_PROXY: proxy })).toBeUndefined();
    expect(check({ SCAFFOLD_ANONYMOUS_NETWORKS: "10.42.0.0/16, fd00::/8" })).toBeUndefined();
    expect(check({ SCAFFOLD_COOKIE_SECRET: "x".repeat(32) })).toBeUndefined();
    // --dev never reads the anonymous networks nor the cookie secret (it makes its own).
    expect(check({ SCAFFOLD_ANONYMOUS_NETWORKS: "nope" }, undefined, undefined, true)).toBeUndefined();
    expect(check({ SCAFFOLD_COOKIE_SECRET: "short" }, undefined, undefined, true)).toBeUndefined();
  });
});

describe("assertCreateSettings: what Create repository needs", () => {
  it("a --config that does not exist is SW_CONFIG_NOT_FOUND at config", () => {
    expect(refusal(() => assertCreateSettings("/no/such/platform.yaml", undefined, "--push"))).toEqual([
      ["SW_CONFIG_NOT_FOUND", ["config"]],
    ]);
  });
  it("a push target without {name} is SW_SERVE_SETTING_INVALID, naming where it came from", () => {
    expect(refusal(() => assertCreateSettings(undefined, "/srv/git/all.git", "--push"))).toEqual([
      ["SW_SERVE_SETTING_INVALID", ["push"]],
    ]);
    expect(
      refusal(() => assertCreateSettings(undefined, "https://git.example.com/x.git", "SCAFFOLD_PUSH_TARGET")),
    ).toEqual([["SW_SERVE_SETTING_INVALID", ["env", "SCAFFOLD_PUSH_TARGET"]]]);
    expect(
      refusal(() => assertCreateSettings(undefined, "https://git.example.com/{name}.git", "--push")),
    ).toBeUndefined();
  });
});
