import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "../scripts/build.mjs";

const src = fileURLToPath(new URL("../src", import.meta.url));

test("every asset index.html references exists under a content-hashed name", async (t) => {
  const out = await mkdtemp(join(tmpdir(), "site-"));
  t.after(() => rm(out, { recursive: true, force: true }));
  await build(src, out);
  const html = await readFile(join(out, "index.html"), "utf8");
  const refs = [...html.matchAll(/"\/assets\/([^"]+)"/g)].map((m) => m[1]);
  assert.ok(refs.length >= 2, "index.html references the stylesheet and the script");
  const built = await readdir(join(out, "assets"));
  for (const ref of refs) {
    assert.match(ref, /\.[0-9a-f]{12}\.[a-z]+$/, `${ref} is content-hashed`);
    assert.ok(built.includes(ref), `${ref} was built`);
  }
});
