import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe as describePreset, generate } from "@slipway/presets";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevProvider, startDevProvider } from "../src/auth/index.js";
import { type Started, startServer } from "../src/start.js";
import { freePort } from "./auth/harness.js";
import { unzipWithModes } from "./helpers.js";

/** Debian's chromium; skipped where it is not installed, except in CI (.ci/run installs it). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const available = existsSync(CHROMIUM) || process.env.CI !== undefined;

const NAME = "e2e-demo";
const OWNER = "octocat";

/**
 * `slipway serve --dev` end to end: the real `startServer` with its built-in oidc-provider, driven
 * by a real browser through the provider's own login and consent pages.
 */
describe.skipIf(!available)(
  "slipway serve --dev in a real browser, signed in through the dev provider",
  () => {
    let browser: Browser;
    let dev: Started;
    let issuer: string;
    let gitDir: string;
    const logLevel = process.env.LOG_LEVEL;

    beforeAll(async () => {
      // startServer logs pino JSON on stdout at info; the test output only needs warnings.
      process.env.LOG_LEVEL = "warn";
      gitDir = await mkdtemp(join(tmpdir(), "slipway-e2e-git-"));
      dev = await startServer({
        dev: true,
        // The redirect URI is built from the port, so it has to be known before listening.
        port: await freePort(),
        host: "127.0.0.1",
        // --dev's own Git directory (not ~/.slipway/dev-git), and no SCAFFOLD_* from the caller's
        // shell: the defaults of a fresh machine, a local platform repository seeded on start.
        env: { SLIPWAY_DEV_GIT_DIR: gitDir },
      });
      issuer = dev.issuer as string;
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    });

    afterAll(async () => {
      await browser?.close();
      await dev?.app.close(); // its onClose hook stops the dev provider
      if (gitDir) await rm(gitDir, { recursive: true, force: true });
      if (logLevel === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = logLevel;
    });

    /** From the provider's login page: the dev user, any password, then consent when it is asked for. */
    async function signIn(page: Page): Promise<void> {
      const login = page.url();
      expect(new URL(login).origin).toBe(issuer);
      await page.locator('input[name="login"]').fill("dev");
      await page.locator('input[name="password"]').fill("any password");
      await page.locator('button[type="submit"]').click();
      // Consent is a new interaction (another URL), or the app itself when nothing is left to ask.
      await page.waitForURL((url) => url.href !== login);
      if (new URL(page.url()).origin === issuer) await page.locator('button[type="submit"]').click();
      await page.waitForURL((url) => url.origin === dev.url);
    }

    it("signs in, explores the node-service preset and downloads its ZIP", async () => {
      const context = await browser.newContext({ acceptDownloads: true });
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);

      await page.goto(`${dev.url}/`);
      await signIn(page);
      expect(page.url()).toBe(`${dev.url}/`);
      await expect(page.getByRole("heading", { name: "New service" }).isVisible()).resolves.toBe(true);
      const session = (await context.cookies(dev.url)).find((c) => c.name === "slipway-session");
      expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });

      await page.getByLabel("Node.js service (TypeScript)").check();
      // The owner of the platform --dev seeded (`slipway init --owner dev`) until one is typed.
      await expect(page.getByLabel("Owner").inputValue()).resolves.toBe("dev");
      await page.getByRole("textbox", { name: "Name", exact: true }).fill(NAME);
      await page.getByLabel("Owner").fill(OWNER);
      await page.getByRole("button", { name: "Explore" }).click();
      await page.waitForURL(`${dev.url}/explore`);
      await page.getByRole("link", { name: "package.json", exact: true }).click();
      await expect(page.locator("#file-title").textContent()).resolves.toBe("package.json");
      await expect(page.locator("pre code").textContent()).resolves.toContain(`"name": "${NAME}"`);

      // Back to the form: the values come back with it.
      await page.getByRole("link", { name: "Back to the form" }).click();
      await expect(page.getByRole("textbox", { name: "Name", exact: true }).inputValue()).resolves.toBe(NAME);
      await expect(page.getByLabel("Owner").inputValue()).resolves.toBe(OWNER);
      await expect(page.locator(".signout").textContent()).resolves.toContain("Signed in as");
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Generate" }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(`${NAME}.zip`);
      const files = unzipWithModes(readFileSync((await download.path()) as string));

      // Exactly what the preset generates, with its modes (node-service has no executables: all 0644),
      // under one folder named after the project.
      const expected = generate(describePreset("node-service", { name: NAME, owner: OWNER }));
      const at = (path: string) => `${NAME}/${path}`;
      expect([...files.keys()].filter((p) => !p.endsWith("/")).sort()).toEqual(
        expected.map((f) => at(f.path)).sort(),
      );
      for (const f of expected) expect(files.get(at(f.path))?.mode, f.path).toBe(f.mode ?? 0o644);
      expect(JSON.parse(files.get(at("package.json"))?.text ?? "{}")).toMatchObject({ name: NAME });
      expect(files.get(at("Dockerfile"))?.text).toMatch(/^FROM /m);
      expect(files.get(at(".github/workflows/ci.yaml"))?.text).toContain("jobs:");
      await context.close();
    });

    it("Create repository: pushes the project and a platform branch ready to merge, nothing else configured", async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      await page.goto(`${dev.url}/?preset=node-service`);
      await signIn(page);
      await page.goto(`${dev.url}/?preset=node-service`);
      await page.getByRole("textbox", { name: "Name", exact: true }).fill("e2e-created");
      await page.getByLabel("Owner").fill(OWNER);
      await page.getByRole("button", { name: "Create repository" }).click();
      await expect(page.locator("h1").textContent()).resolves.toBe("Repository created");
      const body = (await page.locator("main").textContent()) ?? "";
      expect(body).toContain("slipway/new-e2e-created");
      expect(body).toContain("ready to merge");

      const git = (args: readonly string[], dir: string) =>
        execFileSync("git", ["--git-dir", dir, ...args], { encoding: "utf8" }).trim();
      const platform = join(gitDir, "_platform.git");
      expect(git(["ls-tree", "--name-only", "main"], join(gitDir, "e2e-created.git")).split("\n")).toContain(
        "package.json",
      );
      // The branch adds the service and its rendered Application; main is left for a person to merge.
      expect(git(["show", "slipway/new-e2e-created:services/e2e-created.yaml"], platform)).toContain(
        `ghcr.io/${OWNER}/e2e-created:sha-`,
      );
      expect(git(["ls-tree", "-r", "--name-only", "slipway/new-e2e-created"], platform)).toContain(
        "argocd/applications/e2e-created.yaml",
      );
      expect(git(["ls-tree", "-r", "--name-only", "main"], platform)).not.toContain(
        "services/e2e-created.yaml",
      );
      await context.close();
    });

    it("refuses pages and forms without a session; the API is anonymous from loopback only without a bad token", async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${dev.url}/?preset=node-service`);
      expect(new URL(page.url()).origin).toBe(issuer);
      await expect(page.locator('input[name="login"]').count()).resolves.toBe(1);
      await expect(page.getByRole("textbox", { name: "Name", exact: true }).count()).resolves.toBe(0);
      await context.close();

      const form = new URLSearchParams({ preset: "node-service", name: NAME, owner: OWNER });
      for (const action of ["/generate", "/explore"]) {
        const response = await fetch(`${dev.url}${action}`, {
          method: "POST",
          body: form,
          redirect: "manual",
        });
        expect(response.status, action).toBe(302);
        // Back to the form after login, not to the form post's URL (a GET of it is no page).
        expect(response.headers.get("location"), action).toBe("/auth/login");
        expect(response.headers.get("content-type") ?? "", action).not.toContain("zip");
      }

      // --dev allows the API anonymously from loopback (IDE clients cannot log in)…
      const anonymous = await fetch(`${dev.url}/starter.zip`, { method: "POST", body: form });
      expect(anonymous.status).toBe(200);
      expect(anonymous.headers.get("content-type")).toBe("application/zip");
      // …but a presented, invalid token is refused even from there (RFC 6750).
      const badToken = await fetch(`${dev.url}/starter.zip`, {
        method: "POST",
        body: form,
        headers: { authorization: "Bearer not-a-token-the-provider-issued" },
      });
      expect(badToken.status).toBe(401);
      expect(badToken.headers.get("www-authenticate")).toContain('error="invalid_token"');
    });

    it("answers 401 to the API for a non-loopback client (as seen through a trusted proxy)", async () => {
      const form = new URLSearchParams({ preset: "node-service", name: NAME, owner: OWNER });
      const remote = { "x-forwarded-for": "203.0.113.7" };
      // Without SCAFFOLD_TRUST_PROXY the header is not believed: the peer is still loopback.
      const ignored = await fetch(`${dev.url}/starter.zip`, { method: "POST", body: form, headers: remote });
      expect(ignored.status).toBe(200);

      const proxied = await startServer({
        dev: true,
        port: await freePort(),
        host: "127.0.0.1",
        pushTarget: `file://${gitDir}/{name}.git`,
        env: { SCAFFOLD_TRUST_PROXY: "loopback" },
      });
      try {
        const outside = await fetch(`${proxied.url}/starter.zip`, {
          method: "POST",
          body: form,
          headers: remote,
        });
        expect(outside.status).toBe(401);
        expect(outside.headers.get("www-authenticate")).toBe('Bearer realm="slipway-scaffold"');
        const local = await fetch(`${proxied.url}/starter.zip`, { method: "POST", body: form });
        expect(local.status).toBe(200);
      } finally {
        await proxied.app.close();
      }
    });

    it("sign-in, consent, the app and sign-out request nothing but this machine, and the provider's pages look like the app", async () => {
      const context = await browser.newContext();
      const requests: string[] = [];
      context.on("request", (r) => requests.push(r.url()));
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      await page.goto(`${dev.url}/`);
      // The provider's sign-in page is ours: the app's stylesheet, labelled fields, one heading.
      await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Sign in");
      await expect(page.getByLabel("User").inputValue()).resolves.toBe("dev");
      await expect(page.getByLabel("Password").count()).resolves.toBe(1);
      await signIn(page);
      expect(page.url()).toBe(`${dev.url}/`);
      await page.getByRole("button", { name: "Sign out" }).click();
      await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Sign out");
      await page.getByRole("button", { name: /sign me out/i }).click();
      await page.waitForURL((url) => url.origin === issuer && url.pathname.startsWith("/interaction/"));
      await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Sign in");

      expect(requests).toContain(`${issuer}/static/app.css`);
      expect(requests).toContain(`${dev.url}/static/app.css`);
      const elsewhere = requests.filter(
        (u) => !["127.0.0.1", "localhost", "[::1]"].includes(new URL(u).hostname),
      );
      expect(elsewhere).toEqual([]);
      await context.close();
    });

    it("a wrong user on the sign-in page is answered on the page, next to the field", async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      await page.goto(`${dev.url}/`);
      await page.getByLabel("User").fill("mallory");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.locator("#login-error").textContent()).resolves.toContain("sign in as dev");
      await expect(page.getByLabel("User").getAttribute("aria-invalid")).resolves.toBe("true");
      await expect(page.getByLabel("User").inputValue()).resolves.toBe("mallory");
      await context.close();
    });

    it("logs out: the session cookie is cleared and, after the provider's end-session, / asks for login again", async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      await page.goto(`${dev.url}/`);
      await signIn(page);
      expect(page.url()).toBe(`${dev.url}/`);

      // The header's Sign out button: a form post whose redirect to the provider's end-session page
      // the Content-Security-Policy must allow (form-action), or the browser stops half-way.
      const endSessionRequest = page.waitForRequest((r) => r.url().startsWith(issuer));
      await page.getByRole("button", { name: "Sign out" }).click();
      const endSession = new URL((await endSessionRequest).url());
      expect(endSession.searchParams.get("post_logout_redirect_uri")).toBe(`${dev.url}/`);
      expect(endSession.searchParams.get("id_token_hint")).not.toBeNull();
      expect((await context.cookies(dev.url)).map((c) => c.name)).not.toContain("slipway-session");
      await page.getByRole("button", { name: /sign me out/i }).click();
      // The provider returns to the post-logout URI, /, which has no session and goes back to login.
      await page.waitForURL((url) => url.origin === issuer && url.pathname.startsWith("/interaction/"));
      await expect(page.locator('input[name="login"]').count()).resolves.toBe(1);
      await context.close();
    });
  },
);

