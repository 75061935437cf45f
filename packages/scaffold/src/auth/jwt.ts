import { constants, createPublicKey, type JsonWebKey, type KeyObject, verify } from "node:crypto";

/** Asymmetric algorithms only: `none` and HMAC (which would make the public JWKS a signing key) are refused. */
const ALGORITHMS: Readonly<Record<string, { hash: string | null; kty: string; pss?: true; ec?: true }>> = {
  RS256: { hash: "sha256", kty: "RSA" },
  RS384: { hash: "sha384", kty: "RSA" },
  RS512: { hash: "sha512", kty: "RSA" },
  PS256: { hash: "sha256", kty: "RSA", pss: true },
  PS384: { hash: "sha384", kty: "RSA", pss: true },
  PS512: { hash: "sha512", kty: "RSA", pss: true },
  ES256: { hash: "sha256", kty: "EC", ec: true },
  ES384: { hash: "sha384", kty: "EC", ec: true },
  ES512: { hash: "sha512", kty: "EC", ec: true },
  EdDSA: { hash: null, kty: "OKP" },
  Ed25519: { hash: null, kty: "OKP" },
};

export interface JwtClaims {
  readonly [claim: string]: unknown;
}

export interface JwtExpectations {
  readonly issuer: string;
  /** The token's `aud` must contain at least one of these. */
  readonly audiences: readonly string[];
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** Seconds of clock skew tolerated on `exp` and `nbf`. */
  readonly clockTolerance: number;
}

/** Why a token was refused; codes, not prose, so tests and logs can rely on them. */
export type JwtFailure =
  | "malformed"
  | "unsupported_alg"
  | "wrong_typ"
  | "unknown_key"
  | "bad_signature"
  | "wrong_issuer"
  | "wrong_audience"
  | "expired"
  | "not_yet_valid";

export type JwtResult = { ok: true; claims: JwtClaims } | { ok: false; reason: JwtFailure };

/** Three base64url segments: the shape of a JWS compact serialisation (opaque tokens rarely have it). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

function decodeJson(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A JWKS fetched from the issuer, cached, and refetched (at most once per `minRefetchMs`) when a
 * token names a key id it does not know, which is how issuers rotate keys.
 */
export class RemoteJwks {
  #keys: JsonWebKey[] = [];
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #failedAt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<void> | undefined;

  constructor(
    private readonly uri: URL,
    private readonly fetchFn: typeof fetch = fetch,
    private readonly maxAgeMs = 10 * 60_000,
    private readonly minRefetchMs = 30_000,
  ) {}

  async key(kid: string | undefined, kty: string, now: number): Promise<KeyObject | undefined> {
    if (now - this.#fetchedAt > this.maxAgeMs) await this.#refresh(now);
    let jwk = this.#select(kid, kty);
    if (!jwk && now - this.#fetchedAt > this.minRefetchMs) {
      await this.#refresh(now);
      jwk = this.#select(kid, kty);
    }
    if (!jwk) return undefined;
    try {
      return createPublicKey({ key: jwk, format: "jwk" });
    } catch {
      return undefined;
    }
  }

  #select(kid: string | undefined, kty: string): JsonWebKey | undefined {
    const candidates = this.#keys.filter(
      (k) =>
        k.kty === kty && (k.use === undefined || k.use === "sig") && (kid === undefined || k.kid === kid),
    );
    // Without a kid the choice is only unambiguous when one key fits.
    return kid === undefined && candidates.length !== 1 ? undefined : candidates[0];
  }

  async #refresh(now: number): Promise<void> {
    // While the issuer is failing, do not turn every API request into another JWKS fetch.
    if (now - this.#failedAt < this.minRefetchMs / 6) throw new Error("JWKS unavailable (backing off)");
    this.#inflight ??= (async () => {
      try {
        const response = await this.fetchFn(this.uri, { headers: { accept: "application/json" } });
        if (!response.ok) throw new Error(`JWKS fetch failed with HTTP ${response.status}`);
        const body = (await response.json()) as { keys?: unknown };
        if (!Array.isArray(body.keys)) throw new Error("JWKS response has no keys array");
        this.#keys = body.keys as JsonWebKey[];
        this.#fetchedAt = now;
      } catch (error) {
        this.#failedAt = now;
        throw error;
      } finally {
        this.#inflight = undefined;
      }
    })();
    await this.#inflight;
  }
}

/**
 * Validates a JWT access token: asymmetric signature against the issuer's JWKS, `typ` (an ID token
 * is not an access token), `iss`, `aud`, `exp` (required) and `nbf`.
 */
export async function verifyJwtAccessToken(
  token: string,
  jwks: RemoteJwks,
  expect: JwtExpectations,
): Promise<JwtResult> {
  const [h, p, s] = token.split(".");
  if (h === undefined || p === undefined || s === undefined) return { ok: false, reason: "malformed" };
  const header = decodeJson(h);
  const claims = decodeJson(p);
  if (!header || !claims) return { ok: false, reason: "malformed" };

  const alg = typeof header.alg === "string" ? ALGORITHMS[header.alg] : undefined;
  if (!alg || header.crit !== undefined) return { ok: false, reason: "unsupported_alg" };
  // RFC 9068 says at+jwt; ZITADEL and Keycloak send JWT. ID tokens from the same issuer are caught
  // by the audience rule only when audiences differ, so refuse anything that declares itself otherwise.
  const typ = typeof header.typ === "string" ? header.typ.toLowerCase() : undefined;
  if (typ !== undefined && typ !== "at+jwt" && typ !== "application/at+jwt" && typ !== "jwt") {
    return { ok: false, reason: "wrong_typ" };
  }
  // An ID token has the client as audience, so the audience rule alone would let one pass as an
  // access token; ID tokens from a code flow carry a nonce (Keycloak also says typ "ID"), access tokens never do.
  if (claims.nonce !== undefined || claims.typ === "ID") return { ok: false, reason: "wrong_typ" };

  const key = await jwks.key(typeof header.kid === "string" ? header.kid : undefined, alg.kty, expect.now);
  if (!key) return { ok: false, reason: "unknown_key" };
  const data = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s, "base64url");
  let valid = false;
  try {
    if (alg.pss) {
      valid = verify(
        alg.hash,
        data,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
        signature,
      );
    } else if (alg.ec) {
      valid = verify(alg.hash, data, { key, dsaEncoding: "ieee-p1363" }, signature);
    } else {
      valid = verify(alg.hash, data, key, signature);
    }
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, reason: "bad_signature" };

  if (claims.iss !== expect.issuer) return { ok: false, reason: "wrong_issuer" };
  const aud = typeof claims.aud === "string" ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  if (!aud.some((a) => typeof a === "string" && expect.audiences.includes(a))) {
    return { ok: false, reason: "wrong_audience" };
  }
  const nowSeconds = expect.now / 1000;
  if (typeof claims.exp !== "number" || claims.exp + expect.clockTolerance <= nowSeconds) {
    return { ok: false, reason: "expired" };
  }
  if (typeof claims.nbf === "number" && claims.nbf - expect.clockTolerance > nowSeconds) {
    return { ok: false, reason: "not_yet_valid" };
  }
  return { ok: true, claims };
}
