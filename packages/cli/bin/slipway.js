#!/usr/bin/env node
import { setFlagsFromString } from "node:v8";

// Synth streams thousands of short-lived file contents; without this V8 promotes them to the old
// generation and collects it only at the end (peak RSS 303 MiB at 5000 services, 146 MiB with it;
// ~10% more CPU). Measured in bench/synth; set before any module allocates.
// Not for `serve`: under load it cost the scaffold service ~40% of its /starter.zip throughput for
// less memory than a small young generation gives (bench/scaffold); the service's own V8 flags are
// node command-line flags (they cannot be set at run time), in packages/scaffold/Dockerfile's CMD.
//
// --semi-space-growth-factor=1 for `synth`: the young generation stays at its initial 1 MiB
// semi-spaces instead of growing to 8 MiB while the specs load (peak RSS at N = 100 / 1000 / 5000
// services, median of 5: 67 / 74 / 94 MiB without, 64 / 68 / 88 MiB with, before the later steps
// in bench/README.md). The maximum size cannot be set at run time; the growth factor can, and V8
// reads it each time it would grow the young generation.
//
// --no-maglev --no-turbofan (Ignition and Sparkplug only) for `synth`: the optimizing compilers'
// code and zones are ~20 MiB of resident memory (peak RSS at N = 100 / 1000 / 5000 services:
// 83 / 102 / 128 MiB with them, 72 / 83 / 110 MiB without), for ~25% more time on large platforms
// (still 0.40x cdk8s at N = 1000). Measured in bench/synth. `check` keeps them: its schema
// validation is compute-bound and memory is no figure of it.
const command = process.argv.slice(2).find((a) => !a.startsWith("-"));

// `serve` runs with the service's V8 flags and allocator settings (packages/scaffold/Dockerfile's
// CMD and ENV; bench/scaffold), which only take effect at process start: without them a local
// `slipway serve --dev` grew from 120 to 306 MiB under load and stayed there (issue 16). So the
// process replaces itself (execve: same pid, no parent left waiting) with one that has them,
// unless it already has a heap cap (the container's CMD, or one of the user's). glibc keeps freed
// zlib state in its arenas; fixed thresholds give it back (~10-15 MiB less after load).
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

// `synth` runs from the minified bundle when it is there and fresh (src/entry.ts): 4–5 MiB less
// resident memory at every platform size. The other commands run from the modules.
const { entryFor } = await import("../dist/entry.js");
const { main } = await import(entryFor(command, new URL(import.meta.url)).href);
process.exitCode = await main(process.argv.slice(2));
