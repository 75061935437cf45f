import { existsSync } from "node:fs";
import { isIP } from "node:net";
import { diag, InputError, NotFoundError } from "@slipway/core/lite";
import { MIN_SECRET_LENGTH } from "./auth/cookie.js";
import { isLoopbackHost, parseCidr } from "./auth/networks.js";
import { AuthUnavailableError } from "./auth-loader.js";

/** Where `serve` was asked to listen: what a startup error names. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export { isLoopbackHost };

/**
 * `--dev` signs anyone in with any password and lets loopback call the API anonymously: it must
 * not be reachable from the network, and its cookies work over plain http only on loopback.
 *
 * @throws InputError `SW_SERVE_DEV_NOT_LOOPBACK` (path `["host"]` or `["base-url"]`)
 */
export function assertDevAddress(host: string, baseUrl: string): void {
  const hint =
    "--dev signs anyone in with any password; use --host 127.0.0.1 (the default), or run without --dev with a real OIDC provider";
  if (!isLoopbackHost(host)) {
    throw new InputError([
      diag("SW_SERVE_DEV_NOT_LOOPBACK", `--dev listens on loopback only, not on '${host}'`, {
        path: ["host"],
        hint,
      }),
    ]);
  }
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol === "http:" && !isLoopbackHost(url.hostname))) {
    throw new InputError([
      diag("SW_SERVE_DEV_NOT_LOOPBACK", `--dev needs a loopback or https base URL, not '${baseUrl}'`, {
        path: ["base-url"],
        hint,
      }),
    ]);
  }
}

/**
 * A `serve` setting with a value it cannot use: `setting` is an option (`--base-url`) or an
 * environment variable (`SCAFFOLD_TRUST_PROXY`), named in the path; the hint says what to set.
 */
export function invalidSetting(setting: string, message: string, hint: string): InputError {
  const path = setting.startsWith("--") ? [setting.slice(2)] : ["env", setting];
  return new InputError([diag("SW_SERVE_SETTING_INVALID", message, { path, hint })]);
}

/** The names `SCAFFOLD_TRUST_PROXY` takes besides addresses and CIDRs (proxy-addr's). */
const PROXY_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

/**
 * The settings `serve` reads, checked before anything starts, so that a value the library reading
 * it would choke on (fastify's proxy list, the OIDC redirect URL) is the operator's to fix, not a
 * crash or an unrelated "OIDC is not configured".
 *
 * @param baseUrlFrom where the base URL came from: `--base-url`, `SCAFFOLD_BASE_URL`, or neither
 *   (derived from the listen address, which `listen` checks).
 * @throws InputError `SW_SERVE_SETTING_INVALID`
 */
export function assertSettings(
  env: Readonly<Record<string, string | undefined>>,
  baseUrl: string,
  baseUrlFrom: "--base-url" | "SCAFFOLD_BASE_URL" | undefined,
  dev: boolean,
): void {
  if (baseUrlFrom !== undefined && !isHttpUrl(baseUrl)) {
    throw invalidSetting(
      baseUrlFrom,
      `${baseUrlFrom} '${baseUrl}' is not an http(s) URL`,
      "give the absolute URL people reach the service at, e.g. https://scaffold.example.com",
    );
  }
  const proxies = list(env.SCAFFOLD_TRUST_PROXY);
  if (!(proxies.length === 1 && /^(true|false)$/.test(proxies[0] as string))) {
    const bad = proxies.find((p) => !PROXY_NAMES.has(p) && isIP(p) === 0 && parseCidr(p) === undefined);
    if (bad !== undefined)
      throw invalidSetting(
        "SCAFFOLD_TRUST_PROXY",
        `SCAFFOLD_TRUST_PROXY has '${bad}', which is neither an address, a CIDR nor loopback, linklocal or uniquelocal`,
        "set SCAFFOLD_TRUST_PROXY to true, or to a comma-separated list of the proxies' addresses or CIDRs (e.g. 10.42.0.0/16), or unset it",
      );
  }
  const anonymous = list(env.SCAFFOLD_ANONYMOUS_NETWORKS);
  const badNetwork = dev ? undefined : anonymous.find((n) => parseCidr(n) === undefined);
  if (badNetwork !== undefined)
    throw invalidSetting(
      "SCAFFOLD_ANONYMOUS_NETWORKS",
      `SCAFFOLD_ANONYMOUS_NETWORKS has '${badNetwork}', which is not a CIDR`,
      "set SCAFFOLD_ANONYMOUS_NETWORKS to a comma-separated list of CIDRs (e.g. 10.42.0.0/16,fd00::/8), or unset it",
    );
  // A missing secret is the OIDC settings' "not configured"; one that is set but too short is this
  // setting's own mistake (the session key is derived from it).
  const cookieSecret = env.SCAFFOLD_COOKIE_SECRET;
  if (!dev && cookieSecret !== undefined && cookieSecret.length < MIN_SECRET_LENGTH)
    throw invalidSetting(
      "SCAFFOLD_COOKIE_SECRET",
      `SCAFFOLD_COOKIE_SECRET has ${cookieSecret.length} characters; the session cookie key needs at least ${MIN_SECRET_LENGTH}`,
      "set it to a long random value, e.g. the output of `openssl rand -base64 48`",
    );
}

