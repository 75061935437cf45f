/**
 * bench/scaffold: the scaffold web service (`slipway serve`) under load, beside a bare fastify
 * server answering with the same bytes, and side by side with Spring Initializr (issue 14). Needs a
 * build (`npx tsc -b`); run with Node 24:
 *
 *   node bench/scaffold/run.ts [--configs shipped,default,...|all] [--duration 10] [--warmup 2]
 *        [--connections 10] [--cold-runs 7] [--no-static] [--no-cold] [--no-readme]
 *        [--peer initializr | --peer-only | --no-peer] [--peer-configs default,small] [--peer-warmup 20]
 *
 * Every load scenario gets a fresh server process (bench/scaffold/server.ts), so that its resident
 * memory is its own: a warm-up, then autocannon from this process for the measured duration while
 * /proc/<pid>/status is sampled every 100 ms (VmRSS, the maximum is reported) and VmHWM is read at
 * the end. Any non-2xx answer or socket error fails the run: a benchmark of 429s measures nothing.
 * Cold start spawns the real CLI, `slipway serve [--dev]`, and polls the metadata endpoint until the
 * first 200. The Initializr peer: see initializr.ts and peerSection() below.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { stripTypeScriptTypes } from "node:module";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import autocannon, { type Request, type Result } from "autocannon";
import { writeReadmeBlock } from "../readme-block.ts";
import {
  buildInitializr,
  CONTRACT,
  INITIALIZR_VERSION,
  JVM_CONFIGS,
  type JvmConfig,
  javaToolchain,
  starterPath,
  startInitializr,
} from "./initializr.ts";
import { type Answer, fetchOnce, firstOk, freePort, median, type Probe, procStatus, stop } from "./proc.ts";

const here = import.meta.dirname;
const repoRoot = join(here, "../..");

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

const duration = Number(argValue("--duration") ?? 10);
const warmup = Number(argValue("--warmup") ?? 2);
const connections = Number(argValue("--connections") ?? 10);
const coldRuns = Number(argValue("--cold-runs") ?? 7);
const withStatic = !process.argv.includes("--no-static");
const withCold = !process.argv.includes("--no-cold");
const writeReadme = !process.argv.includes("--no-readme");

/*
 * The Spring Initializr peer (issue 14): on with `--peer initializr` (or `--peer-only`, which skips
 * the rows above), and by default when java and mvn are on the PATH; `--no-peer` turns it off.
 */
const peerArg = argValue("--peer");
if (peerArg !== undefined && peerArg !== "initializr") {
  throw new Error(`unknown peer ${JSON.stringify(peerArg)}; known: initializr`);
}
const peerOnly = process.argv.includes("--peer-only");
const peerAsked = peerArg !== undefined || peerOnly;
const noPeer = process.argv.includes("--no-peer");
if (peerAsked && noPeer) throw new Error("--no-peer contradicts --peer and --peer-only");
const hasJava = !noPeer && javaToolchain();
if (peerAsked && !hasJava) throw new Error("--peer initializr needs java and mvn on the PATH");
if (!noPeer && !hasJava) process.stderr.write("no java or mvn on the PATH: the Initializr peer is skipped\n");
const peer = !noPeer && hasJava;
// The JVM's JIT needs it: Initializr's starter.zip went from ~8 req/s after 5 s to a plateau after ~20 s.
const peerWarmup = Number(argValue("--peer-warmup") ?? 20);
const peerConfigs = (argValue("--peer-configs") ?? "default,small").split(",").map((n) => {
  const c = JVM_CONFIGS.find((x) => x.name === n);
  if (c === undefined) throw new Error(`unknown JVM config ${n}; known: ${JVM_CONFIGS.map((x) => x.name)}`);
  return c;
});

/**
 * V8 settings of the server process: `node` command-line flags, and flags set at start-up with
 * `v8.setFlagsFromString` (what `packages/cli/bin/slipway.js` does). `shipped` must stay what the
 * bin and packages/scaffold/Dockerfile give `serve`.
 */
interface V8Config {
  readonly name: string;
  readonly node: readonly string[];
  readonly runtime: string;
}

