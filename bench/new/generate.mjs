// Generates one preset into a directory: what "generating a preset into a directory" costs from a
// cold Node start. Usage: node bench/new/generate.mjs <preset> <dir>
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, generate } from "@slipway/presets";

const [presetId, out] = process.argv.slice(2);
const files = generate(describe(presetId, { name: "demo", owner: "octocat" }));
for (const f of files) {
  const abs = join(out, f.path);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, f.content);
  if (f.mode !== undefined) chmodSync(abs, f.mode);
}
