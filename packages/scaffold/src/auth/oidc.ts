import { randomBytes } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import * as client from "openid-client";
import type { AuthPlugin, FormGuard, Principal } from "./contract.js";
import { createSealer, readCookie, serializeCookie } from "./cookie.js";
import { type Jwks, looksLikeJwt, remoteJwks, verifyJwtAccessToken } from "./jwt.js";
import { isLoopbackHost, networkMatcher } from "./networks.js";
import { safeReturnPath } from "./return-path.js";

export interface OidcAuthOptions {
  /** The issuer identifier; discovery reads `<issuerUrl>/.well-known/openid-configuration`. */
  readonly issuerUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Absolute URL of this service's `/auth/callback`, exactly as registered at the issuer. */
  readonly redirectUri: string;
  /** At least 32 characters; the session key is derived from it, so rotating it logs everyone out. */
  readonly cookieSecret: string;
  /**
   * CIDRs whose clients may call the API without a token (IDE clients cannot log in). The client IP
   * is fastify's `request.ip`, so behind a proxy set fastify's `trustProxy` accordingly.
   * @default [] (no anonymous access)
   */
  readonly anonymousNetworks?: readonly string[];
  /**
   * Accepted `aud` values of bearer JWTs (and of introspected tokens that carry one).
   * @default [clientId]
   */
  readonly audiences?: readonly string[];
  /** @default "openid profile email" */
  readonly scope?: string;
  /** @default 28800 (8 hours) */
  readonly sessionTtlSeconds?: number;
  /**
   * `false` drops the `Secure` attribute (and the `__Host-` prefix); refused unless `redirectUri` is
   * plain http on a loopback address, so it can only serve `slipway serve --dev`.
   * @default true
   */
  readonly secureCookies?: boolean;
  /** Where the issuer sends the browser after RP-initiated logout. @default the origin of redirectUri + "/" */
  readonly postLogoutRedirectUri?: string;
  /** Milliseconds since the epoch; injectable so tests can age sessions and tokens. @default Date.now */
  readonly now?: () => number;
  /** Seconds of clock skew tolerated on token times. @default 30 */
  readonly clockTolerance?: number;
}

/** The environment `oidcAuthFromEnv` reads: the names the platform injects, plus the cookie secret. */
export const OIDC_ENV = {
  issuerUrl: "OIDC_ISSUER_URL",
  clientId: "OIDC_CLIENT_ID",
  clientSecret: "OIDC_CLIENT_SECRET",
  cookieSecret: "SCAFFOLD_COOKIE_SECRET",
} as const;

const TX_TTL_SECONDS = 600;

interface Transaction {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  readonly returnTo: string;
  readonly exp: number;
}

interface Session {
  /** Random per login: what CSRF tokens are bound to. */
  readonly sid?: string;
  readonly sub: string;
  readonly name?: string;
  readonly email?: string;
  readonly idToken?: string;
  readonly exp: number;
}

const principals = new WeakMap<FastifyRequest, Principal>();

function isLoopbackHttp(url: URL): boolean {
  // The same rule as `--dev`'s host check: 127.255.255.254 and ::ffff:127.0.0.1 were allowed there
  // and refused here, which crashed the start (exit 70).
  return url.protocol === "http:" && isLoopbackHost(url.hostname);
}

function isTransaction(v: unknown): v is Transaction {
  const t = v as Partial<Transaction> | undefined;
  return (
    typeof t?.state === "string" &&
    typeof t.nonce === "string" &&
    typeof t.verifier === "string" &&
    typeof t.returnTo === "string" &&
    typeof t.exp === "number"
  );
}