const CONFIGS: readonly V8Config[] = [
  { name: "shipped", node: ["--max-semi-space-size=2", "--max-old-space-size=64"], runtime: "" },
  { name: "default", node: [], runtime: "" },
  { name: "optimize-for-size", node: [], runtime: "--optimize-for-size" },
  { name: "semi-1", node: ["--max-semi-space-size=1"], runtime: "" },
  { name: "semi-2", node: ["--max-semi-space-size=2"], runtime: "" },
  { name: "semi-4", node: ["--max-semi-space-size=4"], runtime: "" },
  { name: "semi-8", node: ["--max-semi-space-size=8"], runtime: "" },
  { name: "old-64", node: ["--max-old-space-size=64"], runtime: "" },
];
const configArg = argValue("--configs") ?? "shipped";
const configs =
  configArg === "all"
    ? CONFIGS
    : configArg.split(",").map((n) => {
        const c = CONFIGS.find((x) => x.name === n);
        if (c === undefined) throw new Error(`unknown config ${n}; known: ${CONFIGS.map((x) => x.name)}`);
        return c;
      });

const METADATA_TYPE = "application/vnd.initializr.v2.2+json";
/** The form an Initializr client posts; the name differs per request, so nothing can be served from a cache. */
let serial = 0;
const form = (name = `bench-service-${serial++}`) =>
  new URLSearchParams({
    preset: "node-service",
    name,
    groupId: "com.example",
    artifactId: name,
    description: "A service generated under load",
  }).toString();

interface Load extends Probe {
  readonly name: "starter.zip" | "metadata";
}

const LOADS: readonly Load[] = [
  {
    name: "starter.zip",
    method: "POST",
    path: "/starter.zip",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: () => form(),
  },
  { name: "metadata", method: "GET", path: "/", headers: { accept: METADATA_TYPE } },
];

/* The server runs as JavaScript: type stripping would add its own cost to the measured process. */
const cache = join(repoRoot, "node_modules/.cache/slipway-bench-scaffold");
mkdirSync(cache, { recursive: true });
const serverJs = join(cache, "server.mjs");
writeFileSync(
  serverJs,
  stripTypeScriptTypes(readFileSync(join(here, "server.ts"), "utf8"), { mode: "strip" }),
);
const staticDir = join(cache, "static");
mkdirSync(staticDir, { recursive: true });
const devNull = openSync("/dev/null", "w");

type ServerKind = "scaffold" | "static";

function startServer(kind: ServerKind, config: V8Config, port: number): ChildProcess {
  const args = [...config.node, serverJs, kind, String(port), ...(kind === "static" ? [staticDir] : [])];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    // pino's request log goes to /dev/null: written, as in production, but not read by this process.
    stdio: ["ignore", devNull, "inherit"],
    env: { ...process.env, NODE_ENV: "production", SLIPWAY_BENCH_V8_FLAGS: config.runtime },
  });
  return child;
}

/** What one load on one fresh server process measured. */
interface Measured {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly requests: number;
  readonly bytes: number;
  readonly rssIdle: number;
  readonly rssMax: number;
  /** VmRSS once the load has ended. */
  readonly rssAfter: number;
  readonly hwm: number;
}

interface LoadResult extends Measured {
  readonly server: ServerKind;
  readonly config: string;
  readonly load: Load["name"];
}

/** A load as autocannon sends it; `path`, when given, is called per request. */
interface LoadSpec extends Probe {
  readonly perRequestPath?: () => string;
}

/**
 * Starts a server with `start`, waits for its first 200 to `spec`, then loads it: `warmupS` seconds,
 * then `duration` measured while VmRSS is sampled every 100 ms. Stops the server in every case.
 */
