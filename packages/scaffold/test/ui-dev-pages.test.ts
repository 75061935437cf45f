import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevProvider, startDevProvider } from "../src/auth/index.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const available = existsSync(CHROMIUM) || process.env.CI !== undefined;

/** The development provider's own pages, outside a sign-in: errors, the stylesheet, sign-out without an app. */
describe("the development provider's pages", () => {
  let provider: DevProvider;
  beforeAll(async () => {
    provider = await startDevProvider({
      redirectUris: ["http://127.0.0.1:9/auth/callback"],
      postLogoutRedirectUris: ["http://127.0.0.1:9/"],
    });
  });
  afterAll(async () => {
    await provider?.close();
  });

  it("serves the app's stylesheet", async () => {
    const res = await fetch(`${provider.issuer}/static/app.css`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/css/);
    expect(await res.text()).toContain(":focus-visible");
  });

  it("renders the provider's errors as its own page, with a CSP that loads only its stylesheet", async () => {
    const res = await fetch(
      `${provider.issuer}/auth?${new URLSearchParams({ client_id: "nope", response_type: "code", scope: "openid" })}`,
    );
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(body).toContain("<h1>Sign-in failed</h1>");
    expect(body).toContain("invalid_client");
    expect(body).toContain('href="/static/app.css"');
    expect(body).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    expect(res.headers.get("content-security-policy")).toBe(
      "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' http://127.0.0.1:9; frame-ancestors 'none'; base-uri 'none'",
    );
  });

  it("answers an unknown or expired interaction with a page saying so", async () => {
    const res = await fetch(`${provider.issuer}/interaction/not-a-real-one`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("<h1>Sign-in expired</h1>");
  });

  it.skipIf(!available)("signs out without an app to return to on its own page", async () => {
    const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on("request", (r) => requests.push(r.url()));
      // No session: the provider confirms by itself (its form_post page), then shows the success source.
      await page.goto(`${provider.issuer}/session/end`);
      await page.getByRole("heading", { name: "Signed out" }).waitFor({ timeout: 10_000 });
      expect(requests.filter((u) => new URL(u).hostname !== "127.0.0.1")).toEqual([]);
      expect(requests).toContain(`${provider.issuer}/static/app.css`);
    } finally {
      await browser.close();
    }
  });
});
