import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHARTS_DIR, tool } from "../../core/test/helpers/tools.js";
import { repo, slipway, writeTinyPlatform } from "./_slipway.js";

const SCHEMAS = process.env.SLIPWAY_SCHEMA_DIR ?? join(repo, "../shared/upstream");

interface ChartsJson {
  ok: boolean;
  errors: number;
  diagnostics: { code: string; file: string | null }[];
  stats: { charts?: { sources: number; rendered: number; objects: number } };
}

/** `slipway check --render-charts` end to end, through the built binary, with the real helm. */
describe("slipway check --render-charts", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "slipway-check-charts-"));
    writeTinyPlatform(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("renders every chart Application (flags), and the exit code agrees with ok", () => {
    const r = slipway([
      "check",
      "--config",
      join(dir, "platform.yaml"),
      "--schemas",
      SCHEMAS,
      "--render-charts",
      "--charts",
      CHARTS_DIR,
      "--helm",
      tool("helm"),
      "--format",
      "json",
    ]);
    const doc = JSON.parse(r.stdout) as ChartsJson;
    expect(doc.stats.charts?.sources).toBeGreaterThan(2);
    expect(doc.stats.charts?.rendered).toBe(doc.stats.charts?.sources);
    expect(doc.stats.charts?.objects).toBeGreaterThan(0);
    expect(doc.diagnostics.filter((d) => d.code.startsWith("SW_CHECK_HELM"))).toEqual([]);
    expect(r.code).toBe(doc.ok ? 0 : 1);
  }, 120_000);

  it("reads SLIPWAY_CHARTS_DIR and SLIPWAY_HELM, and renders nothing without --render-charts", () => {
    const env = { ...process.env, NO_COLOR: "1", SLIPWAY_CHARTS_DIR: CHARTS_DIR, SLIPWAY_HELM: tool("helm") };
    const args = ["check", "--config", join(dir, "platform.yaml"), "--schemas", SCHEMAS, "--format", "json"];
    const on = JSON.parse(slipway([...args, "--render-charts"], { env }).stdout) as ChartsJson;
    expect(on.stats.charts?.rendered).toBeGreaterThan(2);
    const off = JSON.parse(slipway(args, { env }).stdout) as ChartsJson;
    expect(off.stats.charts).toBeUndefined();
  }, 120_000);

  it("exits 2 when helm does not run or the charts directory does not exist", () => {
    const base = ["check", "--config", join(dir, "platform.yaml"), "--render-charts"];
    const noHelm = slipway([...base, "--charts", CHARTS_DIR, "--helm", join(dir, "no-helm")]);
    expect(noHelm.code).toBe(2);
    expect(noHelm.stderr).toContain("SW_CHECK_HELM_MISSING");
    const noDir = slipway([...base, "--charts", join(dir, "nope"), "--helm", tool("helm")]);
    expect(noDir.code).toBe(2);
    expect(noDir.stderr).toContain("SW_CHECK_CHARTS_DIR");
  }, 60_000);
});