async function runLoad(
  label: string,
  start: (port: number) => ChildProcess,
  spec: LoadSpec,
  warmupS: number,
): Promise<Measured> {
  const port = await freePort();
  const child = start(port);
  try {
    const first = await firstOk(port, spec, performance.now(), child);
    const pid = child.pid as number;
    const rssIdle = procStatus(pid, "VmRSS");
    const { body, perRequestPath } = spec;
    const setup =
      body !== undefined || perRequestPath !== undefined
        ? (req: Request) => ({
            ...req,
            ...(body !== undefined ? { body: body() } : {}),
            ...(perRequestPath !== undefined ? { path: perRequestPath() } : {}),
          })
        : undefined;
    const options = {
      url: `http://127.0.0.1:${port}${spec.path}`,
      connections,
      method: spec.method,
      headers: spec.headers,
      ...(setup !== undefined ? { requests: [{ setupRequest: setup }] } : {}),
    };
    const check = (r: Result, phase: string) => {
      if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
        throw new Error(
          `${label} ${phase}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts of ${r.requests.total} requests`,
        );
      }
    };
    if (warmupS > 0) check(await autocannon({ ...options, duration: warmupS }), "warm-up");
    let rssMax = 0;
    const sampler = setInterval(() => {
      rssMax = Math.max(rssMax, procStatus(pid, "VmRSS"));
    }, 100);
    let r: Result;
    try {
      r = await autocannon({ ...options, duration });
    } finally {
      clearInterval(sampler);
    }
    check(r, "measured");
    const rssAfter = procStatus(pid, "VmRSS");
    rssMax = Math.max(rssMax, rssAfter);
    const hwm = procStatus(pid, "VmHWM");
    const m: Measured = {
      rps: r.requests.average,
      p50: r.latency.p50,
      p99: r.latency.p99,
      max: r.latency.max,
      requests: r.requests.total,
      bytes: first.body.length,
      rssIdle,
      rssMax,
      rssAfter,
      hwm,
    };
    process.stderr.write(
      `${label}: ${m.rps.toFixed(0)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms, RSS idle ${rssIdle.toFixed(1)} max ${rssMax.toFixed(1)} after ${rssAfter.toFixed(1)} HWM ${hwm.toFixed(1)} MiB\n`,
    );
    return m;
  } finally {
    await stop(child);
  }
}

async function measureLoad(kind: ServerKind, config: V8Config, load: Load): Promise<LoadResult> {
  const m = await runLoad(
    `${kind}/${config.name} ${load.name}`,
    (port) => startServer(kind, config, port),
    load,
    warmup,
  );
  return { ...m, server: kind, config: config.name, load: load.name };
}

/** The scaffold's answers, for the static server to replay byte for byte. */
async function captureAnswers(): Promise<void> {
  const port = await freePort();
  const child = startServer("scaffold", CONFIGS[0] as V8Config, port);
  try {
    const [starter, metadata] = LOADS as [Load, Load];
    const zip = await firstOk(port, starter, performance.now(), child);
    if (zip.type !== "application/zip" || zip.body.readUInt32LE(0) !== 0x04034b50) {
      throw new Error(`starter.zip answered ${zip.type}, not a ZIP`);
    }
    const meta = await fetchOnce(port, metadata);
    if (meta.status !== 200 || !meta.type.startsWith(METADATA_TYPE)) {
      throw new Error(`metadata answered ${meta.status} ${meta.type}`);
    }
    writeFileSync(join(staticDir, "starter.zip"), zip.body);
    writeFileSync(join(staticDir, "metadata.json"), meta.body);
    writeFileSync(join(staticDir, "metadata.type"), meta.type);
  } finally {
    await stop(child);
  }
}

interface ColdResult {
  readonly mode: string;
  readonly ms: number[];
  readonly rss: number[];
}

/** The real CLI's `serve` with the node flags the Dockerfile's CMD gives it (the `shipped` configuration). */
function startCli(dev: boolean, port: number): ChildProcess {
  const env: NodeJS.ProcessEnv = dev
    ? { ...process.env }
    : {
        ...process.env,
        NODE_ENV: "production",
        OIDC_ISSUER_URL: "https://issuer.invalid",
        OIDC_CLIENT_ID: "slipway-scaffold",
        OIDC_CLIENT_SECRET: "bench",
        SCAFFOLD_COOKIE_SECRET: "bench-cookie-secret-bench-cookie-secret",
        SCAFFOLD_ANONYMOUS_NETWORKS: "127.0.0.0/8,::1/128",
      };
  const shipped = (CONFIGS[0] as V8Config).node;
  const args = [...shipped, join(repoRoot, "packages/cli/bin/slipway.js"), "serve", "--port", String(port)];
  if (dev) args.push("--dev");
  return spawn(process.execPath, args, { cwd: repoRoot, stdio: ["ignore", devNull, "inherit"], env });
}

