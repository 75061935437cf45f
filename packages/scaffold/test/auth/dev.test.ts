import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevAuth, devAuth, oidcAuth } from "../../src/auth/index.js";
import { authorizeAtProvider, CookieJar, freePort, location, returnAfterLogin, startApp } from "./harness.js";
import { HOSTILE_RETURN_PATHS, SAFE_RETURN_PATHS } from "./return-paths.js";

let auth: DevAuth;
let app: FastifyInstance;
let origin: string;

beforeAll(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  auth = await devAuth({ appUrl: origin });
  app = await startApp(auth, port);
});

afterAll(async () => {
  await app?.close();
  await auth?.provider.close();
});

describe("devAuth (slipway serve --dev)", () => {
  it("lets loopback clients use the API anonymously", async () => {
    const response = await fetch(`${origin}/api/ping`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { who: { via: string } }).who.via).toBe("anonymous-network");
  });

  it("still guards pages, and logs in the dev user over plain http loopback", async () => {
    const jar = new CookieJar();
    const page = await jar.fetch(`${origin}/`);
    expect(page.status).toBe(302);
    const start = await jar.fetch(location(page, origin));
    const callback = await jar.fetch(await authorizeAtProvider(jar, location(start, origin), origin));
    expect(callback.status).toBe(303);
    const cookie = callback.headers.getSetCookie().find((c) => c.startsWith("slipway-session=")) as string;
    expect(cookie.toLowerCase()).toContain("httponly");
    expect(cookie.toLowerCase()).not.toContain("secure");
    const home = await jar.fetch(`${origin}/`);
    expect(home.status).toBe(200);
    expect(((await home.json()) as { who: { subject: string } }).who.subject).toBe("dev");
  });

  it.each(HOSTILE_RETURN_PATHS)("never returns to %j after the dev login", async (returnTo) => {
    expect(await returnAfterLogin(origin, returnTo)).toBe("/");
  });

  it.each(SAFE_RETURN_PATHS)("returns to the same-origin path %j after the dev login", async (returnTo) => {
    expect(await returnAfterLogin(origin, returnTo)).toBe(returnTo);
  });

  it("does not allow anonymous API access when anonymousNetworks exclude the client", async () => {
    const port = await freePort();
    const other = oidcAuth({
      issuerUrl: auth.provider.issuer,
      clientId: auth.provider.clientId,
      clientSecret: auth.provider.clientSecret,
      redirectUri: `http://127.0.0.1:${port}/auth/callback`,
      cookieSecret: "z".repeat(32),
      anonymousNetworks: ["10.0.0.0/8", "fd00::/8"],
    });
    const otherApp = await startApp(other, port);
    try {
      expect((await fetch(`http://127.0.0.1:${port}/api/ping`)).status).toBe(401);
    } finally {
      await otherApp.close();
    }
  });
});

describe("an unreachable issuer", () => {
  it("answers 503 on login and for bearer tokens instead of 500 or a false 401", async () => {
    const port = await freePort();
    const deadIssuer = `http://127.0.0.1:${await freePort()}`;
    const down = oidcAuth({
      issuerUrl: deadIssuer,
      clientId: "c",
      clientSecret: "s",
      redirectUri: `http://127.0.0.1:${port}/auth/callback`,
      cookieSecret: "z".repeat(32),
    });
    const downApp = await startApp(down, port);
    try {
      expect((await fetch(`http://127.0.0.1:${port}/auth/login`, { redirect: "manual" })).status).toBe(503);
      const api = await fetch(`http://127.0.0.1:${port}/api/ping`, {
        headers: { authorization: "Bearer abc" },
      });
      expect(api.status).toBe(503);
    } finally {
      await downApp.close();
    }
  });
});
