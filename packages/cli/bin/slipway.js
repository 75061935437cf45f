#!/usr/bin/env node
import { setFlagsFromString } from "node:v8";

// V8 flags for `synth`, set before any module allocates: --optimize-for-size, no optimizing
// compilers (--no-maglev --no-turbofan: their code and zones cost more resident memory than a
// synth run gains in speed) and a young generation that does not grow (--semi-space-growth-factor=1:
// only the growth factor can be set at run time). The other commands but `serve` get
// --optimize-for-size only; `check` keeps the optimizing compilers (schema validation is
// compute-bound). What each flag saves and costs: bench/README.md ("V8 flags").
const command = process.argv.slice(2).find((a) => !a.startsWith("-"));

// `serve` runs with the service's V8 flags and allocator settings (packages/scaffold/Dockerfile's
// CMD and ENV; bench/README.md, bench/scaffold), which only take effect at process start: without
// them a local `slipway serve --dev` kept growing under load (issue 16). So the
// process replaces itself (execve: same pid, no parent left waiting) with one that has them,
// unless it already has a heap cap (the container's CMD, or one of the user's). glibc keeps freed
// zlib state in its arenas; fixed thresholds give it back (bench/README.md).
const SERVE_NODE_FLAGS = ["--max-semi-space-size=2", "--max-old-space-size=64"];
const SERVE_MALLOC_ENV = {
  MALLOC_ARENA_MAX: "2",
  MALLOC_MMAP_THRESHOLD_: "131072",
  MALLOC_TRIM_THRESHOLD_: "131072",
};
if (
  command === "serve" &&
  typeof process.execve === "function" &&
  !process.execArgv.some((a) => a.startsWith("--max-old-space-size"))
) {
  const { fileURLToPath } = await import("node:url");
  process.execve(
    process.execPath,
    [
      process.execPath,
      ...process.execArgv,
      ...SERVE_NODE_FLAGS,
      fileURLToPath(import.meta.url),
      ...process.argv.slice(2),
    ],
    { ...SERVE_MALLOC_ENV, ...process.env },
  );
}

if (command === "synth")
  setFlagsFromString("--optimize-for-size --no-maglev --no-turbofan --semi-space-growth-factor=1");
else if (command !== "serve") setFlagsFromString("--optimize-for-size");

// Node's compile cache (in $NODE_COMPILE_CACHE, else the temporary directory; keyed by content, so
// never stale) spares every run after the first most of the start-up a bundle used to save
// (bench/README.md). Not for `serve`, a long-running process, often on a read-only filesystem.
if (command !== "serve") (await import("node:module")).enableCompileCache?.();
const { main } = await import("../dist/main.js");
process.exitCode = await main(process.argv.slice(2));