/** Spawn → the first 200 to `probe`, and the resident memory then. */
async function coldOnce(
  start: (port: number) => ChildProcess,
  probe: Probe,
): Promise<{ ms: number; rss: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const child = start(port);
  try {
    await firstOk(port, probe, t0, child);
    const ms = performance.now() - t0;
    return { ms, rss: procStatus(child.pid as number, "VmRSS") };
  } finally {
    await stop(child);
  }
}

/** Spawn of the real CLI to the first 200 from the metadata endpoint, `runs` times. */
async function coldStart(dev: boolean): Promise<ColdResult> {
  const ms: number[] = [];
  const rss: number[] = [];
  // One unmeasured run: the page cache holds Node and the module graph, as on a node that pulled the image.
  for (let i = -1; i < coldRuns; i++) {
    const run = await coldOnce((port) => startCli(dev, port), LOADS[1] as Load);
    if (i >= 0) {
      ms.push(run.ms);
      rss.push(run.rss);
    }
  }
  const mode = dev ? "slipway serve --dev" : "slipway serve (OIDC from env, anonymous loopback)";
  process.stderr.write(`${mode}: ${ms.map((x) => x.toFixed(0)).join(", ")} ms\n`);
  return { mode, ms, rss };
}

const fmt = (x: number, d = 0) => x.toFixed(d);
const cpu = cpus();
const machine = () =>
  `${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, ${fmt(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}`;
const runLine = `Run: \`node bench/scaffold/run.ts${process.argv.length > 2 ? ` ${process.argv.slice(2).join(" ")}` : ""}\`.`;

/** The scaffold alone, beside the bare-fastify ceiling, and its cold starts: the `bench:scaffold` block. */
async function scaffoldSection(): Promise<string> {
  const loadBefore = loadavg()[0] ?? 0;
  const started = new Date();
  await captureAnswers();
  const results: LoadResult[] = [];
  for (const load of LOADS) {
    for (const c of configs) results.push(await measureLoad("scaffold", c, load));
    if (withStatic)
      results.push(await measureLoad("static", { name: "default", node: [], runtime: "" }, load));
  }
  const cold: ColdResult[] = [];
  if (withCold) for (const dev of [true, false]) cold.push(await coldStart(dev));
  const loadAfter = loadavg()[0] ?? 0;

  const TARGET: Record<Load["name"], (r: LoadResult) => boolean> = {
    "starter.zip": (r) => r.rps >= 300 && r.p99 <= 50 && r.rssMax <= 150,
    metadata: (r) => r.rps >= 3000 && r.rssMax <= 150,
  };
  const lines = [
    "| request | server | V8 flags | req/s (mean) | p50 ms | p99 ms | max ms | requests | body bytes | RSS idle MiB | RSS max MiB | VmHWM MiB | target |",
    "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const r of results) {
    const c = CONFIGS.find((x) => x.name === r.config) as V8Config;
    const flags = r.server === "static" ? "none" : [...c.node, c.runtime].filter(Boolean).join(" ") || "none";
    const target = r.server === "static" ? "ceiling" : TARGET[r.load](r) ? "met" : "**missed**";
    lines.push(
      `| ${r.load === "metadata" ? "GET / (metadata)" : "POST /starter.zip"} | ${r.server === "static" ? "bare fastify, fixed bytes" : `scaffold (${r.config})`} | ${flags} | ${fmt(r.rps)} | ${r.p50} | ${r.p99} | ${r.max} | ${r.requests} | ${r.bytes} | ${fmt(r.rssIdle, 1)} | ${fmt(r.rssMax, 1)} | ${fmt(r.hwm, 1)} | ${target} |`,
    );
  }
  const ratios: string[] = [];
  if (withStatic) {
    for (const load of LOADS) {
      const ceiling = results.find((r) => r.server === "static" && r.load === load.name);
      const ours = results.find((r) => r.server === "scaffold" && r.load === load.name);
      if (ceiling && ours) {
        ratios.push(
          `${load.name}: scaffold (${ours.config}) / bare-fastify ceiling = ${fmt(ours.rps / ceiling.rps, 2)} (${fmt(ours.rps)} / ${fmt(ceiling.rps)} req/s)`,
        );
      }
    }
  }
  const coldLines = [
    "| command | runs | median ms (spawn → first 200) | min ms | max ms | RSS at first answer MiB (median) | target ≤ 1000 ms |",
    "|---|---:|---:|---:|---:|---:|---|",
    ...cold.map(
      (c) =>
        `| \`${c.mode}\` | ${c.ms.length} | ${fmt(median(c.ms))} | ${fmt(Math.min(...c.ms))} | ${fmt(Math.max(...c.ms))} | ${fmt(median(c.rss), 1)} | ${median(c.ms) <= 1000 ? "met" : "**missed**"} |`,
    ),
  ];
  const context = [
    `Measured ${started.toISOString().slice(0, 16).replace("T", " ")} UTC on ${machine()}; autocannon ${connections} connections, ${warmup} s warm-up then ${duration} s per row, from the bench process on the same machine; 1-minute load average ${fmt(loadBefore, 2)} at the start, ${fmt(loadAfter, 2)} at the end.`,
    runLine,
  ];
  const table = [
    lines.join("\n"),
    ratios.length > 0 ? ratios.map((r) => `- ${r}`).join("\n") : "",
    cold.length > 0 ? coldLines.join("\n") : "",
    context.join("\n"),
  ]
    .filter((s) => s !== "")
    .join("\n\n");
  rmSync(staticDir, { recursive: true, force: true });
  return table;
}

