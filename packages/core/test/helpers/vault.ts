import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, sleep } from "./net.js";
import { tool } from "./tools.js";

/**
 * A throwaway Vault server for tests that must prove rendered Vault configuration against the real
 * thing: `vault server -dev` (in-memory storage, unsealed, one root token) built from its Go module
 * by `tools/build.sh vault`, on a random loopback port. The dev server writes `~/.vault-token`, so
 * it runs with HOME in its own temporary directory, removed by `stop()`.
 *
 *     const vault = await startVault();
 *     try { await vault.request("GET", "sys/mounts"); } finally { await vault.stop(); }
 */
export interface TestVault {
  /** `http://127.0.0.1:<port>` */
  readonly addr: string;
  readonly rootToken: string;
  /** `vault version`, e.g. `Vault v1.21.4`, for messages and docs. */
  readonly version: string;
  /**
   * One call to Vault's HTTP API at `/v1/<path>` with the root token (or `token`). Never throws on
   * an HTTP error: check `status`, and `errors` (Vault's messages) when it is not 2xx.
   */
  request(method: string, path: string, body?: unknown, token?: string): Promise<VaultResponse>;
  /** Everything the server logged, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export interface VaultResponse {
  readonly status: number;
  /** The parsed body (`{}` for 204 No Content). */
  readonly body: {
    data?: any;
    auth?: any;
    errors?: string[];
    lease_id?: string;
    lease_duration?: number;
    renewable?: boolean;
    warnings?: string[];
  };
}

/** Starts `vault server -dev` and resolves once `sys/health` answers 200 (unsealed, active). */
export async function startVault(opts: { timeoutMs?: number } = {}): Promise<TestVault> {
  const bin = tool("vault");
  const home = mkdtempSync(join(tmpdir(), "slipway-vault-"));
  const port = await freePort();
  const addr = `http://127.0.0.1:${port}`;
  const rootToken = `root-${randomBytes(12).toString("hex")}`;
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    // No update checks, no telemetry, nothing read from the developer's own Vault config.
    VAULT_DISABLE_USER_LOCKOUT: "true",
    CHECKPOINT_DISABLE: "1",
  };
  let output = "";
  const child: ChildProcess = spawn(
    bin,
    [
      "server",
      "-dev",
      `-dev-root-token-id=${rootToken}`,
      `-dev-listen-address=127.0.0.1:${port}`,
      "-dev-no-store-token",
      "-log-level=warn",
    ],
    { env, cwd: home, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let alive = true;
  void exited.then(() => {
    alive = false;
  });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (alive) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(home, { recursive: true, force: true });
  };

  const request: TestVault["request"] = async (method, path, body, token = rootToken) => {
    const res = await fetch(`${addr}/v1/${path}`, {
      method,
      headers: {
        "X-Vault-Token": token,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === "" ? {} : JSON.parse(text) };
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    if (!alive) {
      await stop();
      throw new Error(`vault server -dev exited before it was healthy:\n${output}`);
    }
    try {
      const res = await fetch(`${addr}/v1/sys/health`);
      if (res.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`vault server -dev not healthy within ${opts.timeoutMs ?? 30_000} ms:\n${output}`);
    }
    await sleep(100);
  }
  const health = (await (await fetch(`${addr}/v1/sys/health`)).json()) as { version: string };
  return { addr, rootToken, version: `Vault v${health.version}`, request, log: () => output, stop };
}
