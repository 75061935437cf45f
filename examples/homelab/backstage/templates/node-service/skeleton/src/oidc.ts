import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import * as client from "openid-client";
import type { OidcSettings } from "./config.ts";

export interface User {
  readonly subject: string;
  readonly name?: string;
  readonly email?: string;
}

interface Pending {
  readonly verifier: string;
  readonly state: string;
  readonly nonce: string;
  readonly expires: number;
}

const SESSION_COOKIE = "sid";
const LOGIN_COOKIE = "login";
const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
const LOGIN_TTL_MS = 10 * 60 * 1000;

/**
 * Authorization code flow with PKCE, state and nonce against the platform's issuer (ZITADEL or
 * Keycloak). Sessions live in memory: enough for one replica; use a shared store before scaling out.
 */
export class OidcLogin {
  readonly #sessions = new Map<string, { user: User; expires: number }>();
  readonly #pending = new Map<string, Pending>();
  readonly #config: client.Configuration;
  readonly #redirectUri: string;
  readonly #secure: boolean;

  private constructor(config: client.Configuration, redirectUri: string) {
    this.#config = config;
    this.#redirectUri = redirectUri;
    this.#secure = redirectUri.startsWith("https:");
  }

  /** Discovers the issuer; plain-HTTP issuers are allowed only on localhost (development, tests). */
  static async discover(settings: OidcSettings, publicUrl: string): Promise<OidcLogin> {
    const local = ["localhost", "127.0.0.1", "[::1]"].includes(settings.issuer.hostname);
    const config = await client.discovery(
      settings.issuer,
      settings.clientId,
      settings.clientSecret,
      undefined,
      local ? { execute: [client.allowInsecureRequests] } : undefined,
    );
    return new OidcLogin(config, new URL("/auth/callback", publicUrl).href);
  }

  /** Starts a login: remembers the PKCE verifier, state and nonce, returns the issuer's URL. */
  async start(res: ServerResponse): Promise<string> {
    const verifier = client.randomPKCECodeVerifier();
    const pending: Pending = {
      verifier,
      state: client.randomState(),
      nonce: client.randomNonce(),
      expires: Date.now() + LOGIN_TTL_MS,
    };
    const id = randomId();
    this.#pending.set(id, pending);
    this.#setCookie(res, LOGIN_COOKIE, id, LOGIN_TTL_MS);
    const url = client.buildAuthorizationUrl(this.#config, {
      redirect_uri: this.#redirectUri,
      scope: "openid profile email",
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state: pending.state,
      nonce: pending.nonce,
    });
    return url.href;
  }

  /** Completes a login on the callback; checks state, nonce and PKCE, then starts a session. */
  async finish(req: IncomingMessage, res: ServerResponse, url: URL): Promise<string> {
    const id = cookies(req).get(LOGIN_COOKIE);
    const pending = id ? this.#pending.get(id) : undefined;
    if (id) this.#pending.delete(id);
    if (!pending || pending.expires < Date.now()) return "/login";
    const callbackUrl = new URL(url.pathname + url.search, this.#redirectUri);
    const tokens = await client.authorizationCodeGrant(this.#config, callbackUrl, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error("the issuer returned no ID token");
    const user: User = {
      subject: claims.sub,
      ...(typeof claims.name === "string" ? { name: claims.name } : {}),
      ...(typeof claims.email === "string" ? { email: claims.email } : {}),
    };
    const sid = randomId();
    this.#sessions.set(sid, { user, expires: Date.now() + SESSION_TTL_MS });
    this.#setCookie(res, SESSION_COOKIE, sid, SESSION_TTL_MS);
    return "/";
  }

  user(req: IncomingMessage): User | undefined {
    const sid = cookies(req).get(SESSION_COOKIE);
    const session = sid ? this.#sessions.get(sid) : undefined;
    if (!session || session.expires < Date.now()) return undefined;
    return session.user;
  }

  logout(req: IncomingMessage, res: ServerResponse): void {
    const sid = cookies(req).get(SESSION_COOKIE);
    if (sid) this.#sessions.delete(sid);
    this.#setCookie(res, SESSION_COOKIE, "", 0);
  }

  #setCookie(res: ServerResponse, name: string, value: string, maxAgeMs: number): void {
    const attrs = [`${name}=${value}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${Math.floor(maxAgeMs / 1000)}`];
    if (this.#secure) attrs.push("Secure");
    const previous = res.getHeader("set-cookie");
    const list = Array.isArray(previous) ? previous : typeof previous === "string" ? [previous] : [];
    res.setHeader("set-cookie", [...list, attrs.join("; ")]);
  }
}

function randomId(): string {
  return randomBytes(32).toString("base64url");
}

function cookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}
