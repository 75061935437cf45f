import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevProvider, oidcAuth, startDevProvider } from "../../src/auth/index.js";
import { authorizeAtProvider, CookieJar, freePort, location, returnAfterLogin, startApp } from "./harness.js";
import { HOSTILE_RETURN_PATHS, SAFE_RETURN_PATHS } from "./return-paths.js";

const SESSION = "__Host-slipway-session";
const TX = "__Host-slipway-auth";
const SESSION_TTL = 3600;

let provider: DevProvider;
let app: FastifyInstance;
let origin: string;
let apiAudience: string;
let skewMs = 0;

async function token(params: Record<string, string>): Promise<string> {
  const basic = Buffer.from(`${provider.clientId}:${provider.clientSecret}`).toString("base64");
  const response = await fetch(`${provider.issuer}/token`, {
    method: "POST",
    headers: { authorization: `Basic ${basic}` },
    body: new URLSearchParams({ grant_type: "client_credentials", ...params }),
  });
  const body = (await response.json()) as { access_token?: string };
  expect(response.status).toBe(200);
  return body.access_token as string;
}

/** Drives the whole browser flow from a guarded URL and returns the jar plus the final callback answer. */
async function login(path = "/guarded") {
  const jar = new CookieJar();
  const page = await jar.fetch(`${origin}${path}`);
  expect(page.status).toBe(302);
  const loginUrl = location(page, origin);
  const start = await jar.fetch(loginUrl);
  expect(start.status).toBe(302);
  const callbackUrl = await authorizeAtProvider(jar, location(start, loginUrl), origin);
  const txCookie = jar.get(origin, TX) as string;
  const callback = await jar.fetch(callbackUrl);
  return { jar, callback, callbackUrl, txCookie };
}

beforeAll(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  apiAudience = `${origin}/api`;
  provider = await startDevProvider({
    redirectUris: [`${origin}/auth/callback`],
    postLogoutRedirectUris: [`${origin}/`],
    resources: [apiAudience, "https://other.example/api"],
  });
  const auth = oidcAuth({
    issuerUrl: provider.issuer,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    redirectUri: `${origin}/auth/callback`,
    cookieSecret: "0123456789abcdef0123456789abcdef-test",
    audiences: [provider.clientId, apiAudience],
    sessionTtlSeconds: SESSION_TTL,
    now: () => Date.now() + skewMs,
  });
  app = await startApp(auth, port);
});

afterAll(async () => {
  await app?.close();
  await provider?.close();
});