function isSession(v: unknown): v is Session {
  const s = v as Partial<Session> | undefined;
  return typeof s?.sub === "string" && typeof s.exp === "number";
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function principalFrom(sub: string, via: Principal["via"], name?: string, email?: string): Principal {
  return { subject: sub, via, ...(name ? { name } : {}), ...(email ? { email } : {}) };
}

/**
 * OpenID Connect for the scaffold: authorization code + PKCE (S256) with state and nonce for
 * browsers, an AES-256-GCM encrypted session cookie, and bearer tokens (JWT against the issuer's
 * JWKS, otherwise introspection) for API clients.
 *
 * @example
 * const auth = oidcAuth({ issuerUrl, clientId, clientSecret, redirectUri, cookieSecret });
 * await auth.register(app);
 * app.get("/", { preHandler: auth.requirePage }, handler);
 */
export function oidcAuth(options: OidcAuthOptions): AuthPlugin {
  const issuer = new URL(options.issuerUrl);
  const redirectUri = new URL(options.redirectUri);
  const secure = options.secureCookies ?? true;
  if (!secure && !isLoopbackHttp(redirectUri)) {
    throw new Error("secureCookies: false is only allowed for an http loopback redirectUri (development)");
  }
  const sealer = createSealer(options.cookieSecret);
  const now = options.now ?? Date.now;
  const clockTolerance = options.clockTolerance ?? 30;
  const sessionTtl = options.sessionTtlSeconds ?? 8 * 3600;
  const audiences = options.audiences ?? [options.clientId];
  const scope = options.scope ?? "openid profile email";
  const anonymous = networkMatcher(options.anonymousNetworks ?? []);
  const postLogoutRedirectUri = options.postLogoutRedirectUri ?? new URL("/", redirectUri).href;
  // The __Host- prefix makes the browser refuse the cookie unless Secure, Path=/ and host-only.
  const sessionCookie = secure ? "__Host-slipway-session" : "slipway-session";
  const txCookie = secure ? "__Host-slipway-auth" : "slipway-auth";

  let discovered: Promise<{ config: client.Configuration; jwks: Jwks | undefined }> | undefined;
  const discover = () => {
    discovered ??= (async () => {
      const config = await client.discovery(
        issuer,
        options.clientId,
        { client_secret: options.clientSecret },
        client.ClientSecretBasic(options.clientSecret),
        // Plain http is tolerated only for a loopback issuer, i.e. the embedded development provider.
        isLoopbackHttp(issuer) ? { execute: [client.allowInsecureRequests] } : undefined,
      );
      const jwksUri = config.serverMetadata().jwks_uri;
      return { config, jwks: jwksUri ? remoteJwks(new URL(jwksUri)) : undefined };
    })().catch((error: unknown) => {
      discovered = undefined; // retry on the next request instead of failing forever
      throw error;
    });
    return discovered;
  };

  const cookie = (name: string, value: string, maxAge: number) =>
    serializeCookie(name, value, { secure, maxAge, now: now() });

  function readSession(request: FastifyRequest): Session | undefined {
    const raw = readCookie(request.headers.cookie, sessionCookie);
    if (!raw) return undefined;
    const session = sealer.unseal(sessionCookie, raw);
    return isSession(session) && session.exp > now() ? session : undefined;
  }

  async function bearerPrincipal(token: string): Promise<Principal | undefined> {
    const { config, jwks } = await discover();
    if (looksLikeJwt(token) && jwks) {
      const result = await verifyJwtAccessToken(token, jwks, {
        issuer: config.serverMetadata().issuer,
        audiences,
        now: now(),
        clockTolerance,
      });
      if (!result.ok) return undefined;
      const sub = optionalString(result.claims.sub) ?? optionalString(result.claims.client_id);
      return sub ? principalFrom(sub, "bearer") : undefined;
    }
    if (!config.serverMetadata().introspection_endpoint) return undefined;
    let info: client.IntrospectionResponse;
    try {
      info = await client.tokenIntrospection(config, token);
    } catch (error) {
      // An OAuth error answer (4xx) is the issuer refusing this token; anything else means it is unreachable.
      if (error instanceof client.ResponseBodyError && error.status < 500) return undefined;
      throw error;
    }
    if (info.active !== true) return undefined;
    if (typeof info.exp === "number" && info.exp + clockTolerance <= now() / 1000) return undefined;
    if (info.aud !== undefined) {
      const aud = Array.isArray(info.aud) ? info.aud : [info.aud];
      if (!aud.some((a) => audiences.includes(a))) return undefined;
    } else if (info.client_id !== options.clientId) {
      // Without an audience, only tokens issued to this very client are known to be meant for it.
      return undefined;
    }
    const sub = optionalString(info.sub) ?? optionalString(info.client_id);
    return sub ? principalFrom(sub, "bearer", optionalString(info.username)) : undefined;
  }

  function unauthorized(reply: FastifyReply, error?: "invalid_token") {
    const challenge = error
      ? `Bearer realm="slipway-scaffold", error="${error}"`
      : `Bearer realm="slipway-scaffold"`;
    return reply
      .code(401)
      .header("www-authenticate", challenge)
      .header("cache-control", "no-store")
      .send({ error: error ?? "unauthorized" });
  }

  return {
    formActions: [issuer.origin],

    async register(app: FastifyInstance, forms?: FormGuard) {
      app.get("/auth/login", async (request, reply) => {
        let config: client.Configuration;
        try {
          ({ config } = await discover());
        } catch (error) {
          request.log.error({ err: { message: (error as Error).message } }, "OIDC discovery failed");
          return reply.code(503).header("retry-after", "5").send({ error: "issuer_unavailable" });
        }
        const query = request.query as Record<string, unknown>;
        const verifier = client.randomPKCECodeVerifier();
        const tx: Transaction = {
          state: client.randomState(),
          nonce: client.randomNonce(),
          verifier,
          returnTo: safeReturnPath(query.returnTo),
          exp: now() + TX_TTL_SECONDS * 1000,
        };
        const url = client.buildAuthorizationUrl(config, {
          redirect_uri: redirectUri.href,
          scope,
          code_challenge: await client.calculatePKCECodeChallenge(verifier),
          code_challenge_method: "S256",
          state: tx.state,
          nonce: tx.nonce,
        });
        return reply
          .header("set-cookie", cookie(txCookie, sealer.seal(txCookie, tx), TX_TTL_SECONDS))
          .header("cache-control", "no-store")
          .redirect(url.href, 302);
      });

      // The query carries the authorization code: keep fastify's per-request info logs (which print the URL) off.
      app.get("/auth/callback", { logLevel: "warn" }, async (request, reply) => {
        // The transaction is single-use: cleared whatever happens, so a replayed callback finds nothing.
        reply.header("set-cookie", cookie(txCookie, "", 0)).header("cache-control", "no-store");
        const raw = readCookie(request.headers.cookie, txCookie);
        const tx = raw ? sealer.unseal(txCookie, raw) : undefined;
        if (!isTransaction(tx) || tx.exp <= now()) {
          return reply.code(400).send({ error: "auth_transaction_missing" });
        }
        const { config } = await discover();
        // Built from the configured redirect URI, not the Host header, which the client controls.
        const current = new URL(redirectUri);
        current.search = new URL(request.url, redirectUri).search;
        let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
        try {
          tokens = await client.authorizationCodeGrant(config, current, {
            pkceCodeVerifier: tx.verifier,
            expectedState: tx.state,
            expectedNonce: tx.nonce,
            idTokenExpected: true,
          });
        } catch (error) {
          // Only the error code is logged: descriptions can echo request parameters.
          const code =
            (error as { code?: unknown; error?: unknown }).error ?? (error as { code?: unknown }).code;
          request.log.warn(
            { authError: typeof code === "string" ? code : "unknown" },
            "OIDC callback refused",
          );
          return reply.code(400).send({ error: "auth_callback_refused" });
        }
        const claims = tokens.claims();
        if (!claims) return reply.code(400).send({ error: "auth_callback_refused" });
        let name = optionalString(claims.name) ?? optionalString(claims.preferred_username);
        let email = optionalString(claims.email);
        if ((!name || !email) && config.serverMetadata().userinfo_endpoint) {
          try {
            const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
            name ??= optionalString(info.name) ?? optionalString(info.preferred_username);
            email ??= optionalString(info.email);
          } catch {
            // Profile details are cosmetic; the ID token already authenticated the user.
          }
        }
        const session: Session = {
          sid: randomBytes(18).toString("base64url"),
          sub: claims.sub,
          exp: now() + sessionTtl * 1000,
          ...(name ? { name } : {}),
          ...(email ? { email } : {}),
          ...(tokens.id_token ? { idToken: tokens.id_token } : {}),
        };
        return reply
          .header("set-cookie", cookie(sessionCookie, sealer.seal(sessionCookie, session), sessionTtl))
          .redirect(tx.returnTo, 303);
      });

      // A link to logout (cross-site or not) only leads to the pages, whose header has the button.
      app.get("/auth/logout", async (_request, reply) =>
        reply.header("cache-control", "no-store").redirect("/", 303),
      );
      // POST with the page's CSRF token only: a cross-site <img src="/auth/logout"> or form post
      // must not end sessions.
      app.post("/auth/logout", async (request, reply) => {
        if (forms !== undefined && !forms.verify(request)) {
          return reply.code(403).header("cache-control", "no-store").send({ error: "csrf_token_invalid" });
        }
        const session = readSession(request);
        reply.header("set-cookie", cookie(sessionCookie, "", 0)).header("cache-control", "no-store");
        let target = "/";
        try {
          const { config } = await discover();
          if (config.serverMetadata().end_session_endpoint) {
            target = client.buildEndSessionUrl(config, {
              post_logout_redirect_uri: postLogoutRedirectUri,
              ...(session?.idToken ? { id_token_hint: session.idToken } : {}),
            }).href;
          }
        } catch {
          // The local session is gone either way; the issuer being down must not keep it alive.
        }
        return reply.redirect(target, 303);
      });
    },

    async requirePage(request, reply) {
      const session = readSession(request);
      if (session) {
        principals.set(request, principalFrom(session.sub, "session", session.name, session.email));
        return;
      }
      // After login the browser comes back with a GET: a form post's URL (/generate) is no page.
      const returnTo =
        request.method === "GET" || request.method === "HEAD" ? safeReturnPath(request.url) : "/";
      const login = returnTo === "/" ? "/auth/login" : `/auth/login?returnTo=${encodeURIComponent(returnTo)}`;
      await reply.header("cache-control", "no-store").redirect(login, 302);
    },

    async requireApi(request, reply) {
      const authorization = request.headers.authorization;
      if (authorization !== undefined) {
        const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization.trim());
        let principal: Principal | undefined;
        if (match?.[1]) {
          try {
            principal = await bearerPrincipal(match[1]);
          } catch (error) {
            // The issuer (discovery, JWKS, introspection) is unreachable: the token is not known to be bad.
            request.log.error(
              { err: { message: (error as Error).message } },
              "bearer token validation failed",
            );
            return reply
              .code(503)
              .header("retry-after", "5")
              .header("cache-control", "no-store")
              .send({ error: "issuer_unavailable" });
          }
        }
        // A presented but invalid credential is refused even from an anonymous network (RFC 6750).
        if (!principal) return unauthorized(reply, "invalid_token");
        principals.set(request, principal);
        return;
      }
      const session = readSession(request);
      if (session) {
        principals.set(request, principalFrom(session.sub, "session", session.name, session.email));
        return;
      }
      if (anonymous(request.ip)) {
        principals.set(request, { subject: "anonymous", via: "anonymous-network" });
        return;
      }
      return unauthorized(reply);
    },

    principal: (request) => principals.get(request),

    sessionId(request) {
      const session = readSession(request);
      // A session sealed before ids existed is told apart by its subject and expiry.
      return session === undefined ? undefined : (session.sid ?? `${session.sub}@${session.exp}`);
    },
  };
}

/**
 * `oidcAuth` configured from the environment the platform injects; throws naming every missing variable.
 */
export function oidcAuthFromEnv(
  env: NodeJS.ProcessEnv,
  rest: Omit<OidcAuthOptions, "issuerUrl" | "clientId" | "clientSecret" | "cookieSecret">,
): AuthPlugin {
  const missing = Object.values(OIDC_ENV).filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`missing environment variables: ${missing.join(", ")}`);
  return oidcAuth({
    ...rest,
    issuerUrl: env[OIDC_ENV.issuerUrl] as string,
    clientId: env[OIDC_ENV.clientId] as string,
    clientSecret: env[OIDC_ENV.clientSecret] as string,
    cookieSecret: env[OIDC_ENV.cookieSecret] as string,
  });
}
