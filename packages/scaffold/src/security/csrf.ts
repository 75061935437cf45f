import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";

const CSRF_COOKIE = "sw_csrf";
export const CSRF_FIELD = "_csrf";

/**
 * Double-submit CSRF tokens tied to a signed cookie: the cookie holds `token.signature`, every form
 * carries `token`; a POST passes only when the cookie's signature is ours and the tokens match.
 */
export class Csrf {
  readonly #secret: Buffer;
  readonly #secure: boolean;

  constructor(secret: string | undefined, secure: boolean) {
    this.#secret = secret !== undefined ? Buffer.from(secret) : randomBytes(32);
    this.#secure = secure;
  }

  /** The request's token, issuing a cookie for a new one. */
  token(request: FastifyRequest, reply: FastifyReply): string {
    const existing = this.#fromCookie(request);
    if (existing !== undefined) return existing;
    const token = randomBytes(18).toString("base64url");
    const attrs = ["Path=/", "HttpOnly", "SameSite=Strict", ...(this.#secure ? ["Secure"] : [])];
    reply.header("set-cookie", `${CSRF_COOKIE}=${token}.${this.#sign(token)}; ${attrs.join("; ")}`);
    return token;
  }

  /** True when the submitted token matches the signed cookie. */
  verify(request: FastifyRequest, submitted: unknown): boolean {
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
    const good = Buffer.from(this.#sign(token));
    return sig.length === good.length && timingSafeEqual(sig, good) ? token : undefined;
  }

  #sign(token: string): string {
    return createHmac("sha256", this.#secret).update(token).digest("base64url");
  }
}

function cookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
