import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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

/** Vault's HTTP API at `addr` with `defaultToken` (or the call's own): TestVault's `request`. */
export function vaultRequest(addr: string, defaultToken: string): TestVault["request"] {
  return async (method, path, body, token = defaultToken) => {
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
}

/**
 * The same Vault seen with a child token holding only `policies` (no `default`): how a runbook's
 * `terraform apply` with a narrow token runs. Fails when Vault refuses to create the token.
 */
export async function withPolicies(vault: TestVault, policies: readonly string[]): Promise<TestVault> {
  const child = await vault.request("POST", "auth/token/create", {
    policies,
    no_default_policy: true,
    ttl: "10m",
  });
  if (child.status !== 200)
    throw new Error(`token for ${policies.join(", ")}: ${JSON.stringify(child.body)}`);
  const token: string = child.body.auth.client_token;
  return { ...vault, request: (method, path, body, t) => vault.request(method, path, body, t ?? token) };
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

  const request = vaultRequest(addr, rootToken);

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

/**
 * A Vault server started from a real configuration (not `-dev`): it starts uninitialised and
 * sealed, so `vault operator init` and `unseal` run for real, and it keeps its storage across
 * `restart()` (which brings it back sealed, as a pod restart does). The caller passes the HCL
 * with the listener on `127.0.0.1:<port>` and storage in a directory it owns.
 */
export interface TestVaultServer {
  readonly addr: string;
  /** Stops the process (storage kept) and starts it again; resolves once the API answers. */
  restart(): Promise<void>;
  log(): string;
  /** Stops the process; the caller removes its directories. */
  stop(): Promise<void>;
}

/**
 * The rendered server configuration (the chart's `server.ha.raft.config`) with only what differs
 * outside a pod rewritten: storage and listener addresses, and no Kubernetes service registration
 * (it needs the pod's environment). Everything else, the seal stanza included, runs as rendered.
 */
export function localServerConfig(
  rendered: string,
  at: { readonly port: number; readonly clusterPort: number; readonly dataDir: string },
): string {
  const config = rendered
    .replace('path = "/vault/data"', `path = "${at.dataDir}"`)
    .replace('address = "[::]:8200"', `address = "127.0.0.1:${at.port}"`)
    .replace('cluster_address = "[::]:8201"', `cluster_address = "127.0.0.1:${at.clusterPort}"`)
    .replace(/service_registration "kubernetes" \{\}\n/, "");
  if (!config.includes(at.dataDir) || config.includes("[::]") || config.includes("service_registration"))
    throw new Error(`the rendered Vault configuration changed shape; rewrite it here:\n${rendered}`);
  return config;
}

/** Starts `vault server -config=<file>` and resolves once `sys/health` answers (any state). */
export async function startVaultServer(opts: {
  config: string;
  port: number;
  clusterPort: number;
  home: string;
  timeoutMs?: number;
  /** More environment for the server: what the chart's `extraSecretEnvironmentVars` put in the pod. */
  env?: Readonly<Record<string, string>>;
}): Promise<TestVaultServer> {
  const bin = tool("vault");
  const addr = `http://127.0.0.1:${opts.port}`;
  const file = join(opts.home, "vault.hcl");
  writeFileSync(file, opts.config);
  let output = "";
  let child: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();
  const start = async () => {
    const c = spawn(bin, ["server", `-config=${file}`, "-log-level=warn"], {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: opts.home,
        CHECKPOINT_DISABLE: "1",
        // What the chart sets in the pod (VAULT_API_ADDR, VAULT_CLUSTER_ADDR, VAULT_RAFT_NODE_ID).
        VAULT_API_ADDR: addr,
        VAULT_CLUSTER_ADDR: `http://127.0.0.1:${opts.clusterPort}`,
        VAULT_RAFT_NODE_ID: "vault-0",
        ...opts.env,
      },
      cwd: opts.home,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = c;
    c.stdout?.on("data", (d: Buffer) => {
      output = (output + d.toString()).slice(-65536);
    });
    c.stderr?.on("data", (d: Buffer) => {
      output = (output + d.toString()).slice(-65536);
    });
    exited = new Promise((resolve) => c.on("exit", resolve));
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    for (;;) {
      if (c.exitCode !== null) throw new Error(`vault server exited while starting:\n${output}`);
      try {
        // 200 active, 429 standby, 501 not initialised, 503 sealed: all mean it is serving.
        const res = await fetch(`${addr}/v1/sys/health`);
        if ([200, 429, 472, 473, 501, 503].includes(res.status)) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline)
        throw new Error(`vault server did not answer within the timeout:\n${output}`);
      await sleep(100);
    }
  };
  const halt = async () => {
    if (!child || child.exitCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child?.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };
  await start();
  return {
    addr,
    restart: async () => {
      await halt();
      await start();
    },
    log: () => output,
    stop: halt,
  };
}
