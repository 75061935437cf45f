import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { slipway, TINY_PLATFORM, writeTinyPlatform } from "../../../cli/test/_slipway.js";
import { SCHEMA_DIR } from "./helpers.js";

/** `slipway check` and `slipway budget` end to end, through the built binary. */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "slipway-check-"));
  writeTinyPlatform(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface CheckJson {
  version: number;
  ok: boolean;
  errors: number;
  warnings: number;
  diagnostics: {
    code: string;
    severity: string;
    file: string | null;
    line: number | null;
    path: (string | number)[];
  }[];
  stats: { objects: number; validated: { crd: number; core: number; model: number }; policies: string[] };
}

describe("slipway check", () => {
  it("--format json is a stable document whose ok and exit code agree", () => {
    const r = slipway([
      "check",
      "--config",
      join(dir, "platform.yaml"),
      "--schemas",
      SCHEMA_DIR,
      "--format",
      "json",
    ]);
    const doc = JSON.parse(r.stdout) as CheckJson;
    expect(doc.version).toBe(1);
    expect(doc.errors).toBe(doc.diagnostics.filter((d) => d.severity === "error").length);
    expect(doc.ok).toBe(doc.errors === 0);
    expect(r.code).toBe(doc.ok ? 0 : 1);
    expect(doc.stats.policies).toContain("no-secrets");
    for (const d of doc.diagnostics) {
      expect(d.code).toMatch(/^SW_(CHECK|POLICY)_[A-Z_]+$/);
      expect(d.file).not.toBeNull();
      expect(d.line).toBeGreaterThan(0);
    }
  });

  it("exits 2 when the schema directory does not exist", () => {
    const r = slipway(["check", "--config", join(dir, "platform.yaml"), "--schemas", join(dir, "nope")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("SW_CHECK_SCHEMA_DIR");
  });

  it("validates offline without --schemas and says what it could not validate and how to fix it", () => {
    const r = slipway(["check", "--config", join(dir, "platform.yaml")], {
      // An empty cache: no `slipway schemas pull` was run.
      env: {
        ...process.env,
        NO_COLOR: "1",
        SLIPWAY_SCHEMA_DIR: "",
        SLIPWAY_SCHEMA_CACHE: join(dir, "no-cache"),
      },
    });
    expect([0, 1]).toContain(r.code);
    expect(r.stdout).toMatch(
      /^note: no schema directory: custom resources were not validated against their CRDs nor Helm values/m,
    );
    expect(r.stdout).toMatch(/run 'slipway schemas pull'/);
  });
});

describe("slipway budget", () => {
  it("prints per-component rows with MiB, totals and allocatable; json agrees with the exit code", () => {
    const r = slipway(["budget", "--config", join(dir, "platform.yaml")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^component\s+cpu req\s+cpu lim\s+mem req\s+mem lim$/m);
    expect(r.stdout).toMatch(/^total\s+\d+m/m);
    expect(r.stdout).toMatch(/^allocatable\s+3750m\s+~7680 MiB$/m);
    const j = JSON.parse(
      slipway(["budget", "--config", join(dir, "platform.yaml"), "--format", "json"]).stdout,
    ) as {
      version: number;
      fits: boolean;
      allocatable: { cpuMillis: number; memoryBytes: number };
    };
    expect(j).toMatchObject({
      version: 1,
      fits: true,
      allocatable: { cpuMillis: 3750, memoryBytes: 7680 * 1024 * 1024 },
    });
  });

  it("exits 1 when the requests do not fit the node", () => {
    writeFileSync(
      join(dir, "platform.yaml"),
      TINY_PLATFORM.replace("cpu: 4", "cpu: 300m").replace("memory: 8Gi", "memory: 600Mi"),
    );
    const r = slipway(["budget", "--config", join(dir, "platform.yaml")]);
    expect(r.stdout).toMatch(/does NOT fit/);
    expect(r.code).toBe(1);
  });
});