/**
 * Create repository's settings: the platform file `--config` names exists (else every Create
 * repository would fail on it), and a push target names `{name}` (else every service would push to
 * the one repository).
 *
 * @throws NotFoundError `SW_CONFIG_NOT_FOUND` (path `["config"]`); InputError `SW_SERVE_SETTING_INVALID`
 */
export function assertCreateSettings(
  platformConfig: string | undefined,
  pushTarget: string | undefined,
  pushTargetFrom: "--push" | "SCAFFOLD_PUSH_TARGET",
): void {
  if (platformConfig !== undefined && !existsSync(platformConfig)) {
    throw new NotFoundError([
      diag("SW_CONFIG_NOT_FOUND", `--config ${platformConfig} does not exist`, {
        path: ["config"],
        hint: "Pass the platform file (or the platform repository's directory) with --config, or leave it out.",
      }),
    ]);
  }
  if (pushTarget !== undefined && !pushTarget.includes("{name}")) {
    throw invalidSetting(
      pushTargetFrom,
      `${pushTargetFrom} '${pushTarget}' has no {name}: every service would be pushed to that one repository`,
      "put {name} where the service's name goes, e.g. https://github.com/my-org/{name}.git",
    );
  }
}

/** Whether `s` parses as an absolute http or https URL. */
export function isHttpUrl(s: string): boolean {
  try {
    return /^https?:$/.test(new URL(s).protocol);
  } catch {
    return false;
  }
}

/** A comma-separated setting's entries, trimmed, empty ones dropped. */
function list(raw: string | undefined): string[] {
  return (raw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/**
 * The known ways a start fails through its configuration or environment, as located errors
 * (exit 2); undefined for anything else, which stays a bug.
 */
export function startupError(e: unknown, at: ListenAddress): InputError | undefined {
  if (e instanceof AuthUnavailableError) {
    return new InputError([
      diag("SW_SERVE_OIDC_NOT_CONFIGURED", e.message, {
        path: ["env"],
        hint: "set OIDC_ISSUER_URL, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and SCAFFOLD_COOKIE_SECRET (at least 32 characters), or run with --dev on a laptop",
      }),
    ]);
  }
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const where = `${at.host}:${at.port}`;
  switch (code) {
    case "EADDRINUSE":
      return new InputError([
        diag("SW_SERVE_PORT_IN_USE", `port ${at.port} on ${at.host} is already in use`, {
          path: ["port"],
          hint: "stop what listens there, or choose another port with --port",
        }),
      ]);
    case "EACCES":
      return new InputError([
        diag("SW_SERVE_PORT_DENIED", `not allowed to listen on ${where}`, {
          path: ["port"],
          hint: "ports below 1024 need privileges; choose --port 8080 or another port above 1023",
        }),
      ]);
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new InputError([
        diag("SW_SERVE_HOST_UNAVAILABLE", `cannot listen on ${where}: no such address on this machine`, {
          path: ["host"],
          hint: "use an address of this machine, e.g. 127.0.0.1 or 0.0.0.0 (all interfaces)",
        }),
      ]);
    default:
      return undefined;
  }
}
