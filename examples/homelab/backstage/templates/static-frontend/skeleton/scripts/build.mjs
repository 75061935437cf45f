#!/usr/bin/env node
// Builds src/ into dist/ with content-hashed asset names, so nginx can cache them forever.
// No bundler and no dependencies: add one when the app needs it, keeping dist/ as the output.
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Copies srcDir/index.html and srcDir/assets/* to outDir, renaming assets to name.<hash>.ext. */
export async function build(srcDir, outDir) {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(join(outDir, "assets"), { recursive: true });
  let html = await readFile(join(srcDir, "index.html"), "utf8");
  for (const name of (await readdir(join(srcDir, "assets"))).sort()) {
    const body = await readFile(join(srcDir, "assets", name));
    const hash = createHash("sha256").update(body).digest("hex").slice(0, 12);
    const dot = name.lastIndexOf(".");
    const hashed = dot > 0 ? `${name.slice(0, dot)}.${hash}${name.slice(dot)}` : `${name}.${hash}`;
    await writeFile(join(outDir, "assets", hashed), body);
    html = html.replaceAll(`"/assets/${name}"`, `"/assets/${hashed}"`);
  }
  await writeFile(join(outDir, "index.html"), html);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL("..", import.meta.url));
  await build(join(root, "src"), join(root, "dist"));
}