/** A server of the side-by-side. */
interface SideServer {
  readonly side: "slipway" | "initializr";
  readonly label: string;
  readonly flags: string;
  readonly start: (port: number) => ChildProcess;
}

/** One status (and media type) per side for each request of {@link CONTRACT}. */
async function compareContract(ours: SideServer, theirs: SideServer): Promise<string> {
  const probe: Probe = { method: "GET", path: "/metadata/client", headers: { accept: METADATA_TYPE } };
  const ports = { slipway: await freePort(), initializr: await freePort() };
  const children = {
    slipway: ours.start(ports.slipway),
    initializr: theirs.start(ports.initializr),
  };
  const shortType = (a: Answer) => a.type.split(";")[0]?.trim() || "none";
  const rows = ["| request | Initializr | Slipway | verdict |", "|---|---|---|---|"];
  let undocumented = 0;
  try {
    for (const side of ["slipway", "initializr"] as const) {
      await firstOk(ports[side], probe, performance.now(), children[side]);
    }
    for (const c of CONTRACT) {
      const ask = (side: SideServer["side"]) =>
        fetchOnce(ports[side], {
          method: c.method,
          path: c.path,
          headers: {
            ...c.headers,
            ...(c.form !== undefined ? { "content-type": "application/x-www-form-urlencoded" } : {}),
          },
          ...(c.form !== undefined ? { body: () => c.form as string } : {}),
        });
      const theirsA = await ask("initializr");
      const oursA = await ask("slipway");
      const differs = theirsA.status !== oursA.status;
      let verdict: string;
      if (differs && c.differs === undefined) {
        undocumented++;
        verdict = "**differs, not documented**";
      } else if (differs && c.differs !== undefined) {
        verdict = `${c.differs.verdict === "defect" ? "**defect**" : "intended"}: ${c.differs.why}`;
      } else if (c.differs !== undefined) {
        undocumented++;
        verdict = `**same now**, documented as differing (${c.differs.why})`;
      } else {
        verdict = `same${c.note ? `; ${c.note}` : ""}`;
      }
      const request = `${c.label}: \`${c.method} ${c.path}${c.form !== undefined ? ` (form: ${c.form || "empty"})` : ""}\``;
      rows.push(
        `| ${request.replaceAll("|", "\\|")} | ${theirsA.status} ${shortType(theirsA)} | ${oursA.status} ${shortType(oursA)} | ${verdict.replaceAll("|", "\\|")} |`,
      );
    }
  } finally {
    await Promise.all([stop(children.slipway), stop(children.initializr)]);
  }
  const differing = CONTRACT.length - rows.filter((r) => r.includes("| same")).length;
  process.stderr.write(
    `contract: ${CONTRACT.length} requests, ${differing} with different statuses or flagged, ${undocumented} undocumented\n`,
  );
  return rows.join("\n");
}

