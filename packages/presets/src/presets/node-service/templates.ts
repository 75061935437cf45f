import { stringLiteral } from "../../text.js";

/*
 * Source templates of the node-service preset, formatted as the generated project's Biome config
 * wants them (the proof test runs `npm run lint` inside a generated project). The service name is
 * the only interpolated value and enters TypeScript as a JSON string literal.
 */

export const configTs = (
  name: string,
  port: number,
) => `/** Configuration from the environment the platform injects; defaults are for local development. */
export interface Config {
  readonly serviceName: string;
  readonly port: number;
  /** Base URL users reach the service at; the OIDC redirect URI is derived from it. */
  readonly publicUrl: string;
  /** Absent when OIDC_ISSUER_URL is unset: login is disabled (local development). */
  readonly oidc?: OidcSettings;
}

export interface OidcSettings {
  readonly issuer: URL;
  readonly clientId: string;
  readonly clientSecret: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? ${port});
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(\`PORT must be a port number, got \${env.PORT}\`);
  }
  const publicUrl = env.PUBLIC_URL ?? \`http://localhost:\${port}\`;
  const serviceName = env.OTEL_SERVICE_NAME ?? ${stringLiteral(name)};
  if (!env.OIDC_ISSUER_URL) return { serviceName, port, publicUrl };
  // The redirect URI and the cookies' Secure flag come from PUBLIC_URL: the localhost default would
  // make every login fail (unregistered redirect URI) and send session cookies without Secure.
  if (!env.PUBLIC_URL && env.NODE_ENV === "production") {
    throw new Error("OIDC_ISSUER_URL is set, so PUBLIC_URL must be too: the https URL users reach the service at");
  }
  const clientId = env.OIDC_CLIENT_ID;
  const clientSecret = env.OIDC_CLIENT_SECRET;
  if (!clientId || !clientSecret) {
    throw new Error("OIDC_ISSUER_URL is set, so OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be too");
  }
  return { serviceName, port, publicUrl, oidc: { issuer: new URL(env.OIDC_ISSUER_URL), clientId, clientSecret } };
}
`;

export const appTs = () => `import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { OidcLogin } from "./oidc.ts";

export interface AppOptions {
  readonly serviceName: string;
  /** Readiness: false until dependencies (the OIDC issuer) are reachable. */
  readonly isReady: () => boolean;
  /** Login through the platform's issuer; absent means every visitor is anonymous. */
  readonly login?: OidcLogin;
}

const tracer = trace.getTracer("http-server");

/** The request handler: health probes, a page, the signed-in user, and the OIDC login routes. */
export function createApp(options: AppOptions): RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    tracer.startActiveSpan(\`\${req.method} \${url.pathname}\`, { kind: SpanKind.SERVER }, (span) => {
      route(options, req, res, url)
        .catch((error: unknown) => {
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR });
          if (!res.headersSent) send(res, 500, { error: "internal error" });
          else res.destroy();
        })
        .finally(() => {
          span.setAttribute("http.response.status_code", res.statusCode);
          span.end();
        });
    });
  };
}

async function route(options: AppOptions, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const { login } = options;
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, { error: "method not allowed" });
  switch (url.pathname) {
    case "/healthz":
      return send(res, 200, { status: "ok" });
    case "/readyz":
      return options.isReady() ? send(res, 200, { status: "ready" }) : send(res, 503, { status: "starting" });
    case "/api/me": {
      if (!login) return send(res, 200, { anonymous: true });
      const user = login.user(req);
      return user ? send(res, 200, user) : send(res, 401, { error: "login required", login: "/login" });
    }
    case "/login":
      if (!login) return send(res, 404, { error: "login is disabled (OIDC_ISSUER_URL is not set)" });
      return redirect(res, await login.start(res));
    case "/auth/callback":
      if (!login) return send(res, 404, { error: "not found" });
      return redirect(res, await login.finish(req, res, url));
    case "/logout":
      login?.logout(req, res);
      return redirect(res, "/");
    case "/": {
      const user = login?.user(req);
      const greeting = user ? \`Hello, \${user.name ?? user.subject}!\` : \`Hello from \${options.serviceName}.\`;
      return send(res, 200, { message: greeting, login: login && !user ? "/login" : undefined });
    }
    default:
      return send(res, 404, { error: "not found" });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(json),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  res.end(json);
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, "cache-control": "no-store" });
  res.end();
}
`;

export const oidcTs = () => `import { randomBytes } from "node:crypto";
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
    const attrs = [\`\${name}=\${value}\`, "Path=/", "HttpOnly", "SameSite=Lax", \`Max-Age=\${Math.floor(maxAgeMs / 1000)}\`];
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
`;

export const telemetryTs = () => `import { NodeSDK } from "@opentelemetry/sdk-node";

/**
 * Starts the OpenTelemetry SDK when the platform set OTEL_EXPORTER_OTLP_ENDPOINT. Everything else
 * (protocol, resource attributes, sampling) comes from the standard OTEL_* variables, so the
 * platform's collector decides where traces go; the app only creates spans through @opentelemetry/api.
 */
export function startTelemetry(serviceName: string): () => Promise<void> {
  if (!process.env.OTEL_EXPORTER_OTLP_ENDPOINT) return async () => {};
  const sdk = new NodeSDK({ serviceName });
  sdk.start();
  return () => sdk.shutdown();
}
`;

