import { statSync } from "node:fs";

/**
 * The module `slipway <command>` runs: `synth` from the minified bundle (`npm run build`,
 * scripts/bundle.ts; ADR 0007), everything else from the modules. The modules also run `synth`
 * when there is no bundle, or when the bundle is stale: in the repository, a `tsc -b` of the core
 * or the CLI after the last bundle (their build-info files are newer) means sources changed since,
 * and the bundle would run the code from before them. An installed package has no build-info.
 *
 * @example await import(entryFor("synth", new URL(import.meta.url)).href)
 */
export function entryFor(command: string | undefined, bin: URL): URL {
  const modules = new URL("../dist/main.js", bin);
  if (command !== "synth") return modules;
  const bundle = new URL("../bundle/main.js", bin);
  const built = mtime(bundle);
  if (built === undefined) return modules;
  for (const info of ["../dist/.tsbuildinfo", "../../core/dist/.tsbuildinfo"]) {
    const compiled = mtime(new URL(info, bin));
    if (compiled !== undefined && compiled > built) return modules;
  }
  return bundle;
}

function mtime(file: URL): number | undefined {
  return statSync(file, { throwIfNoEntry: false })?.mtimeMs;
}
