#!/usr/bin/env node
// Regenerates assets/node-service/package-lock.json, the lockfile template of the node-service
// preset. Run after changing the versions in src/presets/node-service/manifest.ts:
//
//   npx tsc -b && node packages/presets/scripts/update-node-lockfile.mjs
//
// It writes the preset's package.json (under the template name) into a temporary directory, asks npm
// to resolve it without installing (`--package-lock-only`: registry metadata only, no scripts run),
// and copies the lockfile back. Generation later only swaps the root `name` fields.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LOCKFILE_TEMPLATE_NAME, nodeServicePackageJson } from "../dist/presets/node-service/manifest.js";

const dir = mkdtempSync(join(tmpdir(), "slipway-lock-"));
try {
  const pkg = nodeServicePackageJson(LOCKFILE_TEMPLATE_NAME);
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
  // Without `resolved` URLs the lockfile works against whichever registry or mirror npm is
  // configured with; the integrity hashes still pin every tarball.
  const args = ["install", "--package-lock-only", "--ignore-scripts", "--omit-lockfile-registry-resolved"];
  execFileSync("npm", [...args, "--no-audit", "--no-fund"], { cwd: dir, stdio: "inherit" });
  const lock = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8"));
  const dropped = dropUnresolvableOptionals(lock);
  if (dropped.length > 0) {
    console.warn(
      `warning: the registry has no ${dropped.join(", ")}; the lockfile omits them, so those platforms\n` +
        "get no native binary for the packages that need one. Regenerate against registry.npmjs.org to fix.",
    );
  }
  const target = fileURLToPath(new URL("../assets/node-service/package-lock.json", import.meta.url));
  writeFileSync(target, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(`wrote ${target}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * A partial registry mirror lacks some platform-specific optional packages (e.g. Biome's macOS and
 * Windows binaries); npm then leaves them out of the lockfile but keeps the edges, and `npm ci`
 * refuses the lockfile. Removing the dangling optional edges keeps `npm ci` working everywhere the
 * lockfile has binaries for. Against the public registry nothing is dropped.
 */
function dropUnresolvableOptionals(lock) {
  const dropped = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    const optional = entry.optionalDependencies;
    if (!optional) continue;
    for (const dep of Object.keys(optional)) {
      const prefix = path === "" ? "" : `${path}/`;
      const present = [`${prefix}node_modules/${dep}`, `node_modules/${dep}`].some((p) => p in lock.packages);
      if (!present) {
        delete optional[dep];
        dropped.push(dep);
      }
    }
  }
  return dropped.sort();
}
