import { existsSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { server, unzipWithModes } from "./helpers.js";

/** Debian's chromium; skipped where it is not installed, except in CI (.ci/run installs it). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const available = existsSync(CHROMIUM) || process.env.CI !== undefined;

describe.skipIf(!available)("the UI in a real browser (no JavaScript needed)", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function start(): Promise<string> {
    const app = await server();
    await app.listen({ port: 0, host: "127.0.0.1" });
    return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  }

  it("chooses a preset, explores the files and downloads the ZIP", async () => {
    const base = await start();
    const context = await browser.newContext({ javaScriptEnabled: false, acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(5000);
    await page.goto(`${base}/`);
    await page.getByLabel("Node.js service (TypeScript)").check();
    await page.getByRole("button", { name: "Choose preset" }).click();
    await page.getByLabel("Name").fill("demo");
    await page.getByLabel("Owner").fill("octocat");
    await page.getByRole("button", { name: "Explore" }).click();
    await expect.poll(() => page.url()).toContain("/explore");
    await page.getByRole("link", { name: "package.json", exact: true }).click();
    expect(await page.locator("#file-title").textContent()).toBe("package.json");
    expect(await page.locator("pre code").textContent()).toContain('"name": "demo"');

    await page.goto(`${base}/?preset=node-service`);
    await page.getByLabel("Name").fill("demo");
    await page.getByLabel("Owner").fill("octocat");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Generate" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("demo.zip");
    const files = unzipWithModes(readFileSync((await download.path()) as string));
    expect(files.has("package.json")).toBe(true);
    await context.close();
  });

  it("shows inline messages for bad input, values kept, and is keyboard reachable with a visible focus", async () => {
    const base = await start();
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/?preset=node-service`);
    await page.getByLabel("Name").fill("Not A Label");
    await page.getByLabel("Owner").fill("octocat");
    await page.getByRole("button", { name: "Generate" }).click();
    expect(await page.getByLabel("Name").getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByLabel("Name").inputValue()).toBe("Not A Label");
    expect(await page.locator("#f-name-error").isVisible()).toBe(true);

    // Tab from the top reaches the form's fields; the focused element has an outline.
    await page.locator("body").click();
    const reached: string[] = [];
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press("Tab");
      const info = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return el ? { id: el.id, outline: getComputedStyle(el).outlineStyle } : null;
      });
      if (info?.id) reached.push(info.id);
      if (info?.id === "f-name") expect(info.outline).not.toBe("none");
    }
    expect(reached).toEqual(expect.arrayContaining(["f-name", "f-owner", "f-port"]));
    await context.close();
  });
});
