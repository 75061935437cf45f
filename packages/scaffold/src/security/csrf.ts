import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FormGuard } from "../auth/contract.js";

const CSRF_COOKIE = "sw_csrf";
export const CSRF_FIELD = "_csrf";

/**
 * Double-submit CSRF tokens tied to a signed cookie and to the login session: the cookie holds
 * `token.signature`, the signature an HMAC of the token and the session id, every form carries
 * `token`; a POST passes only when the signature is ours for this request's session and the tokens
 * match. A pair taken from another session (a cookie tossed in from a sibling subdomain, say) fails.
 */
export class Csrf implements FormGuard {
  readonly #secret: Buffer;
  readonly #secure: boolean;
  readonly #sessionOf: (request: FastifyRequest) => string | undefined;
  /** Tokens issued during a request: a page asks more than once (its form, the Sign out button). */
  readonly #issued = new WeakMap<FastifyRequest, string>();

  /** `sessionOf`: the request's login session id (`AuthPlugin.sessionId`); undefined without one. */
  constructor(
    secret: string | undefined,
    secure: boolean,
    sessionOf: (request: FastifyRequest) => string | undefined,
  ) {
    this.#secret = secret !== undefined ? Buffer.from(secret) : randomBytes(32);
    this.#secure = secure;
    this.#sessionOf = sessionOf;
  }

  /** The request's token, issuing a cookie for a new one. */
  token(request: FastifyRequest, reply: FastifyReply): string {
    const existing = this.#issued.get(request) ?? this.#fromCookie(request);
    if (existing !== undefined) return existing;
    // None, or one of another session (e.g. from before login): a new one for this session.
    const token = randomBytes(18).toString("base64url");
    this.#issued.set(request, token);
    const attrs = ["Path=/", "HttpOnly", "SameSite=Strict", ...(this.#secure ? ["Secure"] : [])];
    reply.header(
      "set-cookie",
      `${CSRF_COOKIE}=${token}.${this.#sign(token, this.#sessionOf(request))}; ${attrs.join("; ")}`,
    );
    return token;
  }

  /** True when the form body's `_csrf` matches the signed cookie. */
  verify(request: FastifyRequest): boolean {
    const submitted = formToken(request);
    const expected = this.#fromCookie(request);
    if (expected === undefined || typeof submitted !== "string") return false;
    const a = Buffer.from(expected);
    const b = Buffer.from(submitted);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  #fromCookie(request: FastifyRequest): string | undefined {
    const value = cookie(request.headers.cookie, CSRF_COOKIE);
    if (value === undefined) return undefined;
    const dot = value.lastIndexOf(".");
    if (dot <= 0) return undefined;
    const token = value.slice(0, dot);
    const sig = Buffer.from(value.slice(dot + 1));
    const good = Buffer.from(this.#sign(token, this.#sessionOf(request)));
    return sig.length === good.length && timingSafeEqual(sig, good) ? token : undefined;
  }

  #sign(token: string, session: string | undefined): string {
    // "\0" cannot occur in a token (base64url), so token and session id cannot run into each other.
    return createHmac("sha256", this.#secret)
      .update(`${token}\0${session ?? ""}`)
      .digest("base64url");
  }
}

function formToken(request: FastifyRequest): unknown {
  const body = request.body;
  return typeof body === "object" && body !== null
    ? (body as Record<string, unknown>)[CSRF_FIELD]
    : undefined;
}

function cookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
