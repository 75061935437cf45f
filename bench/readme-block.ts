import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const repoRoot = join(import.meta.dirname, "..");

/**
 * Replaces what stands between the `start` and `end` markers of a benchmark README with `body`,
 * then lets the project's formatter align the Markdown tables (so `biome ci` passes after a run).
 * Returns false, writing nothing, when a marker is missing.
 */
export function writeReadmeBlock(readme: string, start: string, end: string, body: string): boolean {
  const text = readFileSync(readme, "utf8");
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a === -1 || b <= a) return false;
  writeFileSync(readme, `${text.slice(0, a + start.length)}\n${body}${text.slice(b)}`);
  spawnSync(join(repoRoot, "node_modules/.bin/biome"), ["format", "--write", readme], { stdio: "ignore" });
  process.stderr.write(`results written to ${readme}\n`);
  return true;
}
