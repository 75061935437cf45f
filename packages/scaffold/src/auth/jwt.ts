import { createRemoteJWKSet, decodeProtectedHeader, errors, type JWTPayload, jwtVerify } from "jose";

/**
 * Asymmetric algorithms only: `none` and HMAC (which would make the public JWKS a signing key) are
 * refused before any key is looked up.
 */
const ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
];

export type JwtClaims = JWTPayload;

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

/** The issuer's key set as jose fetches it: cached, refetched when a token names an unknown key id. */
export type Jwks = ReturnType<typeof createRemoteJWKSet>;

/**
 * The issuer's JWKS, cached for ten minutes and refetched at most every 30 s when a token names a
 * key id it does not know (how issuers rotate keys).
 */
export function remoteJwks(uri: URL): Jwks {
  return createRemoteJWKSet(uri, { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000 });
}

/**
 * Validates a JWT access token with jose: asymmetric signature against the issuer's JWKS, `typ`
 * (an ID token is not an access token), `iss`, `aud`, `exp` (required) and `nbf`. An unreachable
 * JWKS is thrown, not reported as a bad token: the caller answers 503, not 401.
 */
export async function verifyJwtAccessToken(
  token: string,
  jwks: Jwks,
  expect: JwtExpectations,
): Promise<JwtResult> {
  let typ: string | undefined;
  try {
    const header = decodeProtectedHeader(token);
    typ = typeof header.typ === "string" ? header.typ.toLowerCase() : undefined;
  } catch {
    return { ok: false, reason: "malformed" };
  }
  // RFC 9068 says at+jwt; ZITADEL and Keycloak send JWT. Anything that declares itself otherwise
  // (an ID token, a logout token) is refused.
  if (typ !== undefined && typ !== "at+jwt" && typ !== "application/at+jwt" && typ !== "jwt") {
    return { ok: false, reason: "wrong_typ" };
  }
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(token, jwks, {
      algorithms: ALGORITHMS,
      issuer: expect.issuer,
      audience: [...expect.audiences],
      requiredClaims: ["exp"],
      clockTolerance: expect.clockTolerance,
      currentDate: new Date(expect.now),
    }));
  } catch (error) {
    const reason = failure(error);
    if (reason === undefined) throw error;
    return { ok: false, reason };
  }
  // An ID token has the client as audience, so the audience rule alone would let one pass as an
  // access token; ID tokens from a code flow carry a nonce (Keycloak also says typ "ID"), access
  // tokens never do.
  if (claims.nonce !== undefined || claims.typ === "ID") return { ok: false, reason: "wrong_typ" };
  return { ok: true, claims };
}

/** jose's refusal as a reason; undefined for anything that is not about the token (JWKS unreachable). */
function failure(error: unknown): JwtFailure | undefined {
  if (error instanceof errors.JWTExpired) return "expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "iss") return "wrong_issuer";
    if (error.claim === "aud") return "wrong_audience";
    if (error.claim === "nbf") return "not_yet_valid";
    if (error.claim === "exp") return "expired";
    return "malformed";
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return "bad_signature";
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return "unknown_key";
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return "unsupported_alg";
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return "malformed";
  return undefined;
}
