import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevAuth, devAuth } from "../../src/auth/index.js";
import { buildServer } from "../../src/server.js";
import { authorizeAtProvider, CookieJar, freePort, location } from "./harness.js";

// Issue 16: the CSRF pair was not bound to the login session (another session's cookie and token
// were accepted, also for Create repository), and logout needed no token at all.

const SESSION = "slipway-session";
const FORM = { "content-type": "application/x-www-form-urlencoded" };

let auth: DevAuth;
let app: FastifyInstance;
let origin: string;

/** A browser signed in through the provider, with the CSRF cookie and token of its home page. */
async function signedIn(
  jar = new CookieJar(),
): Promise<{ jar: CookieJar; csrfCookie: string; token: string }> {
  const start = await jar.fetch(`${origin}/auth/login`);
  const callback = await jar.fetch(await authorizeAtProvider(jar, location(start, origin), origin));
  expect(callback.status).toBe(303);
  expect(jar.get(origin, SESSION)).toBeDefined();
  const page = await jar.fetch(`${origin}/`, { headers: { accept: "text/html" } });
  expect(page.status).toBe(200);
  const html = await page.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] as string;
  // The Sign out form carries the same token as the page's form.
  expect(html).toContain(
    `action="/auth/logout" class="signout"><input type="hidden" name="_csrf" value="${token}">`,
  );
  return { jar, csrfCookie: jar.get(origin, "sw_csrf") as string, token };
}

function post(jar: CookieJar, path: string, fields: Record<string, string>): Promise<Response> {
  return jar.fetch(`${origin}${path}`, { method: "POST", headers: FORM, body: new URLSearchParams(fields) });
}

const PROJECT = { preset: "node-service", name: "demo", owner: "octocat" };

beforeAll(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  // serve --dev's own wiring: the development provider and oidcAuth over plain http.
  auth = await devAuth({ appUrl: origin });
  app = await buildServer({ auth, cookieSecret: "csrf-secret-0123456789abcdef0123456789" });
  await app.listen({ port, host: "127.0.0.1" });
});

afterAll(async () => {
  await app?.close();
  await auth?.provider.close();
});

describe("the CSRF token is bound to the login session", () => {
  it("accepts a session's own pair and refuses session A's pair in session B (403), for Generate, Explore and Create repository", async () => {
    const a = await signedIn();
    const b = await signedIn();
    expect((await post(b.jar, "/generate", { _csrf: b.token, ...PROJECT })).status).toBe(200);

    b.jar.set(origin, "sw_csrf", a.csrfCookie);
    for (const path of ["/generate", "/explore", "/create"]) {
      const response = await post(b.jar, path, { _csrf: a.token, ...PROJECT });
      expect(response.status, path).toBe(403);
    }
  });

  it("a pair from an ended session is refused in the next one of the same browser", async () => {
    const first = await signedIn();
    expect((await post(first.jar, "/auth/logout", { _csrf: first.token })).status).toBe(303);
    const second = await signedIn(first.jar);
    first.jar.set(origin, "sw_csrf", first.csrfCookie);
    expect((await post(first.jar, "/generate", { _csrf: first.token, ...PROJECT })).status).toBe(403);
    first.jar.set(origin, "sw_csrf", second.csrfCookie);
    expect((await post(first.jar, "/generate", { _csrf: second.token, ...PROJECT })).status).toBe(200);
  });
});

describe("logout needs the page's CSRF token", () => {
  it("refuses a POST without a token or with another session's (403) and keeps the session", async () => {
    const a = await signedIn();
    const b = await signedIn();
    const bare = await b.jar.fetch(`${origin}/auth/logout`, { method: "POST" });
    expect(bare.status).toBe(403);
    b.jar.set(origin, "sw_csrf", a.csrfCookie);
    expect((await post(b.jar, "/auth/logout", { _csrf: a.token })).status).toBe(403);
    expect(b.jar.get(origin, SESSION)).toBeDefined();
    const page = await b.jar.fetch(`${origin}/`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
  });

  it("GET /auth/logout leads to the home page and ends nothing", async () => {
    const a = await signedIn();
    const response = await a.jar.fetch(`${origin}/auth/logout`);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/");
    expect(a.jar.get(origin, SESSION)).toBeDefined();
    expect((await a.jar.fetch(`${origin}/`, { headers: { accept: "text/html" } })).status).toBe(200);
  });

  it("logs out with the token: the session cookie is cleared", async () => {
    const a = await signedIn();
    const response = await post(a.jar, "/auth/logout", { _csrf: a.token });
    expect(response.status).toBe(303);
    expect(a.jar.get(origin, SESSION)).toBeUndefined();
  });
});
