import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Jwks, remoteJwks, verifyJwtAccessToken } from "../../src/auth/jwt.js";

// Each refusal reason on its own, against a JWKS served over real HTTP; the end-to-end bearer tests
// (oidc.test.ts) cover the same verifier with tokens from a real oidc-provider.
const ISSUER = "https://auth.example.dev";
const NOW = Date.UTC(2026, 11, 5, 12, 0, 0);
const expect_ = { issuer: ISSUER, audiences: ["scaffold"], now: NOW, clockTolerance: 30 };

let server: Server;
let jwks: Jwks;
let keys: Record<"rs" | "es" | "ps", { privateKey: CryptoKey; jwk: JWK }>;
let served: JWK[];

async function key(alg: string, kid: string) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

function token(
  k: { privateKey: CryptoKey; jwk: JWK },
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
) {
  const base = { sub: "alice", iss: ISSUER, aud: "scaffold", iat: NOW / 1000, exp: NOW / 1000 + 300 };
  return new SignJWT({ ...base, ...claims })
    .setProtectedHeader({ alg: k.jwk.alg as string, kid: k.jwk.kid as string, typ: "at+jwt", ...header })
    .sign(k.privateKey);
}

beforeAll(async () => {
  keys = { rs: await key("RS256", "rs"), es: await key("ES256", "es"), ps: await key("PS256", "ps") };
  served = [keys.rs.jwk, keys.es.jwk, keys.ps.jwk];
  server = createServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ keys: served }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  jwks = remoteJwks(new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`));
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("verifyJwtAccessToken", () => {
  it("accepts RS256, ES256 and PS256 access tokens for its audience", async () => {
    for (const k of [keys.rs, keys.es, keys.ps]) {
      const result = await verifyJwtAccessToken(await token(k), jwks, expect_);
      expect(result).toMatchObject({ ok: true, claims: { sub: "alice", iss: ISSUER } });
    }
  });

  it("refuses HS256 signed with the public key's bytes (algorithm confusion)", async () => {
    const header = Buffer.from(JSON.stringify({ alg: "HS256", kid: "rs", typ: "JWT" })).toString("base64url");
    const payload = Buffer.from(
      JSON.stringify({ iss: ISSUER, aud: "scaffold", sub: "mallory", exp: NOW / 1000 + 300 }),
    ).toString("base64url");
    const mac = createHmac("sha256", JSON.stringify(keys.rs.jwk))
      .update(`${header}.${payload}`)
      .digest("base64url");
    expect(await verifyJwtAccessToken(`${header}.${payload}.${mac}`, jwks, expect_)).toEqual({
      ok: false,
      reason: "unsupported_alg",
    });
  });

  it("says why each other token is refused", async () => {
    const cases: [string, Promise<string> | string][] = [
      ["wrong_issuer", token(keys.rs, { iss: "https://evil.example" })],
      ["wrong_audience", token(keys.rs, { aud: "another-client" })],
      ["expired", token(keys.rs, { exp: NOW / 1000 - 31 })],
      ["not_yet_valid", token(keys.rs, { nbf: NOW / 1000 + 60 })],
      ["wrong_typ", token(keys.rs, {}, { typ: "logout+jwt" })],
      ["wrong_typ", token(keys.rs, { nonce: "n-0S6_WzA2Mj" })],
      ["unknown_key", token(keys.rs, {}, { kid: "rotated-away" })],
      ["malformed", "a.b.c"],
    ];
    for (const [reason, t] of cases) {
      expect({ reason, result: await verifyJwtAccessToken(await t, jwks, expect_) }).toEqual({
        reason,
        result: { ok: false, reason },
      });
    }
  });

  it("tolerates the configured clock skew on exp", async () => {
    const t = await token(keys.rs, { exp: NOW / 1000 - 10 });
    expect((await verifyJwtAccessToken(t, jwks, expect_)).ok).toBe(true);
  });

  it("refuses a token without exp", async () => {
    const t = await new SignJWT({ sub: "alice" })
      .setProtectedHeader({ alg: "RS256", kid: "rs" })
      .setIssuer(ISSUER)
      .setAudience("scaffold")
      .sign(keys.rs.privateKey);
    expect(await verifyJwtAccessToken(t, jwks, expect_)).toEqual({ ok: false, reason: "expired" });
  });

  it("throws, rather than refusing the token, when the issuer's JWKS cannot be fetched", async () => {
    const gone = remoteJwks(new URL("http://127.0.0.1:1/jwks"));
    await expect(verifyJwtAccessToken(await token(keys.rs), gone, expect_)).rejects.toThrow();
  });
});
