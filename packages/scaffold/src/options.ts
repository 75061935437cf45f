import type { FastifyBaseLogger } from "fastify";
import type { AuthPlugin } from "./auth/contract.js";

/** Limits that protect the service from large or frequent requests. */
export interface ServerLimits {
  /** Largest accepted request body in bytes. @default 65536 */
  readonly bodyBytes?: number;
  /** Archive requests (`/starter.*`, form Generate) per client IP per window. @default 60 */
  readonly archivesPerWindow?: number;
  /** The rate-limit window in milliseconds. @default 60000 */
  readonly windowMs?: number;
}

export interface ServerOptions {
  /** Authentication; `noAuth` only in tests. */
  readonly auth: AuthPlugin;
  /** `false` for none, `true` for pino JSON on stdout, or a pino logger. @default false */
  readonly logger?: boolean | FastifyBaseLogger;
  readonly limits?: ServerLimits;
  /** `platform.yaml` (or its directory) that **Create repository** registers services on. */
  readonly platformConfig?: string;
  /**
   * Where **Create repository** pushes: a URL template in which `{name}` is the service name,
   * e.g. `file:///srv/git/{name}.git`. Without it (or `platformConfig`) the action is disabled.
   */
  readonly pushTarget?: string;
  /**
   * Called with the resolved push URL before **Create repository** pushes, e.g. to create an empty
   * bare repository (what `serve --dev` does for its local Git directory).
   */
  readonly preparePushTarget?: (url: string) => void;
  /**
   * The platform repository's Git URL. When set, **Create repository** registers the service on a
   * new branch `slipway/new-<name>` of it, for a person to review and merge, instead of writing
   * into `platformConfig` (a local working tree: `serve --dev --config` only).
   */
  readonly platformRepo?: string;
  /** Path of the platform file inside `platformRepo`. @default "platform.yaml" */
  readonly platformConfigPath?: string;
  /**
   * Token for HTTPS pushes (the new repository and the platform branch), e.g. a GitHub app or
   * fine-grained token with Contents read/write. Given to git through its environment, never argv,
   * and redacted from every message.
   */
  readonly gitToken?: string;
  /** GitHub owner used when a request gives none (Initializr clients never do). @default "slipway" */
  readonly defaultOwner?: string;
  /** Secret that signs the CSRF cookie; random per process when absent. */
  readonly cookieSecret?: string;
  /** Public base URL used in the metadata's `_links`; derived from the request when absent. */
  readonly baseUrl?: string;
  /**
   * Proxies whose `X-Forwarded-For`/`-Proto`/`-Host` are believed, which decides `request.ip` (rate
   * limit, anonymous networks) and `request.protocol`: addresses, CIDRs or the names `loopback`,
   * `linklocal`, `uniquelocal` (10/8, 172.16/12, 192.168/16, fc00::/7); `true` believes any client.
   * Behind the cluster's ingress: `["loopback", "uniquelocal"]`. Off by default because the same
   * server also listens on home networks, where private addresses are clients that could forge
   * the headers (and an address, e.g. loopback for anonymous API access).
   * @default false
   */
  readonly trustProxy?: boolean | readonly string[];
}
