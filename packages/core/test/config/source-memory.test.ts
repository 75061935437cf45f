import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, describe, expect, it } from "vitest";
import { readSource } from "../../src/config/source.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const dir = mkdtempSync(join(tmpdir(), "source-memory-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readSource memory", () => {
  it("keeps none of the file's text alive through the parsed data", () => {
    // 40 files of ~200 KiB each (mostly a comment; the limit is 256 KiB); each value is long enough that a substring
    // of the text would be a V8 sliced string holding the whole text.
    const kept: unknown[] = [];
    const files = Array.from({ length: 40 }, (_, i) => {
      const file = join(dir, `svc-${i}.yaml`);
      writeFileSync(file, `# ${"x".repeat(200 * 1024)}\nimage: ghcr.io/example/service-${i}:1.0.0\n`);
      return file;
    });
    gc();
    const before = process.memoryUsage().heapUsed;
    for (const f of files) {
      const parsed = readSource(f);
      expect(parsed.diagnostics).toEqual([]);
      kept.push(parsed.data);
    }
    gc();
    const grown = (process.memoryUsage().heapUsed - before) / 2 ** 20;
    expect(kept[3]).toEqual({ image: "ghcr.io/example/service-3:1.0.0" });
    // 40 texts would be 8 MiB; the 40 small objects are a few KiB.
    expect(grown).toBeLessThan(2);
  });
});
