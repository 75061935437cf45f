/**
 * Renders docs/images/scaffold-home.png: `slipway serve --dev` signed in as the dev user, the
 * node-service preset chosen and its form filled in, in Debian's chromium at 1280×900.
 * Needs the build (`npm run build`, or `npx tsc -b`), like bench/:
 *
 *   node packages/scaffold/scripts/screenshot.ts [out.png]
 *
 * The page shows no clock and the CSRF token is a hidden field, so reruns differ only where the
 * fonts or chromium do.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { freePort } from "../test/auth/harness.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const out = resolve(process.argv[2] ?? join(import.meta.dirname, "../../../docs/images/scaffold-home.png"));

process.env.LOG_LEVEL ??= "warn";
const { startServer } = await import("@slipway/scaffold");
const gitDir = mkdtempSync(join(tmpdir(), "slipway-screenshot-git-"));
const started = await startServer({
  dev: true,
  // The redirect URI is built from the port, so it has to be known before the server listens.
  port: await freePort(),
  host: "127.0.0.1",
  // Create repository stays away from ~/.slipway/dev-git; no SCAFFOLD_* from the caller's shell.
  pushTarget: `file://${gitDir}/{name}.git`,
  env: {},
});
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  page.setDefaultTimeout(10_000);
  await page.goto(`${started.url}/?preset=node-service`);
  // The provider's own pages: login (dev, any password), then consent (a new interaction URL).
  const login = page.url();
  await page.locator('input[name="login"]').fill("dev");
  await page.locator('input[name="password"]').fill("any password");
  await page.locator('button[type="submit"]').click();
  await page.waitForURL((url) => url.href !== login);
  if (new URL(page.url()).origin !== started.url) await page.locator('button[type="submit"]').click();
  await page.waitForURL(`${started.url}/?preset=node-service`);
  await page.getByRole("textbox", { name: "Name", exact: true }).fill("hello-api");
  await page.getByLabel("Owner").fill("octocat");
  await page.locator("body").click({ position: { x: 1, y: 1 } }); // no focus ring in the picture
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out, animations: "disabled", caret: "hide" });
  process.stdout.write(`wrote ${out}\n`);
} finally {
  await browser.close();
  await started.app.close();
  rmSync(gitDir, { recursive: true, force: true });
}
