/**
 * bench/synth: `slipway synth` against an equivalent cdk8s 2 program, N = 10, 100, 1000, 5000
 * services, on a tmpfs. Run with `npm run bench` (which builds first), or after `npm run build`:
 *
 *   node bench/synth/run.ts [--sizes 10,100] [--pairs 5] [--modes fresh,resynth] [--no-floors]
 *                           [--before DIR] [--no-readme]
 *
 * Every measurement is a separate child process on this Node (start-up included), writing into a
 * fresh output directory. Slipway and cdk8s run in pairs whose order alternates (AB, BA, ...) so that
 * drift in machine load hits both sides alike; the ratio is the median of the per-pair ratios. Peak
 * memory is the child's maximum resident set size. The floors (plain objects serialized by the
 * `yaml` package or JSON.stringify, then written) run in the same rounds, for context.
 * `--before DIR` adds another build of Slipway (a checkout with its packages built, e.g. the
 * commit before a change) inside each pair (slipway, before, cdk8s; then the reverse), so that a
 * change is measured against its predecessor under the same load.
 * Each pair is measured twice: fresh (into an empty directory) and re-synth (the same program again
 * over the tree its fresh run just wrote: Slipway reads its ownership record, hashes what is on
 * disk and rewrites nothing; cdk8s writes every file again). `--modes fresh` measures fresh only.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { stripTypeScriptTypes } from "node:module";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { writeReadmeBlock } from "../readme-block.ts";

const here = import.meta.dirname;
const repoRoot = join(here, "../..");

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

const sizes = (argValue("--sizes") ?? "10,100,1000,5000").split(",").map(Number);
const pairsOverride = argValue("--pairs");
const floors = !process.argv.includes("--no-floors");
const writeReadme = !process.argv.includes("--no-readme");
const before = argValue("--before");
const modes = (argValue("--modes") ?? "fresh,resynth").split(",") as Mode[];
const scratch = join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), `slipway-bench-${process.pid}`);
const TIME = "/usr/bin/time";
const haveTime = existsSync(TIME);

type Variant = "slipway" | "slipway-before" | "cdk8s" | "floor-yaml" | "floor-json";
type Mode = "fresh" | "resynth";

/*
 * The compared programs run as JavaScript, like the built slipway CLI: type stripping at start-up
 * would cost them ~40 ms and ~17 MiB each. They are stripped once into node_modules/.cache so that
 * their imports (cdk8s, yaml) resolve from the repository's node_modules.
 */
const compiled = join(repoRoot, "node_modules/.cache/slipway-bench");
mkdirSync(compiled, { recursive: true });
for (const f of ["objects", "cdk8s-app", "floor"]) {
  const js = stripTypeScriptTypes(readFileSync(join(here, `${f}.ts`), "utf8"), { mode: "strip" });
  writeFileSync(join(compiled, `${f}.mjs`), js);
}

function command(v: Variant, repo: string, out: string): string[] {
  switch (v) {
    case "slipway":
    case "slipway-before":
      return [
        join(v === "slipway" ? repoRoot : (before as string), "packages/cli/bin/slipway.js"),
        "synth",
        "--quiet",
        "--config",
        join(repo, "platform.yaml"),
        "--out",
        out,
      ];
    case "cdk8s":
      return [join(compiled, "cdk8s-app.mjs"), repo, out];
    case "floor-yaml":
      return [join(compiled, "floor.mjs"), "yaml", repo, out];
    case "floor-json":
      return [join(compiled, "floor.mjs"), "json", repo, out];
  }
}

interface Sample {
  readonly ms: number;
  readonly mib: number;
  /** User + system CPU seconds of the child: less sensitive than wall time to other load. */
  readonly cpu: number;
  readonly files: number;
}

function countFiles(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n++;
  return n;
}

let runCount = 0;

/**
 * One child process; wall time measured here, peak RSS by /usr/bin/time or a preloaded reporter.
 * Writes into `out` (a new directory unless given) and removes it unless `keep`.
 */
