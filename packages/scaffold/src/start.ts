import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { FastifyInstance } from "fastify";
import { loadAuth } from "./auth-loader.js";
import type { ServerOptions } from "./options.js";
import { buildServer } from "./server.js";
import { assertCreateSettings, assertDevAddress, assertSettings, startupError } from "./startup-errors.js";
import { startTelemetry } from "./telemetry.js";
import { platformOwner } from "./ui/owner.js";

export interface StartOptions {
  readonly port: number;
  readonly host: string;
  /** Built-in development OIDC provider, anonymous API access from loopback. */
  readonly dev: boolean;
  /** With `dev` and none given, `./platform.yaml` when it exists. */
  readonly platformConfig?: string;
  /**
   * URL template with `{name}`; else `SCAFFOLD_PUSH_TARGET`; with `dev` and neither, bare
   * repositories under `~/.slipway/dev-git`.
   */
  readonly pushTarget?: string;
  /**
   * The platform repository's Git URL (else `SCAFFOLD_PLATFORM_REPO`): Create repository pushes a
   * branch there for review. `SCAFFOLD_PLATFORM_CONFIG_PATH` names the platform file in it, and
   * `SCAFFOLD_GIT_TOKEN` authenticates HTTPS pushes.
   */
  readonly platformRepo?: string;
  /** Public URL; defaults to `http://<host>:<port>`. */
  readonly baseUrl?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface Started {
  readonly app: FastifyInstance;
  readonly url: string;
  /** Milliseconds from the call to listening. */
  readonly startupMs: number;
  /** The OIDC issuer users sign in at. */
  readonly issuer?: string;
}

/**
 * Starts the service: authentication first (it refuses to start without), then listen.
 *
 * @throws InputError for a start that fails through its configuration or environment (see
 * `startupError`, `assertSettings`): `SW_SERVE_DEV_NOT_LOOPBACK`, `SW_SERVE_OIDC_NOT_CONFIGURED`,
 * `SW_SERVE_SETTING_INVALID`, `SW_SERVE_PORT_IN_USE`, `SW_SERVE_PORT_DENIED`,
 * `SW_SERVE_HOST_UNAVAILABLE`, and NotFoundError `SW_CONFIG_NOT_FOUND` for a missing `--config`;
 * nothing is left running.
 */
export async function startServer(opts: StartOptions): Promise<Started> {
  try {
    return await start(opts);
  } catch (e) {
    throw startupError(e, opts) ?? e;
  }
}

async function start(opts: StartOptions): Promise<Started> {
  const t0 = performance.now();
  const env = opts.env ?? process.env;
  const baseUrl = (
    opts.baseUrl ??
    env.SCAFFOLD_BASE_URL ??
    `http://${urlHost(opts.host)}:${opts.port}`
  ).replace(/\/+$/, "");
  if (opts.dev) assertDevAddress(opts.host, baseUrl);
  const baseUrlFrom =
    opts.baseUrl !== undefined
      ? "--base-url"
      : env.SCAFFOLD_BASE_URL !== undefined
        ? "SCAFFOLD_BASE_URL"
        : undefined;
  assertSettings(env, baseUrl, baseUrlFrom, opts.dev);
  assertCreateSettings(
    opts.platformConfig,
    opts.pushTarget ?? (env.SCAFFOLD_PUSH_TARGET || undefined),
    opts.pushTarget !== undefined ? "--push" : "SCAFFOLD_PUSH_TARGET",
  );
  const loaded = await loadAuth(opts.dev ? "dev" : "oidc", { baseUrl, env });
  let telemetry: Awaited<ReturnType<typeof startTelemetry>> | undefined;
  let app: FastifyInstance;
  try {
    const platform = { ...pushOptions(opts, env), ...(await devPlatform(opts, env)) };
    // The owner an API request without one gets: the platform's own, like the form's Owner field.
    const defaultOwner =
      env.SCAFFOLD_DEFAULT_OWNER ??
      (await platformOwner({
        platformConfig: platform.platformConfig,
        platformRepo: platform.platformRepo,
        platformConfigPath: platform.platformConfigPath,
      }).catch(() => undefined));
    const options: ServerOptions = {
      auth: loaded.auth,
      logger: true,
      baseUrl,
      ...platform,
      ...(env.SCAFFOLD_COOKIE_SECRET !== undefined ? { cookieSecret: env.SCAFFOLD_COOKIE_SECRET } : {}),
      ...(defaultOwner !== undefined ? { defaultOwner } : {}),
      ...trustProxyOption(env.SCAFFOLD_TRUST_PROXY),
    };
    // Before buildServer: the server wires request tracing only when telemetry is active.
    telemetry = await startTelemetry(env);
    app = await buildServer(options);
  } catch (e) {
    await telemetry?.shutdown();
    // The development provider listens already: left open, it keeps the process from exiting.
    await loaded.close();
    throw e;
  }
  app.addHook("onClose", loaded.close);
  // Registered after the auth's close: the last spans are flushed once nothing else can make any.
  app.addHook("onClose", telemetry.shutdown);
  if (telemetry.warning !== undefined) app.log.warn(telemetry.warning);
  if (telemetry.exporting !== undefined) app.log.info(telemetry.exporting, "exporting traces over OTLP");
  try {
    await app.listen({ port: opts.port, host: opts.host });
  } catch (e) {
    await app.close();
    throw e;
  }
  return {
    app,
    url: baseUrl,
    startupMs: performance.now() - t0,
    ...(loaded.issuer ? { issuer: loaded.issuer } : {}),
  };
}

/** A listen host as a URL's host: an IPv6 address goes in brackets (`::1` → `[::1]`). */
function urlHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/**
 * `SCAFFOLD_TRUST_PROXY`: `true`, or a comma-separated list of addresses, CIDRs and the names
 * `loopback`, `linklocal`, `uniquelocal`; unset or `false` trusts no proxy.
 */
export function trustProxyOption(raw: string | undefined): Pick<ServerOptions, "trustProxy"> {
  const value = raw?.trim() ?? "";
  if (value === "" || value === "false") return {};
  if (value === "true") return { trustProxy: true };
  return {
    trustProxy: value
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== ""),
  };
}

