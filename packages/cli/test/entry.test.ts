import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { entryFor } from "../src/entry.js";

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A repository layout (packages/core, packages/cli) with the given files, each at its mtime (s). */
function layout(files: Record<string, number>): URL {
  const root = mkdtempSync(join(tmpdir(), "slipway-entry-"));
  roots.push(root);
  for (const [path, seconds] of Object.entries(files)) {
    const abs = join(root, "packages", path);
    mkdirSync(join(abs, ".."), { recursive: true });
    writeFileSync(abs, "");
    utimesSync(abs, seconds, seconds);
  }
  return pathToFileURL(join(root, "packages/cli/bin/slipway.js"));
}

const rel = (bin: URL, entry: URL) => entry.href.slice(new URL("..", bin).href.length);

describe("entryFor", () => {
  it("runs synth from a bundle built after the last compile of core and the CLI", () => {
    const bin = layout({
      "cli/bundle/main.js": 200,
      "cli/dist/.tsbuildinfo": 100,
      "core/dist/.tsbuildinfo": 100,
    });
    expect(rel(bin, entryFor("synth", bin))).toBe("bundle/main.js");
  });

  it("runs every other command from the modules", () => {
    const bin = layout({ "cli/bundle/main.js": 200 });
    for (const command of ["check", "serve", "new", undefined])
      expect(rel(bin, entryFor(command, bin))).toBe("dist/main.js");
  });

  it("runs synth from the modules without a bundle, or when core or the CLI was compiled after it", () => {
    const bare = layout({});
    expect(rel(bare, entryFor("synth", bare))).toBe("dist/main.js");
    for (const stale of ["cli/dist/.tsbuildinfo", "core/dist/.tsbuildinfo"]) {
      const bin = layout({ "cli/bundle/main.js": 200, [stale]: 300 });
      expect(rel(bin, entryFor("synth", bin)), stale).toBe("dist/main.js");
    }
  });

  it("runs synth from the bundle of an installed package (no build-info files)", () => {
    const bin = layout({ "cli/bundle/main.js": 200 });
    expect(rel(bin, entryFor("synth", bin))).toBe("bundle/main.js");
  });
});
