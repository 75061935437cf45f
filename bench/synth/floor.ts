/**
 * The floors bench/synth reports for context: the same objects as plain data, serialized by a
 * general-purpose serializer and written one file per object, with nothing else (no validation,
 * no ownership record, no staging):
 *   node bench/synth/floor.ts yaml|json <repo> <outdir>
 * `yaml` uses the `yaml` package's stringify; `json` uses JSON.stringify (the I/O-bound floor).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";

// Run as .ts (type stripping) or as the .mjs that bench/synth/run.ts strips it to; the type comes
// from the `.js` name that TypeScript maps to the same source.
const { readServices, serviceObjects } = (await import(
  new URL(import.meta.url.endsWith(".ts") ? "./objects.ts" : "./objects.mjs", import.meta.url).href
)) as typeof import("./objects.js");

const [mode, repo, outdir] = process.argv.slice(2);
if ((mode !== "yaml" && mode !== "json") || repo === undefined || outdir === undefined) {
  process.stderr.write("usage: node bench/synth/floor.ts yaml|json <repo> <outdir>\n");
  process.exit(2);
}

const serialize =
  mode === "yaml" ? (o: unknown) => stringify(o) : (o: unknown) => `${JSON.stringify(o, null, 2)}\n`;
for (const s of readServices(repo)) {
  const dir = join(outdir, s.name);
  mkdirSync(dir, { recursive: true });
  for (const o of serviceObjects(s)) {
    writeFileSync(join(dir, `${o.kind.toLowerCase()}-${o.metadata.name}.yaml`), serialize(o));
  }
}