describe("authorization code flow", () => {
  it("redirects an unauthenticated page to login, remembering the path", async () => {
    const response = await fetch(`${origin}/guarded?tab=files`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(
      `/auth/login?returnTo=${encodeURIComponent("/guarded?tab=files")}`,
    );
  });

  it("sends PKCE S256, state and nonce to the issuer", async () => {
    const response = await fetch(`${origin}/auth/login`, { redirect: "manual" });
    expect(response.status).toBe(302);
    const url = new URL(response.headers.get("location") as string);
    expect(url.origin).toBe(provider.issuer);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get("state")).toBeTruthy();
    expect(url.searchParams.get("nonce")).toBeTruthy();
    expect(url.searchParams.get("redirect_uri")).toBe(`${origin}/auth/callback`);
  });

  it("logs in, sets a hardened session cookie and opens the guarded page", async () => {
    const { jar, callback } = await login("/guarded");
    expect(callback.status).toBe(303);
    expect(callback.headers.get("location")).toBe("/guarded");
    const setCookie = callback.headers.getSetCookie().find((c) => c.startsWith(`${SESSION}=`)) as string;
    expect(setCookie).toBeDefined();
    const attrs = setCookie.split(";").map((a) => a.trim().toLowerCase());
    expect(attrs).toEqual(
      expect.arrayContaining(["httponly", "secure", "samesite=lax", "path=/", `max-age=${SESSION_TTL}`]),
    );
    expect(attrs.some((a) => a.startsWith("expires="))).toBe(true);
    expect(attrs.some((a) => a.startsWith("domain="))).toBe(false);

    const page = await jar.fetch(`${origin}/guarded`);
    expect(page.status).toBe(200);
    const body = (await page.json()) as { who: { subject: string; via: string; email?: string } };
    expect(body.who).toMatchObject({ subject: "dev", via: "session", email: "dev@slipway.localhost" });

    // The browser session also opens the API.
    expect((await jar.fetch(`${origin}/api/ping`)).status).toBe(200);
  });

  it("refuses a tampered state", async () => {
    const jar = new CookieJar();
    const start = await jar.fetch(`${origin}/auth/login`);
    const callbackUrl = new URL(await authorizeAtProvider(jar, location(start, origin), origin));
    callbackUrl.searchParams.set("state", "forged-state");
    const response = await jar.fetch(callbackUrl.href);
    expect(response.status).toBe(400);
    expect(jar.get(origin, SESSION)).toBeUndefined();
  });

  it("refuses a callback without the transaction cookie (no PKCE verifier)", async () => {
    const jar = new CookieJar();
    const start = await jar.fetch(`${origin}/auth/login`);
    const callbackUrl = await authorizeAtProvider(jar, location(start, origin), origin);
    const response = await fetch(callbackUrl, { redirect: "manual" });
    expect(response.status).toBe(400);
    expect(response.headers.getSetCookie().some((c) => c.startsWith(`${SESSION}=`))).toBe(false);
  });

  it("refuses a replayed callback, with or without the old transaction cookie", async () => {
    const { jar, callback, callbackUrl, txCookie } = await login();
    expect(callback.status).toBe(303);
    expect(jar.get(origin, TX)).toBeUndefined(); // single use: cleared by the callback
    const replay = await fetch(callbackUrl, { redirect: "manual" });
    expect(replay.status).toBe(400);
    const replayWithTx = await fetch(callbackUrl, {
      redirect: "manual",
      headers: { cookie: `${TX}=${txCookie}` },
    });
    expect(replayWithTx.status).toBe(400); // the issuer refuses a used code
  });

  it("has an issuer that refuses authorization requests without PKCE", async () => {
    const url = new URL(`${provider.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: provider.clientId,
      response_type: "code",
      scope: "openid",
      redirect_uri: `${origin}/auth/callback`,
      state: "s",
    }).toString();
    const response = await fetch(url, { redirect: "manual" });
    const back = new URL(location(response, url.href));
    expect(back.searchParams.get("error")).toBe("invalid_request");
  });

  it("redirects again once the session has expired", async () => {
    const { jar } = await login();
    expect((await jar.fetch(`${origin}/guarded`)).status).toBe(200);
    skewMs = (SESSION_TTL + 1) * 1000;
    try {
      const response = await jar.fetch(`${origin}/guarded`);
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toMatch(/^\/auth\/login/);
    } finally {
      skewMs = 0;
    }
  });

  it("treats a tampered session cookie as no session", async () => {
    const { jar } = await login();
    const value = jar.get(origin, SESSION) as string;
    const flipped = `${value.slice(0, -2)}${value.endsWith("AA") ? "BB" : "AA"}`;
    jar.set(origin, SESSION, flipped);
    expect((await jar.fetch(`${origin}/guarded`)).status).toBe(302);
  });

  it.each(HOSTILE_RETURN_PATHS)("never returns to %j after login", async (returnTo) => {
    expect(await returnAfterLogin(origin, returnTo)).toBe("/");
  });

  it.each(SAFE_RETURN_PATHS)("returns to the same-origin path %j after login", async (returnTo) => {
    expect(await returnAfterLogin(origin, returnTo)).toBe(returnTo);
  });

  it("logs out locally and at the issuer (RP-initiated logout)", async () => {
    const { jar } = await login();
    const response = await jar.fetch(`${origin}/auth/logout`, { method: "POST" });
    expect(response.status).toBe(303);
    const target = new URL(location(response, origin));
    expect(`${target.origin}${target.pathname}`).toBe(`${provider.issuer}/session/end`);
    expect(target.searchParams.get("id_token_hint")).toBeTruthy();
    expect(target.searchParams.get("post_logout_redirect_uri")).toBe(`${origin}/`);
    expect(jar.get(origin, SESSION)).toBeUndefined();
    expect((await jar.fetch(`${origin}/guarded`)).status).toBe(302);
  });
});

describe("API bearer tokens", () => {
  const ping = (authorization?: string) =>
    fetch(`${origin}/api/ping`, authorization ? { headers: { authorization } } : {});

  it("answers 401 JSON with a Bearer challenge without credentials (anonymous access off by default)", async () => {
    const response = await ping();
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
  });

  it("accepts a JWT access token for its audience", async () => {
    const jwt = await token({ resource: apiAudience, scope: "api" });
    expect(jwt.split(".")).toHaveLength(3);
    const response = await ping(`Bearer ${jwt}`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { who: { via: string } }).who.via).toBe("bearer");
  });

  it("accepts an opaque token issued to this client (introspection)", async () => {
    const opaque = await token({});
    expect(opaque.split(".")).not.toHaveLength(3);
    expect((await ping(`Bearer ${opaque}`)).status).toBe(200);
  });

  it("refuses a JWT for another audience", async () => {
    const jwt = await token({ resource: "https://other.example/api", scope: "api" });
    const response = await ping(`Bearer ${jwt}`);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("refuses an expired JWT", async () => {
    const jwt = await token({ resource: apiAudience, scope: "api" });
    skewMs = 2 * 3600 * 1000;
    try {
      expect((await ping(`Bearer ${jwt}`)).status).toBe(401);
    } finally {
      skewMs = 0;
    }
  });

  it("refuses a JWT with a bad signature", async () => {
    const jwt = await token({ resource: apiAudience, scope: "api" });
    const [h, p, s = ""] = jwt.split(".");
    const sig = Buffer.from(s, "base64url");
    sig[0] = (sig[0] ?? 0) ^ 0xff;
    expect((await ping(`Bearer ${h}.${p}.${sig.toString("base64url")}`)).status).toBe(401);
  });

  it("refuses a JWT whose claims were altered after signing", async () => {
    const jwt = await token({ resource: apiAudience, scope: "api" });
    const [h, p = "", s] = jwt.split(".");
    const claims = JSON.parse(Buffer.from(p, "base64url").toString()) as Record<string, unknown>;
    claims.sub = "admin";
    expect(
      (await ping(`Bearer ${h}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${s}`)).status,
    ).toBe(401);
  });

  it("refuses the user's ID token presented as a bearer token", async () => {
    const { jar } = await login();
    const logout = await jar.fetch(`${origin}/auth/logout`, { method: "POST" });
    const idToken = new URL(location(logout, origin)).searchParams.get("id_token_hint") as string;
    const [, p = ""] = idToken.split(".");
    const claims = JSON.parse(Buffer.from(p, "base64url").toString()) as { aud: unknown };
    expect(claims.aud).toBe(provider.clientId); // the audience rule alone would accept it
    expect((await ping(`Bearer ${idToken}`)).status).toBe(401);
  });

  it("refuses an alg=none token and garbage", async () => {
    const jwt = await token({ resource: apiAudience, scope: "api" });
    const [, p] = jwt.split(".");
    const none = Buffer.from(JSON.stringify({ alg: "none", typ: "at+jwt" })).toString("base64url");
    expect((await ping(`Bearer ${none}.${p}.`)).status).toBe(401);
    expect((await ping("Bearer not-a-token")).status).toBe(401);
    expect((await ping("Basic ZGV2OmRldg==")).status).toBe(401);
  });
});