function measure(v: Variant, repo: string, out = join(scratch, `out-${runCount}`), keep = false): Sample {
  runCount++;
  const rssFile = join(scratch, `rss-${runCount}`);
  const nodeArgs = command(v, repo, out);
  const [cmd, args] = haveTime
    ? [TIME, ["-f", "%M %U %S", "-o", rssFile, process.execPath, ...nodeArgs]]
    : [process.execPath, ["--import", join(here, "report-rss.ts"), ...nodeArgs]];
  const started = performance.now();
  const r = spawnSync(cmd, args, {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, SLIPWAY_BENCH_RSS_FILE: rssFile },
  });
  const ms = performance.now() - started;
  if (r.status !== 0) {
    throw new Error(`${v} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  const [kib, user, sys] = (readFileSync(rssFile, "utf8").trim().split("\n").at(-1) ?? "")
    .split(" ")
    .map(Number) as [number, number?, number?];
  const files = countFiles(out);
  if (!keep) rmSync(out, { recursive: true, force: true });
  rmSync(rssFile, { force: true });
  return { ms, mib: kib / 1024, cpu: user === undefined ? Number.NaN : user + (sys ?? 0), files };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

interface Row {
  readonly n: number;
  readonly mode: Mode;
  readonly pairs: number;
  readonly samples: Record<Variant, Sample[]>;
  readonly ratios: number[];
  readonly beforeRatios: number[];
}

const paired: Variant[] =
  before !== undefined ? ["slipway", "slipway-before", "cdk8s"] : ["slipway", "cdk8s"];
const variants: Variant[] = floors ? [...paired, "floor-yaml", "floor-json"] : paired;
const rows: Row[] = [];

function newRow(n: number, mode: Mode, pairs: number): Row {
  const samples = Object.fromEntries(variants.map((v) => [v, [] as Sample[]])) as Record<Variant, Sample[]>;
  return { n, mode, pairs, samples, ratios: [], beforeRatios: [] };
}

function record(row: Row, pair: Record<Variant, Sample>): void {
  for (const v of paired) row.samples[v].push(pair[v]);
  row.ratios.push(pair.slipway.ms / pair.cdk8s.ms);
  if (before !== undefined) row.beforeRatios.push(pair["slipway-before"].ms / pair.cdk8s.ms);
}
const loadBefore = loadavg()[0] ?? 0;
mkdirSync(scratch, { recursive: true });
try {
  for (const n of sizes) {
    const repo = join(scratch, `repo-${n}`);
    const gen = spawnSync(process.execPath, [join(here, "generate.ts"), String(n), repo], {
      stdio: "inherit",
    });
    if (gen.status !== 0) throw new Error(`generate ${n} failed`);
    const pairs = pairsOverride !== undefined ? Number(pairsOverride) : n >= 5000 ? 3 : 5;
    // One unmeasured run each: the page cache holds the inputs and Node's code for every side.
    for (const v of variants) measure(v, repo);
    const fresh = newRow(n, "fresh", pairs);
    const resynth = newRow(n, "resynth", pairs);
    for (let i = 0; i < pairs; i++) {
      const order: Variant[] = i % 2 === 0 ? paired : [...paired].reverse();
      const outs = Object.fromEntries(paired.map((v) => [v, join(scratch, `tree-${v}-${i}`)]));
      const pairFresh = {} as Record<Variant, Sample>;
      const pairResynth = {} as Record<Variant, Sample>;
      for (const v of order) pairFresh[v] = measure(v, repo, outs[v], true);
      if (modes.includes("resynth")) {
        for (const v of order) pairResynth[v] = measure(v, repo, outs[v], true);
        record(resynth, pairResynth);
      }
      for (const v of order) rmSync(outs[v] as string, { recursive: true, force: true });
      record(fresh, pairFresh);
      if (floors && modes.includes("fresh")) {
        const floorOrder: Variant[] =
          i % 2 === 0 ? ["floor-yaml", "floor-json"] : ["floor-json", "floor-yaml"];
        for (const v of floorOrder) fresh.samples[v].push(measure(v, repo));
      }
      for (const [mode, pair] of [
        ["fresh", pairFresh],
        ["resynth", pairResynth],
      ] as const) {
        if (!modes.includes(mode)) continue;
        process.stderr.write(
          `N=${n} ${mode} pair ${i + 1}/${pairs}: slipway ${pair.slipway.ms.toFixed(0)} ms ${pair.slipway.mib.toFixed(1)} MiB${before !== undefined ? `, before ${pair["slipway-before"].ms.toFixed(0)} ms ${pair["slipway-before"].mib.toFixed(1)} MiB` : ""}, cdk8s ${pair.cdk8s.ms.toFixed(0)} ms ${pair.cdk8s.mib.toFixed(1)} MiB\n`,
        );
      }
    }
    if (modes.includes("fresh")) rows.push(fresh);
    if (modes.includes("resynth")) rows.push(resynth);
    rmSync(repo, { recursive: true, force: true });
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const fmt = (x: number, d = 0) => x.toFixed(d);
const b = before !== undefined;
const lines = [
  `| N | run | pairs | slipway ms |${b ? " before ms |" : ""} cdk8s ms | slipway / cdk8s |${b ? " before / cdk8s |" : ""} slipway MiB |${b ? " before MiB |" : ""} cdk8s MiB | slipway CPU s |${b ? " before CPU s |" : ""} cdk8s CPU s | slipway files | cdk8s files |${floors ? " floor yaml ms / MiB | floor JSON ms / MiB |" : ""}`,
  `|---:|---|---:|---:|${b ? "---:|" : ""}---:|---:|${b ? "---:|" : ""}---:|${b ? "---:|" : ""}---:|---:|${b ? "---:|" : ""}---:|---:|---:|${floors ? "---:|---:|" : ""}`,
];
for (const r of rows) {
  const med = (v: Variant, k: keyof Sample) => median(r.samples[v].map((s) => s[k]));
  const cols = [
    r.n,
    r.mode === "fresh" ? "fresh" : "re-synth",
    r.pairs,
    fmt(med("slipway", "ms")),
    ...(b ? [fmt(med("slipway-before", "ms"))] : []),
    fmt(med("cdk8s", "ms")),
    fmt(median(r.ratios), 2),
    ...(b ? [fmt(median(r.beforeRatios), 2)] : []),
    fmt(med("slipway", "mib"), 1),
    ...(b ? [fmt(med("slipway-before", "mib"), 1)] : []),
    fmt(med("cdk8s", "mib"), 1),
    fmt(med("slipway", "cpu"), 2),
    ...(b ? [fmt(med("slipway-before", "cpu"), 2)] : []),
    fmt(med("cdk8s", "cpu"), 2),
    med("slipway", "files"),
    med("cdk8s", "files"),
  ];
  if (floors && r.mode === "resynth") cols.push("–", "–");
  else if (floors) {
    cols.push(
      `${fmt(med("floor-yaml", "ms"))} / ${fmt(med("floor-yaml", "mib"), 1)}`,
      `${fmt(med("floor-json", "ms"))} / ${fmt(med("floor-json", "mib"), 1)}`,
    );
  }
  lines.push(`| ${cols.join(" | ")} |`);
}
const cpu = cpus();
const context = [
  `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, ${fmt(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, output on ${scratch.startsWith("/dev/shm") ? "tmpfs (/dev/shm)" : "the temporary directory"}; peak RSS by ${haveTime ? "/usr/bin/time" : "process.resourceUsage()"}; 1-minute load average ${fmt(loadBefore, 2)} at the start.`,
  `Medians over the pairs; the ratios are of wall time, each the median of the per-pair ratios.${b ? ' "before": the build in the --before directory.' : ""} Run: \`node bench/synth/run.ts${process.argv.length > 2 ? ` ${process.argv.slice(2).join(" ")}` : ""}\`.`,
];
const table = `${lines.join("\n")}\n\n${context.join("\n")}\n`;
process.stdout.write(`\n${table}`);

if (writeReadme) {
  writeReadmeBlock(
    join(repoRoot, "bench/README.md"),
    "<!-- bench:synth:start -->",
    "<!-- bench:synth:end -->",
    table,
  );
}