/**
 * The side-by-side with the Spring Initializr peer: the contract comparison, then starter.zip and
 * metadata under load on each server in turn (a fresh process per row, `peerWarmup` seconds of
 * warm-up, which the JIT of either side gets alike), then cold starts alternating between the sides.
 * The `bench:scaffold-peer` block.
 */
async function peerSection(): Promise<string> {
  const jar = buildInitializr();
  const loadBefore = loadavg()[0] ?? 0;
  const started = new Date();
  const shipped = CONFIGS[0] as V8Config;
  const ours: SideServer = {
    side: "slipway",
    label: "Slipway scaffold",
    flags: shipped.node.join(" "),
    start: (port) => startServer("scaffold", shipped, port),
  };
  const theirs: SideServer[] = peerConfigs.map((c: JvmConfig) => ({
    side: "initializr",
    label: `Initializr ${INITIALIZR_VERSION} (${c.name} JVM)`,
    flags: c.flags.join(" ") || "none",
    start: (port) => startInitializr(jar, c, port, devNull),
  }));
  const contract = await compareContract(ours, theirs[0] as SideServer);

  const metadataSpec: LoadSpec = {
    method: "GET",
    path: "/metadata/client",
    headers: { accept: METADATA_TYPE },
  };
  const starterSpec: LoadSpec = {
    method: "GET",
    path: starterPath("bench-service"),
    headers: {},
    perRequestPath: () => starterPath(`bench-service-${serial++}`),
  };
  const all = [ours, ...theirs];
  const loads = { starter: new Map<SideServer, Measured>(), metadata: new Map<SideServer, Measured>() };
  // starter.zip with Initializr first, metadata with Slipway first: neither side always runs on a fresher machine.
  for (const s of [...all].reverse()) {
    loads.starter.set(s, await runLoad(`${s.label} starter.zip`, s.start, starterSpec, peerWarmup));
  }
  for (const s of all) {
    loads.metadata.set(s, await runLoad(`${s.label} metadata`, s.start, metadataSpec, peerWarmup));
  }
  // Cold starts: the real CLI's `serve` as production runs it, and `java -jar`; alternating, one unmeasured round.
  const cold = new Map<SideServer, { ms: number[]; rss: number[] }>(all.map((s) => [s, { ms: [], rss: [] }]));
  const coldStartOf = (s: SideServer) =>
    s.side === "slipway" ? (port: number) => startCli(false, port) : s.start;
  if (withCold) {
    for (let i = -1; i < coldRuns; i++) {
      for (const s of i % 2 === 0 ? all : [...all].reverse()) {
        const run = await coldOnce(coldStartOf(s), metadataSpec);
        if (i >= 0) {
          (cold.get(s) as { ms: number[] }).ms.push(run.ms);
          (cold.get(s) as { rss: number[] }).rss.push(run.rss);
        }
      }
    }
    for (const s of all) {
      process.stderr.write(
        `${s.label} cold: ${cold
          .get(s)
          ?.ms.map((x) => x.toFixed(0))
          .join(", ")} ms\n`,
      );
    }
  }
  const loadAfter = loadavg()[0] ?? 0;

  type Row = readonly [label: string, value: (s: SideServer) => number, digits: number];
  const st = (s: SideServer) => loads.starter.get(s) as Measured;
  const md = (s: SideServer) => loads.metadata.get(s) as Measured;
  const rows: Row[] = [
    ["starter.zip req/s (mean)", (s) => st(s).rps, 0],
    ["starter.zip p50 ms", (s) => st(s).p50, 0],
    ["starter.zip p99 ms", (s) => st(s).p99, 0],
    ["starter.zip body bytes", (s) => st(s).bytes, 0],
    ["RSS idle, before the starter.zip load, MiB", (s) => st(s).rssIdle, 1],
    ["RSS max under the starter.zip load, MiB", (s) => st(s).rssMax, 1],
    ["RSS after the starter.zip load, MiB", (s) => st(s).rssAfter, 1],
    ["metadata req/s (mean)", (s) => md(s).rps, 0],
    ["metadata p50 ms", (s) => md(s).p50, 0],
    ["metadata p99 ms", (s) => md(s).p99, 0],
    ["RSS max under the metadata load, MiB", (s) => md(s).rssMax, 1],
    ["RSS after the metadata load, MiB", (s) => md(s).rssAfter, 1],
  ];
  if (withCold) {
    rows.push(
      ["cold start, spawn → first metadata 200, ms (median)", (s) => median(cold.get(s)?.ms ?? []), 0],
      ["RSS at the first answer, MiB (median)", (s) => median(cold.get(s)?.rss ?? []), 1],
    );
  }
  const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? "1.00" : "∞") : fmt(a / b, 2));
  const lines = [
    `| measure | ${ours.label} | ${theirs.map((t) => `${t.label} | Slipway / it`).join(" | ")} |`,
    `|---|---:|${theirs.map(() => "---:|---:").join("|")}|`,
    ...rows.map(
      ([label, value, d]) =>
        `| ${label} | ${fmt(value(ours), d)} | ${theirs.map((t) => `${fmt(value(t), d)} | ${ratio(value(ours), value(t))}`).join(" | ")} |`,
    ),
  ];
  const context = [
    `Measured ${started.toISOString().slice(0, 16).replace("T", " ")} UTC on ${machine()}, ${javaVersion()}; autocannon ${connections} connections from the bench process on the same machine (2 cores: server and load generator share them), ${peerWarmup} s warm-up then ${duration} s per row, a fresh server process per row; cold starts: ${withCold ? `median of ${coldRuns} alternating runs after one unmeasured round` : "not measured"}; 1-minute load average ${fmt(loadBefore, 2)} at the start, ${fmt(loadAfter, 2)} at the end.`,
    `Requests: \`GET /metadata/client\` with \`Accept: ${METADATA_TYPE}\`; \`GET ${starterPath("<n>")}\`, \`<n>\` new per request (Slipway: its spring-boot-microservice preset). Slipway: ${ours.flags}; Initializr JVMs: ${theirs.map((t) => `${t.label.replace(/^Initializr \S+ /, "")} = ${t.flags}`).join(", ")}. Ratios are Slipway / Initializr: above 1 for req/s, below 1 for ms and MiB favour Slipway.`,
    runLine,
  ];
  return [
    lines.join("\n"),
    context.join("\n"),
    "Contract: the same client requests to both (the Initializr peer with its default JVM).",
    contract,
  ].join("\n\n");
}

function javaVersion(): string {
  const r = spawnSync("java", ["-version"], { encoding: "utf8" });
  const m = /version "([^"]+)"/.exec(`${r.stderr}`);
  return `Java ${m?.[1] ?? "unknown"}`;
}

if (!peerOnly) {
  const table = await scaffoldSection();
  process.stdout.write(`\n${table}\n`);
  if (writeReadme) {
    writeReadmeBlock(
      join(repoRoot, "bench/README.md"),
      "<!-- bench:scaffold:start -->",
      "<!-- bench:scaffold:end -->",
      `${table}\n`,
    );
  }
}
if (peer) {
  const table = await peerSection();
  process.stdout.write(`\n${table}\n`);
  if (writeReadme) {
    writeReadmeBlock(
      join(repoRoot, "bench/README.md"),
      "<!-- bench:scaffold-peer:start -->",
      "<!-- bench:scaffold-peer:end -->",
      `${table}\n`,
    );
  }
}
