import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/**
 * Authenticated encryption for cookie values: AES-256-GCM with a key derived (HKDF-SHA256) from the
 * configured secret. The cookie name is bound as additional data, so a sealed login transaction can
 * never be replayed as a session cookie or the other way round.
 */
export interface Sealer {
  seal(name: string, value: unknown): string;
  /** The decrypted value, or `undefined` for anything tampered, truncated or sealed with another key. */
  unseal(name: string, sealed: string): unknown;
}

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Secrets shorter than this are refused: the cookie key is only as strong as the secret. */
export const MIN_SECRET_LENGTH = 32;

export function createSealer(secret: string): Sealer {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`the cookie secret must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  const key = Buffer.from(hkdfSync("sha256", secret, "slipway-scaffold", "session-cookie-v1", 32));
  return {
    seal(name, value) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(name));
      const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
      return `${VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url")}`;
    },
    unseal(name, sealed) {
      const [version, data, extra] = sealed.split(".");
      if (version !== VERSION || data === undefined || extra !== undefined) return undefined;
      const raw = Buffer.from(data, "base64url");
      if (raw.length < IV_BYTES + TAG_BYTES + 1) return undefined;
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES), {
          authTagLength: TAG_BYTES,
        });
        decipher.setAAD(Buffer.from(name));
        decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
        const plain = Buffer.concat([
          decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
          decipher.final(),
        ]);
        return JSON.parse(plain.toString("utf8")) as unknown;
      } catch {
        return undefined;
      }
    },
  };
}

export interface CookieAttributes {
  readonly secure: boolean;
  /** Seconds; 0 deletes the cookie. */
  readonly maxAge: number;
  readonly now: number;
}

/** `Set-Cookie` value with the attributes every auth cookie shares: HttpOnly, SameSite=Lax, Path=/. */
export function serializeCookie(name: string, value: string, attrs: CookieAttributes): string {
  const expires = new Date(attrs.now + attrs.maxAge * 1000).toUTCString();
  const parts = [`${name}=${value}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${attrs.maxAge}`];
  parts.push(`Expires=${attrs.maxAge === 0 ? new Date(0).toUTCString() : expires}`);
  if (attrs.secure) parts.push("Secure");
  return parts.join("; ");
}

/** Reads one cookie from a `Cookie` header; the first occurrence wins, as browsers send the most specific first. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq < 0) continue;
    if (pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}