export const serverTs = () => `import { createServer } from "node:http";
import { createApp } from "./app.ts";
import { loadConfig } from "./config.ts";
import { OidcLogin } from "./oidc.ts";
import { startTelemetry } from "./telemetry.ts";

const config = loadConfig();
const stopTelemetry = startTelemetry(config.serviceName);

let login: OidcLogin | undefined;
let ready = !config.oidc;
const server = createServer(
  createApp({
    serviceName: config.serviceName,
    isReady: () => ready,
    get login() {
      return login;
    },
  }),
);

server.listen(config.port, () => {
  console.log(JSON.stringify({ msg: "listening", port: config.port, service: config.serviceName }));
});

// Liveness never waits for the issuer; readiness does, retrying until discovery succeeds.
if (config.oidc) {
  const oidc = config.oidc;
  const discover = async (): Promise<void> => {
    try {
      login = await OidcLogin.discover(oidc, config.publicUrl);
      ready = true;
    } catch (error) {
      console.error(JSON.stringify({ msg: "OIDC discovery failed, retrying", error: String(error) }));
      setTimeout(discover, 5000).unref();
    }
  };
  void discover();
}

const shutdown = (): void => {
  server.close(() => {
    void stopTelemetry().finally(() => process.exit(0));
  });
  server.closeIdleConnections();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
`;

export const appTestTs = () => `import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { createApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { OidcLogin } from "../src/oidc.ts";

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return \`http://127.0.0.1:\${(server.address() as AddressInfo).port}\`;
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
    const res = await fetch(\`\${base}/healthz\`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: "ok" });
  });

  test("readiness follows the dependencies", async () => {
    assert.equal((await fetch(\`\${base}/readyz\`)).status, 503);
    ready = true;
    assert.equal((await fetch(\`\${base}/readyz\`)).status, 200);
  });

  test("unknown paths are 404 and writes are refused", async () => {
    assert.equal((await fetch(\`\${base}/nope\`)).status, 404);
    assert.equal((await fetch(\`\${base}/healthz\`, { method: "POST" })).status, 405);
  });
});

describe("OIDC login", () => {
  // A stand-in issuer that only serves discovery: enough to check the authorization request.
  const issuer = createServer((req, res) => {
    const origin = \`http://\${req.headers.host}\`;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        issuer: origin,
        authorization_endpoint: \`\${origin}/authorize\`,
        token_endpoint: \`\${origin}/token\`,
        jwks_uri: \`\${origin}/jwks\`,
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
    assert.equal((await fetch(\`\${base}/api/me\`)).status, 401);
  });

  test("login redirects to the issuer with PKCE, state and nonce", async () => {
    const res = await fetch(\`\${base}/login\`, { redirect: "manual" });
    assert.equal(res.status, 302);
    const location = new URL(res.headers.get("location") ?? "");
    assert.equal(location.pathname, "/authorize");
    assert.equal(location.searchParams.get("client_id"), "demo");
    assert.equal(location.searchParams.get("redirect_uri"), "http://localhost:8080/auth/callback");
    assert.equal(location.searchParams.get("code_challenge_method"), "S256");
    assert.ok(location.searchParams.get("state"));
    assert.ok(location.searchParams.get("nonce"));
    const cookie = res.headers.get("set-cookie") ?? "";
    assert.match(cookie, /^login=[\\w-]+; Path=\\/; HttpOnly; SameSite=Lax/);
    assert.doesNotMatch(cookie, /Secure/, "plain-HTTP localhost keeps working without Secure");
  });

  test("behind https (PUBLIC_URL on the platform) cookies are Secure and the redirect URI is https", async () => {
    const secure = await OidcLogin.discover(
      {
        issuer: new URL(\`http://127.0.0.1:\${(issuer.address() as AddressInfo).port}\`),
        clientId: "demo",
        clientSecret: "s",
      },
      "https://demo.example.com",
    );
    const server = createServer(createApp({ serviceName: "test", isReady: () => true, login: secure }));
    try {
      const res = await fetch(\`\${await listen(server)}/login\`, { redirect: "manual" });
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
`;

/** Plain JavaScript on purpose: it must run on the old Node it refuses. */
export const requireNodeMjs =
  () => `// Run before \`npm test\` and \`npm run dev\`: both run the TypeScript sources directly (type
// stripping, test globs), which Node 24 supports and older Node fails on with unrelated-looking errors.
const required = 24;
const major = Number(process.versions.node.split(".")[0]);
if (major < required) {
  console.error(
    \`error: this project needs Node \${required} or newer (.node-version, package.json engines); this is Node \${process.versions.node}.\\n\` +
      "Install Node 24 (e.g. \`fnm use\` or \`nvm use\` reads .node-version) and run it again.",
  );
  process.exit(1);
}
`;
