import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { createApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { OidcLogin } from "../src/oidc.ts";

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("health probes", () => {
  let ready = false;
  const server = createServer(createApp({ serviceName: "test", isReady: () => ready }));
  let base = "";
  before(async () => {
    base = await listen(server);
  });
  after(() => server.close());

  test("liveness answers 200 at once", async () => {
    const res = await fetch(`${base}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: "ok" });
  });

  test("readiness follows the dependencies", async () => {
    assert.equal((await fetch(`${base}/readyz`)).status, 503);
    ready = true;
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
  });

  test("unknown paths are 404 and writes are refused", async () => {
    assert.equal((await fetch(`${base}/nope`)).status, 404);
    assert.equal((await fetch(`${base}/healthz`, { method: "POST" })).status, 405);
  });
});

describe("OIDC login", () => {
  // A stand-in issuer that only serves discovery: enough to check the authorization request.
  const issuer = createServer((req, res) => {
    const origin = `http://${req.headers.host}`;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        issuer: origin,
        authorization_endpoint: `${origin}/authorize`,
        token_endpoint: `${origin}/token`,
        jwks_uri: `${origin}/jwks`,
        response_types_supported: ["code"],
        code_challenge_methods_supported: ["S256"],
      }),
    );
  });
  let app: Server | undefined;
  let base = "";
  before(async () => {
    const issuerUrl = await listen(issuer);
    const login = await OidcLogin.discover(
      { issuer: new URL(issuerUrl), clientId: "demo", clientSecret: "secret" },
      "http://localhost:8080",
    );
    app = createServer(createApp({ serviceName: "test", isReady: () => true, login }));
    base = await listen(app);
  });
  after(() => {
    issuer.close();
    app?.close();
  });

  test("the API refuses anonymous callers", async () => {
    assert.equal((await fetch(`${base}/api/me`)).status, 401);
  });

  test("login redirects to the issuer with PKCE, state and nonce", async () => {
    const res = await fetch(`${base}/login`, { redirect: "manual" });
    assert.equal(res.status, 302);
    const location = new URL(res.headers.get("location") ?? "");
    assert.equal(location.pathname, "/authorize");
    assert.equal(location.searchParams.get("client_id"), "demo");
    assert.equal(location.searchParams.get("redirect_uri"), "http://localhost:8080/auth/callback");
    assert.equal(location.searchParams.get("code_challenge_method"), "S256");
    assert.ok(location.searchParams.get("state"));
    assert.ok(location.searchParams.get("nonce"));
    const cookie = res.headers.get("set-cookie") ?? "";
    assert.match(cookie, /^login=[\w-]+; Path=\/; HttpOnly; SameSite=Lax/);
    assert.doesNotMatch(cookie, /Secure/, "plain-HTTP localhost keeps working without Secure");
  });

  test("behind https (PUBLIC_URL on the platform) cookies are Secure and the redirect URI is https", async () => {
    const secure = await OidcLogin.discover(
      {
        issuer: new URL(`http://127.0.0.1:${(issuer.address() as AddressInfo).port}`),
        clientId: "demo",
        clientSecret: "s",
      },
      "https://demo.example.com",
    );
    const server = createServer(createApp({ serviceName: "test", isReady: () => true, login: secure }));
    try {
      const res = await fetch(`${await listen(server)}/login`, { redirect: "manual" });
      const location = new URL(res.headers.get("location") ?? "");
      assert.equal(location.searchParams.get("redirect_uri"), "https://demo.example.com/auth/callback");
      const attributes = (res.headers.get("set-cookie") ?? "").split("; ").slice(1);
      for (const a of ["Path=/", "HttpOnly", "SameSite=Lax", "Secure"]) assert.ok(attributes.includes(a), a);
    } finally {
      server.close();
    }
  });
});

describe("configuration", () => {
  const oidc = { OIDC_ISSUER_URL: "https://auth.example.com", OIDC_CLIENT_ID: "id", OIDC_CLIENT_SECRET: "secret" };

  test("PUBLIC_URL defaults to localhost for local runs", () => {
    assert.equal(loadConfig({ PORT: "8080", ...oidc }).publicUrl, "http://localhost:8080");
    assert.equal(loadConfig({ PUBLIC_URL: "https://demo.example.com", ...oidc }).publicUrl, "https://demo.example.com");
  });

  test("in production, login without PUBLIC_URL is refused rather than broken", () => {
    assert.throws(() => loadConfig({ NODE_ENV: "production", ...oidc }), /PUBLIC_URL must be too/);
    assert.equal(loadConfig({ NODE_ENV: "production" }).oidc, undefined);
  });
});