/**
 * `--dev` with nothing configured (no `--config`, `--push`, `--platform-repo`, no ./platform.yaml):
 * a local platform repository, so Create repository works on a fresh machine (branch mode).
 */
async function devPlatform(
  opts: StartOptions,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Partial<ServerOptions>> {
  const configured =
    opts.platformConfig !== undefined ||
    opts.pushTarget !== undefined ||
    opts.platformRepo !== undefined ||
    Boolean(env.SCAFFOLD_PLATFORM_REPO || env.SCAFFOLD_PUSH_TARGET) ||
    existsSync("platform.yaml");
  if (!opts.dev || configured) return {};
  const { devPlatformRepo } = await import("./dev-platform.js");
  return { platformRepo: await devPlatformRepo(devGitDir(env)) };
}

/** Where `--dev` keeps its bare repositories: `SLIPWAY_DEV_GIT_DIR`, or `~/.slipway/dev-git`. */
function devGitDir(env: Readonly<Record<string, string | undefined>>): string {
  return env.SLIPWAY_DEV_GIT_DIR || join(homedir(), ".slipway", "dev-git");
}

/**
 * Create repository's configuration. Deployed, it pushes to `SCAFFOLD_PUSH_TARGET` and registers on
 * a branch of `SCAFFOLD_PLATFORM_REPO`; `--dev` works out of the box against local bare repositories
 * and the platform working tree it runs in.
 */
export function pushOptions(
  opts: StartOptions,
  env: Readonly<Record<string, string | undefined>>,
): Partial<ServerOptions> {
  const platformRepo = opts.platformRepo ?? (env.SCAFFOLD_PLATFORM_REPO || undefined);
  const configPath = env.SCAFFOLD_PLATFORM_CONFIG_PATH || undefined;
  const token = env.SCAFFOLD_GIT_TOKEN || undefined;
  // A working tree only where a person runs the service: --config, or --dev inside a checkout.
  const platformConfig =
    opts.platformConfig ??
    (opts.dev && platformRepo === undefined && existsSync("platform.yaml") ? "platform.yaml" : undefined);
  const configured: Partial<ServerOptions> = {
    ...(platformRepo !== undefined ? { platformRepo } : {}),
    ...(configPath !== undefined ? { platformConfigPath: configPath } : {}),
    ...(token !== undefined ? { gitToken: token } : {}),
    ...(platformConfig !== undefined ? { platformConfig } : {}),
  };
  const pushTarget = opts.pushTarget ?? (env.SCAFFOLD_PUSH_TARGET || undefined);
  if (pushTarget !== undefined) return { ...configured, pushTarget };
  if (!opts.dev) return configured;
  return {
    ...configured,
    pushTarget: join(devGitDir(env), "{name}.git"),
    preparePushTarget: (dir) => {
      if (existsSync(dir)) return;
      mkdirSync(dirname(dir), { recursive: true });
      execFileSync("git", ["init", "-q", "--bare", "-b", "main", dir]);
    },
  };
}