/** The same startServer as `slipway serve` in production: OIDC from the environment, no --dev. */
describe("slipway serve with OIDC from the environment and no SCAFFOLD_ANONYMOUS_NETWORKS", () => {
  let provider: DevProvider;
  let prod: Started;
  const logLevel = process.env.LOG_LEVEL;

  beforeAll(async () => {
    process.env.LOG_LEVEL = "warn";
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    provider = await startDevProvider({ redirectUris: [`${origin}/auth/callback`] });
    prod = await startServer({
      dev: false,
      port,
      host: "127.0.0.1",
      env: {
        OIDC_ISSUER_URL: provider.issuer,
        OIDC_CLIENT_ID: provider.clientId,
        OIDC_CLIENT_SECRET: provider.clientSecret,
        SCAFFOLD_COOKIE_SECRET: "e2e-cookie-secret-0123456789abcdef0123",
      },
    });
  });

  afterAll(async () => {
    await prod?.app.close();
    await provider?.close();
    if (logLevel === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = logLevel;
  });

  it("answers 401 to an API call without a token, even from loopback, and accepts the issuer's token", async () => {
    const form = new URLSearchParams({ preset: "node-service", name: NAME, owner: OWNER });
    const anonymous = await fetch(`${prod.url}/starter.zip`, { method: "POST", body: form });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe('Bearer realm="slipway-scaffold"');

    // A token the issuer gave this client (client credentials; introspected, it names the client).
    const discovery = (await (await fetch(`${provider.issuer}/.well-known/openid-configuration`)).json()) as {
      token_endpoint: string;
    };
    const basic = Buffer.from(`${provider.clientId}:${provider.clientSecret}`).toString("base64");
    const token = (await (
      await fetch(discovery.token_endpoint, {
        method: "POST",
        headers: { authorization: `Basic ${basic}` },
        body: new URLSearchParams({ grant_type: "client_credentials" }),
      })
    ).json()) as { access_token?: string };
    expect(token.access_token).toBeTypeOf("string");
    const withToken = await fetch(`${prod.url}/starter.zip`, {
      method: "POST",
      body: form,
      headers: { authorization: `Bearer ${token.access_token}` },
    });
    expect(withToken.status).toBe(200);
    expect(withToken.headers.get("content-type")).toBe("application/zip");
  });

  it("sends a page request without a session to login", async () => {
    const page = await fetch(`${prod.url}/`, { headers: { accept: "text/html" }, redirect: "manual" });
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe("/auth/login");
  });
});
