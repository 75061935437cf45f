import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { FastifyInstance } from "fastify";
import { loadAuth } from "./auth-loader.js";
import type { ServerOptions } from "./options.js";
import { buildServer } from "./server.js";

export interface StartOptions {
  readonly port: number;
  readonly host: string;
  /** Built-in development OIDC provider, anonymous API access from loopback. */
  readonly dev: boolean;
  /** With `dev` and none given, `./platform.yaml` when it exists. */
  readonly platformConfig?: string;
  /** URL template with `{name}`; with `dev` and none given, bare repositories under `~/.slipway/dev-git`. */
  readonly pushTarget?: string;
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

/** Starts the service: authentication first (it refuses to start without), then listen. */
export async function startServer(opts: StartOptions): Promise<Started> {
  const t0 = performance.now();
  const env = opts.env ?? process.env;
  const baseUrl = (opts.baseUrl ?? env.SCAFFOLD_BASE_URL ?? `http://${opts.host}:${opts.port}`).replace(
    /\/+$/,
    "",
  );
  const loaded = await loadAuth(opts.dev ? "dev" : "oidc", { baseUrl, env });
  const options: ServerOptions = {
    auth: loaded.auth,
    logger: true,
    baseUrl,
    ...(opts.platformConfig !== undefined ? { platformConfig: opts.platformConfig } : {}),
    ...pushOptions(opts),
    ...(env.SCAFFOLD_COOKIE_SECRET !== undefined ? { cookieSecret: env.SCAFFOLD_COOKIE_SECRET } : {}),
    ...(env.SCAFFOLD_DEFAULT_OWNER !== undefined ? { defaultOwner: env.SCAFFOLD_DEFAULT_OWNER } : {}),
  };
  const app = await buildServer(options);
  app.addHook("onClose", loaded.close);
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

/** Create repository's configuration; `--dev` works out of the box against local bare repositories. */
function pushOptions(opts: StartOptions): Partial<ServerOptions> {
  const platformConfig =
    opts.platformConfig ?? (opts.dev && existsSync("platform.yaml") ? "platform.yaml" : undefined);
  if (opts.pushTarget !== undefined) {
    return { pushTarget: opts.pushTarget, ...(platformConfig !== undefined ? { platformConfig } : {}) };
  }
  if (!opts.dev) return platformConfig !== undefined ? { platformConfig } : {};
  return {
    ...(platformConfig !== undefined ? { platformConfig } : {}),
    pushTarget: join(homedir(), ".slipway", "dev-git", "{name}.git"),
    preparePushTarget: (dir) => {
      if (existsSync(dir)) return;
      mkdirSync(dirname(dir), { recursive: true });
      execFileSync("git", ["init", "-q", "--bare", "-b", "main", dir]);
    },
  };
}
