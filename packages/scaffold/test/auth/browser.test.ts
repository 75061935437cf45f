import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevProvider, oidcAuth, startDevProvider } from "../../src/auth/index.js";
import { freePort, startApp } from "./harness.js";

// Debian's chromium; CI installs it (apt-get install chromium). Locally without it the suite is
// skipped, but never in CI, where a missing browser must fail the build.
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const available = existsSync(CHROMIUM) || process.env.CI !== undefined;

describe.skipIf(!available)("browser login through a real OIDC provider", () => {
  let provider: DevProvider;
  let app: FastifyInstance;
  let origin: string;
  const profiles: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    provider = await startDevProvider({
      redirectUris: [`${origin}/auth/callback`],
      postLogoutRedirectUris: [`${origin}/`],
    });
    const auth = oidcAuth({
      issuerUrl: provider.issuer,
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      redirectUri: `${origin}/auth/callback`,
      cookieSecret: "browser-test-cookie-secret-0123456789",
      secureCookies: false,
    });
    app = await startApp(auth, port);
  });

  afterAll(async () => {
    await app?.close();
    await provider?.close();
    await Promise.all(profiles.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  async function browser(): Promise<BrowserContext> {
    const profile = await mkdtemp(join(tmpdir(), "slipway-chromium-"));
    profiles.push(profile);
    return chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }

  it("logs in with the dev user and opens the guarded page", async () => {
    const context = await browser();
    try {
      const page = await context.newPage();
      await page.goto(`${origin}/guarded?from=browser`);
      expect(new URL(page.url()).origin).toBe(provider.issuer);
      await page.locator('input[name="login"]').fill("dev");
      await page.locator('input[name="password"]').fill("any");
      await page.locator('button[type="submit"]').click();
      await page.waitForURL(
        (url) => url.origin === provider.issuer && url.pathname.startsWith("/interaction/"),
      );
      await page.locator('button[type="submit"]').click(); // consent
      await page.waitForURL(`${origin}/guarded?from=browser`);
      const body = JSON.parse((await page.locator("body").textContent()) || "{}") as {
        who?: { subject: string; via: string };
      };
      expect(body.who).toMatchObject({ subject: "dev", via: "session" });
      const cookies = await context.cookies(origin);
      const session = cookies.find((c) => c.name === "slipway-session");
      expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
    } finally {
      await context.close();
    }
  });

  it("is refused without login: pages go to the issuer, the API answers 401", async () => {
    const context = await browser();
    try {
      const page = await context.newPage();
      await page.goto(`${origin}/guarded`);
      expect(new URL(page.url()).origin).toBe(provider.issuer);
      await expect(page.locator('input[name="login"]').count()).resolves.toBe(1);
      const api = await page.goto(`${origin}/api/ping`);
      expect(api?.status()).toBe(401);
    } finally {
      await context.close();
    }
  });
});
