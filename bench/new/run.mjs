/**
 * bench/new: wall time of `slipway new` and of generating a preset, each run as a fresh process on
 * this Node (start-up included), plus where start-up goes (import cost per module).
 *
 *   npx tsc -b && node bench/new/run.mjs [--runs 20] [--no-readme]
 *
 * Every run gets a fresh copy of examples/homelab (on /dev/shm when there is one) so no run sees
 * another's output; the copy is made outside the timed region.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { writeReadmeBlock } from "../readme-block.ts";

const here = import.meta.dirname;
const repo = join(here, "../..");
const node = existsSync(join(repo, "node_modules/.bin/node"))
  ? join(repo, "node_modules/.bin/node")
  : process.execPath;
const bin = join(repo, "packages/cli/bin/slipway.js");
const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg === -1 ? 20 : Number(process.argv[runsArg + 1]);
const scratch = join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), `slipway-bench-new-${process.pid}`);
const PRESETS = ["spring-boot-postgres-oidc", "spring-boot-microservice", "static-frontend", "node-service"];

function time(args, cwd) {
  const t = process.hrtime.bigint();
  const r = spawnSync(node, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { min: s[0], median: q(0.5), p90: q(0.9), max: s.at(-1) };
}

let n = 0;
function freshPlatform() {
  const dir = join(scratch, `p${++n}`);
  cpSync(join(repo, "examples/homelab"), dir, { recursive: true });
  return dir;
}

function measure(label, prepare, args) {
  const xs = [];
  time(...prepare(args)); // warm the OS file cache once, untimed
  for (let i = 0; i < RUNS; i++) xs.push(time(...prepare(args)));
  return { label, ...stats(xs) };
}

mkdirSync(scratch, { recursive: true });
const rows = [];
try {
  rows.push(measure("node -e 0 (Node start, floor)", () => [["-e", "0"], repo]));
  rows.push(
    measure("slipway new demo --preset node-service --dry-run", () => [
      [bin, "new", "demo", "--preset", "node-service", "--dry-run"],
      freshPlatform(),
    ]),
  );
  rows.push(
    measure("slipway new demo --preset node-service --repo-out DIR (writes both repos)", () => {
      const p = freshPlatform();
      return [[bin, "new", "demo", "--preset", "node-service", "--repo-out", join(p, "..", `r${++n}`)], p];
    }),
  );
  for (const preset of PRESETS) {
    rows.push(
      measure(`generate ${preset} into a directory`, () => [
        [join(here, "generate.mjs"), preset, join(scratch, `g${++n}`)],
        repo,
      ]),
    );
  }
  // Where start-up goes: each import alone in a fresh process, timed inside it.
  const imports = {};
  const coreDist = (f) => new URL(`../../packages/core/dist/${f}`, import.meta.url).href;
  const presetsDist = (f) => new URL(`../../packages/presets/dist/${f}`, import.meta.url).href;
  for (const m of [
    "yaml",
    "zod",
    "citty",
    "diff",
    coreDist("render/yaml.js"),
    coreDist("config/load.js"),
    coreDist("components/index.js"),
    coreDist("check/index.js"),
    coreDist("synth.js"),
    "@slipway/core",
    presetsDist("generate.js"),
    "@slipway/presets",
  ]) {
    const xs = [];
    for (let i = 0; i < RUNS; i++) {
      const r = spawnSync(
        node,
        [
          "--input-type=module",
          "-e",
          `const t=performance.now(); await import(${JSON.stringify(m)}); console.log(performance.now()-t)`,
        ],
        { cwd: join(repo, "packages/presets"), encoding: "utf8" },
      );
      xs.push(Number(r.stdout.trim()));
    }
    imports[m] = stats(xs);
  }
  const f = (x) => x.toFixed(0).padStart(5);
  const table = [
    "| what | min | median | p90 | max |",
    "|---|---:|---:|---:|---:|",
    ...rows.map((r) => `| ${r.label} | ${f(r.min)} | ${f(r.median)} | ${f(r.p90)} | ${f(r.max)} |`),
  ].join("\n");
  const importTable = [
    "| import (alone, in a fresh process) | min | median | p90 | max |",
    "|---|---:|---:|---:|---:|",
    ...Object.entries(imports).map(
      ([m, s]) =>
        `| \`${m.replace(/^file:.*\/packages\//, "packages/")}\` | ${f(s.min)} | ${f(s.median)} | ${f(s.p90)} | ${f(s.max)} |`,
    ),
  ].join("\n");
  const env = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, load ${loadavg()[0].toFixed(2)}, Node ${spawnSync(node, ["-v"], { encoding: "utf8" }).stdout.trim()}, ${RUNS} runs each (ms, wall, spawn to exit)`;
  const report = `${env}\n\n${table}\n\n${importTable}\n`;
  process.stdout.write(report);
  if (!process.argv.includes("--no-readme")) {
    writeReadmeBlock(join(here, "README.md"), "<!-- results -->", "<!-- /results -->", report);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
