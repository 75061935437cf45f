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
  /** GitHub owner used when a request gives none (Initializr clients never do). @default "slipway" */
  readonly defaultOwner?: string;
  /** Secret that signs the CSRF cookie; random per process when absent. */
  readonly cookieSecret?: string;
  /** Public base URL used in the metadata's `_links`; derived from the request when absent. */
  readonly baseUrl?: string;
}
