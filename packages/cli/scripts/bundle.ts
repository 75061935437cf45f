/**
 * Bundles the CLI for `slipway synth` into packages/cli/bundle/ (run by `npm run build`, after
 * `tsc -b`). Node has no tree-shaking: as separate modules, zod 4 alone loads every locale and
 * its JSON-Schema code (~7–9 MiB resident), and each module costs its record and source text.
 * The bundle, minified, holds only what is used: synth's peak RSS 4–5 MiB lower at every size
 * (bench/synth). Only `synth` runs from it, and only while fresh (src/entry.ts); the presets and the
 * scaffold service stay separate packages, so no class exists twice in a process.
 *
 *   node packages/cli/scripts/bundle.ts
 */
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const cli = fileURLToPath(new URL("..", import.meta.url));
const out = `${cli}bundle`;
rmSync(out, { recursive: true, force: true });
await build({
  input: `${cli}dist/main.js`,
  platform: "node",
  // Loaded lazily by commands other than synth, or on synth's error path (yaml).
  external: [/^@slipway\/(presets|onboarding|scaffold)(\/|$)/, /^node:/, "yaml"],
  output: { dir: out, format: "esm", minify: true, sourcemap: true },
  logLevel: "warn",
});
