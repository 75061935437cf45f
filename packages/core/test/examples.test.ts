import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderPlatform, synth } from "../src/index.js";

/**
 * The example platform is the first integration test (STYLE.md 6, 12): its full rendered tree is
 * committed, and every file must match what synth renders now. `UPDATE_GOLDEN=1 npm test` rewrites
 * it through the normal write path (ownership checks included); reviewers read the YAML diff.
 */
const root = join(import.meta.dirname, "../../../examples/homelab");
const config = join(root, "platform.yaml");

describe("examples/homelab", () => {
  it("renders exactly the committed tree", () => {
    if (process.env.UPDATE_GOLDEN === "1") synth({ config });
    const files = [...renderPlatform(config).files];
    expect(files.length).toBeGreaterThan(0);
    const stale: string[] = [];
    for (const f of files) {
      let onDisk: string | undefined;
      try {
        onDisk = readFileSync(join(root, f.path), "utf8");
      } catch {
        onDisk = undefined;
      }
      if (onDisk !== f.content) stale.push(f.path);
    }
    expect(stale, "rendered files differ from the committed tree: run UPDATE_GOLDEN=1 npm test").toEqual([]);
    // No leftovers: the ownership record lists exactly what is rendered now.
    const owned = JSON.parse(readFileSync(join(root, ".slipway/owned.json"), "utf8")) as {
      files: Record<string, string>;
    };
    expect(Object.keys(owned.files).sort()).toEqual(files.map((f) => f.path).sort());
  });
});
