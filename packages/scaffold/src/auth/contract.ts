import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** Who made a request, once authenticated. */
export interface Principal {
  readonly subject: string;
  readonly name?: string;
  readonly email?: string;
  /** How they got in: a browser session, a bearer token, or anonymous from an allowed network. */
  readonly via: "session" | "bearer" | "anonymous-network";
}

/**
 * The contract between the server (routes, UI, API) and authentication. The server registers
 * the plugin, then guards pages with `requirePage` (unauthenticated → redirect to login) and the
 * API with `requireApi` (unauthenticated → 401 JSON). `principal(request)` is set by either guard.
 */
export interface AuthPlugin {
  /**
   * Adds the plugin's routes. Given `forms`, a route that changes state on a form post (logout)
   * refuses one without a valid CSRF token; the server always passes it.
   */
  register(app: FastifyInstance, forms?: FormGuard): Promise<void>;
  requirePage(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  requireApi(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  principal(request: FastifyRequest): Principal | undefined;
  /**
   * An opaque id of the browser session the request carries (read from its cookie, no guard
   * needed), or undefined without one. CSRF tokens are bound to it, so one session's token pair
   * is worthless in another.
   */
  sessionId?(request: FastifyRequest): string | undefined;
  /**
   * Origins a form post may end up at through redirects (the issuer's login and end-session
   * pages): the Content-Security-Policy's `form-action` allows them besides `'self'`, or the
   * browser stops a login started by a form post, or a logout, half-way.
   */
  readonly formActions?: readonly string[];
}

/** Checks a form post's CSRF token (the server's `Csrf`). */
export interface FormGuard {
  verify(request: FastifyRequest): boolean;
}

/** No authentication at all: only for tests of the routes themselves, never for `serve`. */
export const noAuth: AuthPlugin = {
  async register() {},
  async requirePage() {},
  async requireApi() {},
  principal: () => ({ subject: "anonymous", via: "anonymous-network" }),
};
