import { existsSync, mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Started, startServer } from "../src/start.js";
import { freePort } from "./auth/harness.js";

/** Debian's chromium; skipped where it is not installed, except in CI (.ci/run installs it). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const available = existsSync(CHROMIUM) || process.env.CI !== undefined;

/**
 * `UPDATE_SCREENSHOTS=1` writes the pictures docs/scaffold-service.md shows (docs/images/scaffold-
 * <page>.png at 1280×800, -phone.png at 390×844); otherwise they go to a temporary directory.
 */
const DOCS_IMAGES = join(import.meta.dirname, "../../../docs/images");

const VIEWPORTS = [
  { name: "desktop", suffix: "", width: 1280, height: 800 },
  { name: "phone", suffix: "-phone", width: 390, height: 844 },
] as const;

interface Problem {
  readonly page: string;
  readonly what: string;
}

/**
 * WCAG 2.1 checks the page itself can make: AA contrast of every visible text (4.5:1, 3:1 when
 * large) against the background it is drawn on, a label for every control, no sideways scrolling.
 */
async function audit(page: Page, name: string): Promise<Problem[]> {
  const found = await page.evaluate(() => {
    const problems: string[] = [];
    const rgba = (c: string): [number, number, number, number] => {
      const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(c);
      return m
        ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])]
        : [0, 0, 0, 0];
    };
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r as number) + 0.7152 * f(g as number) + 0.0722 * f(b as number);
    };
    const background = (el: Element | null): number[] => {
      for (let e = el; e !== null; e = e.parentElement) {
        const c = rgba(getComputedStyle(e).backgroundColor);
        if (c[3] > 0.5) return c;
      }
      const root = rgba(getComputedStyle(document.documentElement).backgroundColor);
      return root[3] > 0.5 ? root : [255, 255, 255, 1];
    };
    for (const el of document.querySelectorAll("body *")) {
      const text = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim());
      if (!text) continue;
      const style = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      if (style.visibility === "hidden" || box.width === 0 || box.height === 0) continue;
      const fg = rgba(style.color);
      const l1 = lum(fg);
      const l2 = lum(background(el));
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      const size = Number.parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5))
        problems.push(
          `contrast ${ratio.toFixed(2)} of <${el.tagName.toLowerCase()}> "${el.textContent?.trim().slice(0, 40)}"`,
        );
    }
    for (const c of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
      const id = c.id;
      const labelled =
        (id !== "" && document.querySelector(`label[for="${id}"]`) !== null) || c.closest("label") !== null;
      if (!labelled)
        problems.push(`no label for <${c.tagName.toLowerCase()} name=${c.getAttribute("name")}>`);
    }
    if (document.documentElement.scrollWidth > window.innerWidth)
      problems.push(`scrolls sideways: ${document.documentElement.scrollWidth} > ${window.innerWidth}`);
    return problems;
  });
  return found.map((what) => ({ page: name, what }));
}

describe.skipIf(!available)("every page, desktop and phone, light and dark", () => {
  let browser: Browser;
  let dev: Started;
  let gitDir: string;
  let out: string;
  const logLevel = process.env.LOG_LEVEL;

  beforeAll(async () => {
    process.env.LOG_LEVEL = "warn";
    gitDir = await mkdtemp(join(tmpdir(), "slipway-ui-design-git-"));
    out = process.env.UPDATE_SCREENSHOTS ? DOCS_IMAGES : await mkdtemp(join(tmpdir(), "slipway-ui-shots-"));
    mkdirSync(out, { recursive: true });
    dev = await startServer({
      dev: true,
      port: await freePort(),
      host: "127.0.0.1",
      env: { SLIPWAY_DEV_GIT_DIR: gitDir },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });

  afterAll(async () => {
    await browser?.close();
    await dev?.app.close();
    if (gitDir) await rm(gitDir, { recursive: true, force: true });
    if (logLevel === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = logLevel;
  });

  it.each(
    VIEWPORTS.flatMap((v) =>
      (["light", "dark"] as const).map((scheme) => [`${v.name} ${scheme}`, v, scheme] as const),
    ),
  )(
    "%s: sign-in, consent, form, errors, form expired, explore, created, sign-out",
    async (_label, viewport, scheme) => {
      const context = await browser.newContext({
        viewport: { width: viewport.width, height: viewport.height },
        deviceScaleFactor: 1,
        colorScheme: scheme,
        ...(viewport.name === "phone" ? { isMobile: true, hasTouch: true } : {}),
      });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const problems: Problem[] = [];
      const shoot = async (name: string) => {
        await page.locator("body").evaluate(() => {
          (document.activeElement as HTMLElement | null)?.blur();
          window.scrollTo(0, 0);
        });
        problems.push(...(await audit(page, name)));
        // The documented pictures are the light ones; dark ones are only audited.
        if (scheme === "light")
          await page.screenshot({
            path: join(out, `scaffold-${name}${viewport.suffix}.png`),
            animations: "disabled",
            caret: "hide",
          });
      };

      await page.goto(`${dev.url}/?preset=node-service`);
      await page.waitForURL((u) => u.origin === dev.issuer);
      await shoot("signin");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("button", { name: "Allow" }).waitFor();
      await shoot("consent");
      await page.getByRole("button", { name: "Allow" }).click();
      await page.waitForURL(`${dev.url}/?preset=node-service`);
      const name = `shot-${viewport.name}-${scheme}`;
      await page.getByRole("textbox", { name: "Name", exact: true }).fill(name);
      await shoot("home");

      await page.getByRole("textbox", { name: "Name", exact: true }).fill("Not A Name");
      await page.getByLabel("Port").fill("80");
      await page.getByRole("button", { name: "Generate" }).click();
      await page.locator("#errors").waitFor();
      await shoot("errors");

      // A form whose CSRF cookie is gone (another tab signed out, say): the "Form expired" page.
      await context.clearCookies({ name: "sw_csrf" });
      await page.getByRole("button", { name: "Generate" }).click();
      await page.getByRole("heading", { name: "Form expired" }).waitFor();
      expect(await page.getByRole("button", { name: "Sign out" }).count()).toBe(1);
      await shoot("expired");

      await page.goto(
        `${dev.url}/explore?preset=node-service&name=${name}&owner=octocat&file=src%2Fserver.ts`,
      );
      await shoot("explore");

      await page.goto(`${dev.url}/?preset=node-service`);
      await page.getByRole("textbox", { name: "Name", exact: true }).fill(name);
      await page.getByRole("button", { name: "Create repository" }).click();
      await page.getByRole("heading", { name: "Repository created" }).waitFor();
      await shoot("created");

      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("button", { name: /sign me out/i }).waitFor();
      await shoot("signout");

      expect(problems).toEqual([]);
      await context.close();
    },
  );
});
