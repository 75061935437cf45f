import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { type OutputFile, writeTree } from "../../src/index.js";
import { tempDir } from "./helpers.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const MiB = 1024 * 1024;

/**
 * Streaming, measured: 64 MiB of content flows through writeTree while the live heap (after a
 * full GC, sampled every 100 files) stays within a few MiB: only path → hash is retained.
 */
describe("writeTree memory", () => {
  it.each([false, true])("keeps the heap flat while writing 64 MiB (dryRun: %s)", (dryRun) => {
    const root = tempDir();
    const body = "x".repeat(32 * 1024 - 32);
    let peak = 0;
    function* files(): Generator<OutputFile> {
      for (let i = 0; i < 2048; i++) {
        if (i % 100 === 0) {
          gc();
          peak = Math.max(peak, process.memoryUsage().heapUsed);
        }
        yield {
          path: `k8s/helm/manifests/svc-${i % 256}/f-${i}.yaml`,
          content: `i: ${i}\n${body}\n`,
          owner: "t",
        };
      }
    }
    gc();
    const base = process.memoryUsage().heapUsed;
    const r = writeTree(root, files(), { dryRun });
    expect(r.files).toBe(2048);
    gc();
    expect((peak - base) / MiB).toBeLessThan(12);
    expect((process.memoryUsage().heapUsed - base) / MiB).toBeLessThan(12);
  });
});
