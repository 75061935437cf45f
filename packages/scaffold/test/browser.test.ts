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
    await page.getByRole("textbox", { name: "Name", exact: true }).fill("demo");
    await page.getByLabel("Owner").fill("octocat");
    await page.getByRole("button", { name: "Explore" }).click();
    await expect.poll(() => page.url()).toContain("/explore");
    await page.getByRole("link", { name: "package.json", exact: true }).click();
    expect(await page.locator("#file-title").textContent()).toBe("package.json");
    expect(await page.locator("pre code").textContent()).toContain('"name": "demo"');

    await page.goto(`${base}/?preset=node-service`);
    await page.getByRole("textbox", { name: "Name", exact: true }).fill("demo");
    await page.getByLabel("Owner").fill("octocat");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Generate" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("demo.zip");
    const files = unzipWithModes(readFileSync((await download.path()) as string));
    expect(files.has("demo/package.json")).toBe(true);
    await context.close();
  });

  it("shows inline messages for bad input, values kept, and is keyboard reachable with a visible focus", async () => {
    const base = await start();
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/?preset=node-service`);
    await page.getByRole("textbox", { name: "Name", exact: true }).fill("Not A Label");
    await page.getByLabel("Owner").fill("octocat");
    await page.getByRole("button", { name: "Generate" }).click();
    expect(await page.getByRole("textbox", { name: "Name", exact: true }).getAttribute("aria-invalid")).toBe(
      "true",
    );
    expect(await page.getByRole("textbox", { name: "Name", exact: true }).inputValue()).toBe("Not A Label");
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
  it.each([
    ["without JavaScript", false],
    ["with JavaScript", true],
  ])(
    "Generate gives the preset that is checked, without a Choose step (%s)",
    async (_label, javaScriptEnabled) => {
      const base = await start();
      const context = await browser.newContext({ javaScriptEnabled, acceptDownloads: true });
      const page = await context.newPage();
      page.setDefaultTimeout(5000);
      // The first preset (Spring) is checked on arrival; a person switches to Node.js and generates.
      await page.goto(`${base}/`);
      expect(await page.getByLabel("Group").isVisible()).toBe(true);
      await page.getByLabel("Node.js service (TypeScript)").check();
      // Only the checked preset's fields are shown: Maven's are gone, Login is there, Database is not.
      expect(await page.getByLabel("Group").isVisible()).toBe(false);
      expect(await page.getByLabel("Login").isVisible()).toBe(true);
      expect(await page.getByLabel("Database").isVisible()).toBe(false);
      await page.getByRole("textbox", { name: "Name", exact: true }).fill("picked");
      await page.getByLabel("Owner").fill("octocat");
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Generate" }).click(),
      ]);
      const files = unzipWithModes(readFileSync((await download.path()) as string));
      expect(files.has("picked/package.json")).toBe(true);
      expect(files.has("picked/pom.xml")).toBe(false);
      await context.close();
    },
  );

  it("shows the server's message next to Subdomain, the values kept", async () => {
    const base = await start();
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    page.setDefaultTimeout(5000);
    await page.goto(`${base}/?preset=node-service`);
    await page.getByRole("textbox", { name: "Name", exact: true }).fill("");
    await page.getByLabel("Subdomain").fill("Shop!");
    await page.getByRole("button", { name: "Generate" }).click();
    await page.waitForSelector("#f-subdomain-error");
    expect(await page.getByLabel("Subdomain").getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByLabel("Subdomain").inputValue()).toBe("Shop!");
    // The message sits in the Subdomain field's box, between its label and its input.
    const box = page.locator('[data-field="subdomain"]');
    expect(await box.locator(".error").isVisible()).toBe(true);
    expect(await page.locator("#errors").isVisible()).toBe(true);
    await context.close();
  });

  it("Explore on a phone (390×844): the file list and the preview do not overlap, nothing scrolls sideways", async () => {
    const base = await start();
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await context.newPage();
    await page.goto(
      `${base}/explore?preset=spring-boot-postgres-oidc&name=a-rather-long-service-name&owner=octocat&file=pom.xml`,
    );
    const list = await page.locator("nav[aria-label='Generated files']").boundingBox();
    const preview = await page.locator("section[aria-labelledby=file-title]").boundingBox();
    if (list === null || preview === null) throw new Error("no file list or preview");
    const overlap =
      list.x < preview.x + preview.width &&
      preview.x < list.x + list.width &&
      list.y < preview.y + preview.height &&
      preview.y < list.y + list.height;
    expect(overlap).toBe(false);
    expect(preview.width).toBeLessThanOrEqual(390);
    // Every file name is inside the screen and clear of the others (long paths wrap, no columns).
    const names = await page.locator("nav[aria-label='Generated files'] a").evaluateAll((links) =>
      links.map((a) => {
        const range = document.createRange();
        range.selectNodeContents(a);
        const r = range.getBoundingClientRect();
        return { x: r.x, y: r.y, right: r.right, bottom: r.bottom };
      }),
    );
    expect(names.length).toBeGreaterThan(10);
    for (const [i, n] of names.entries()) {
      expect(n.right, `file ${i} inside the screen`).toBeLessThanOrEqual(390);
      for (const m of names.slice(i + 1)) {
        const hit = n.x < m.right && m.x < n.right && n.y < m.bottom && m.y < n.bottom;
        expect(hit, `file ${i} overlaps another`).toBe(false);
      }
    }
    const widths = await page.evaluate(() => ({
      doc: document.documentElement.scrollWidth,
      view: window.innerWidth,
    }));
    expect(widths.doc).toBeLessThanOrEqual(widths.view);
    await context.close();
  });
  it("keyboard: a skip link first, then the presets (arrow keys switch them, the tile shows focus), then the fields", async () => {
    const base = await start();
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/?preset=node-service`);
    await page.keyboard.press("Tab");
    const skip = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      return { text: el.textContent, top: el.getBoundingClientRect().top };
    });
    expect(skip.text).toBe("Skip to content");
    expect(skip.top).toBeGreaterThanOrEqual(0);
    const focused = async () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const tile = el.closest(".choice");
        return {
          id: el.id,
          tileOutline: tile ? getComputedStyle(tile).outlineStyle : undefined,
        };
      });
    let now = await focused();
    for (let i = 0; i < 5 && !now.id.startsWith("preset-"); i++) {
      await page.keyboard.press("Tab");
      now = await focused();
    }
    // Tab lands on the checked preset; its tile carries the focus ring.
    expect(now.id).toBe("preset-node-service");
    expect(now.tileOutline).toBe("solid");
    await page.keyboard.press("ArrowUp");
    expect((await focused()).id).toBe("preset-static-frontend");
    expect(await page.locator("#preset-static-frontend").isChecked()).toBe(true);
    await page.keyboard.press("Tab");
    expect((await focused()).id).toBe("f-name");
    await context.close();
  });
});
