/**
 * bench/synth: `slipway synth` against an equivalent cdk8s 2 program, N = 10, 100, 1000, 5000
 * services, on a tmpfs. Run with `npm run bench` (which builds first), or after `npm run build`:
 *
 *   node bench/synth/run.ts [--sizes 10,100] [--pairs 5] [--no-floors] [--modules] [--no-readme]
 *
 * Every measurement is a separate child process on this Node (start-up included), writing into a
 * fresh output directory. Slipway and cdk8s run in pairs whose order alternates (AB, BA, ...) so that
 * drift in machine load hits both sides alike; the ratio is the median of the per-pair ratios. Peak
 * memory is the child's maximum resident set size. The floors (plain objects serialized by the
 * `yaml` package or JSON.stringify, then written) run in the same rounds, for context.
 * `--modules` adds the same CLI run from its modules instead of the minified bundle `synth` runs
 * from (what the bundle buys), inside each pair (slipway, modules, cdk8s; then the reverse).
 */
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
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
const modules = process.argv.includes("--modules");
const scratch = join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), `slipway-bench-${process.pid}`);
const TIME = "/usr/bin/time";
const haveTime = existsSync(TIME);

type Variant = "slipway" | "slipway-modules" | "cdk8s" | "floor-yaml" | "floor-json";

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

if (modules) {
  // The bin as shipped, beside the CLI's modules but with no bundle: it falls back to the modules.
  const cli = join(compiled, "cli");
  rmSync(cli, { recursive: true, force: true });
  mkdirSync(join(cli, "bin"), { recursive: true });
  copyFileSync(join(repoRoot, "packages/cli/bin/slipway.js"), join(cli, "bin/slipway.js"));
  copyFileSync(join(repoRoot, "packages/cli/package.json"), join(cli, "package.json"));
  symlinkSync(join(repoRoot, "packages/cli/dist"), join(cli, "dist"));
}

function command(v: Variant, repo: string, out: string): string[] {
  switch (v) {
    case "slipway":
    case "slipway-modules":
      return [
        v === "slipway"
          ? join(repoRoot, "packages/cli/bin/slipway.js")
          : join(compiled, "cli/bin/slipway.js"),
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
  readonly files: number;
}

function countFiles(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n++;
  return n;
}

let runCount = 0;

/** One child process; wall time measured here, peak RSS by /usr/bin/time or a preloaded reporter. */
function measure(v: Variant, repo: string): Sample {
  const out = join(scratch, `out-${runCount++}`);
  const rssFile = join(scratch, `rss-${runCount}`);
  const nodeArgs = command(v, repo, out);
  const [cmd, args] = haveTime
    ? [TIME, ["-f", "%M", "-o", rssFile, process.execPath, ...nodeArgs]]
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
  const kib = Number(readFileSync(rssFile, "utf8").trim().split("\n").at(-1));
  const files = countFiles(out);
  rmSync(out, { recursive: true, force: true });
  rmSync(rssFile, { force: true });
  return { ms, mib: kib / 1024, files };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

interface Row {
  readonly n: number;
  readonly pairs: number;
  readonly samples: Record<Variant, Sample[]>;
  readonly ratios: number[];
  readonly modulesRatios: number[];
}

const paired: Variant[] = modules ? ["slipway", "slipway-modules", "cdk8s"] : ["slipway", "cdk8s"];
const variants: Variant[] = floors ? [...paired, "floor-yaml", "floor-json"] : paired;
const rows: Row[] = [];
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
    const samples = Object.fromEntries(variants.map((v) => [v, [] as Sample[]])) as Record<Variant, Sample[]>;
    const ratios: number[] = [];
    const modulesRatios: number[] = [];
    for (let i = 0; i < pairs; i++) {
      const order: Variant[] = i % 2 === 0 ? paired : [...paired].reverse();
      const pair = {} as Record<Variant, Sample>;
      for (const v of order) pair[v] = measure(v, repo);
      for (const v of order) samples[v].push(pair[v]);
      ratios.push(pair.slipway.ms / pair.cdk8s.ms);
      if (modules) modulesRatios.push(pair["slipway-modules"].ms / pair.cdk8s.ms);
      if (floors) {
        const floorOrder: Variant[] =
          i % 2 === 0 ? ["floor-yaml", "floor-json"] : ["floor-json", "floor-yaml"];
        for (const v of floorOrder) samples[v].push(measure(v, repo));
      }
      process.stderr.write(
        `N=${n} pair ${i + 1}/${pairs}: slipway ${pair.slipway.ms.toFixed(0)} ms ${pair.slipway.mib.toFixed(1)} MiB, cdk8s ${pair.cdk8s.ms.toFixed(0)} ms ${pair.cdk8s.mib.toFixed(1)} MiB\n`,
      );
    }
    rows.push({ n, pairs, samples, ratios, modulesRatios });
    rmSync(repo, { recursive: true, force: true });
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const fmt = (x: number, d = 0) => x.toFixed(d);
const lines = [
  `| N | pairs | slipway ms | cdk8s ms | ratio (median of pairs) | slipway MiB | cdk8s MiB | slipway files | cdk8s files |${modules ? " modules ms / ratio / MiB |" : ""}${floors ? " floor yaml ms / MiB | floor JSON ms / MiB |" : ""}`,
  `|---:|---:|---:|---:|---:|---:|---:|---:|---:|${modules ? "---:|" : ""}${floors ? "---:|---:|" : ""}`,
];
for (const r of rows) {
  const med = (v: Variant, k: keyof Sample) => median(r.samples[v].map((s) => s[k]));
  let line = `| ${r.n} | ${r.pairs} | ${fmt(med("slipway", "ms"))} | ${fmt(med("cdk8s", "ms"))} | ${fmt(median(r.ratios), 2)} | ${fmt(med("slipway", "mib"), 1)} | ${fmt(med("cdk8s", "mib"), 1)} | ${med("slipway", "files")} | ${med("cdk8s", "files")} |`;
  if (modules) {
    line += ` ${fmt(med("slipway-modules", "ms"))} / ${fmt(median(r.modulesRatios), 2)} / ${fmt(med("slipway-modules", "mib"), 1)} |`;
  }
  if (floors) {
    line += ` ${fmt(med("floor-yaml", "ms"))} / ${fmt(med("floor-yaml", "mib"), 1)} | ${fmt(med("floor-json", "ms"))} / ${fmt(med("floor-json", "mib"), 1)} |`;
  }
  lines.push(line);
}
const cpu = cpus();
const context = [
  `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, ${fmt(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, output on ${scratch.startsWith("/dev/shm") ? "tmpfs (/dev/shm)" : "the temporary directory"}; peak RSS by ${haveTime ? "/usr/bin/time" : "process.resourceUsage()"}; 1-minute load average ${fmt(loadBefore, 2)} at the start.`,
  `Medians over the pairs; the ratio is slipway/cdk8s wall time, the median of the per-pair ratios. Run: \`node bench/synth/run.ts${process.argv.length > 2 ? ` ${process.argv.slice(2).join(" ")}` : ""}\`.`,
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
