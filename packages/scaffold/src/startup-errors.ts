import { diag, InputError } from "@slipway/core/lite";
import { isLoopbackHost } from "./auth/networks.js";
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
