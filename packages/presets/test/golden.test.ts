import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { expect, describe as group, it } from "vitest";
import { presets } from "../src/index.js";
import { generateSample } from "./helpers/project.js";

/*
 * Golden trees (Initializr's `.gen` files): one generated project per preset, committed under
 * test/golden/<preset>/ with a `.gen` suffix so no tool in this repository formats or lints them.
 * Reviewers read real output in the diff. `UPDATE_GOLDEN=1 npx vitest run packages/presets` rewrites
 * them. The node-service lockfile is left out (40 kB of resolved dependencies; its own test covers it).
 */
const GOLDEN = join(import.meta.dirname, "golden");
const SKIP = new Set(["package-lock.json"]);

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

group.each(presets.map((p) => [p.id]))("golden tree of %s", (id) => {
  it("matches the committed files", () => {
    const root = join(GOLDEN, id);
    const files = generateSample(id, { name: "demo", owner: "octocat" }).filter((f) => !SKIP.has(f.path));
    if (process.env.UPDATE_GOLDEN === "1") {
      rmSync(root, { recursive: true, force: true });
      for (const f of files) {
        mkdirSync(dirname(join(root, `${f.path}.gen`)), { recursive: true });
        writeFileSync(join(root, `${f.path}.gen`), f.content);
      }
    }
    const committed = walk(root)
      .map((p) => relative(root, p).replace(/\.gen$/, ""))
      .sort();
    expect(committed).toEqual(files.map((f) => f.path));
    for (const f of files) expect(f.content, f.path).toBe(readFileSync(join(root, `${f.path}.gen`), "utf8"));
  });
});
