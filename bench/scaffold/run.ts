/**
 * bench/scaffold: the scaffold web service (`slipway serve`) under load, beside a bare fastify
 * server answering with the same bytes. Needs a build (`npx tsc -b`); run with Node 24:
 *
 *   node bench/scaffold/run.ts [--configs shipped,default,...|all] [--duration 10] [--warmup 2]
 *        [--connections 10] [--cold-runs 7] [--no-static] [--no-cold] [--no-readme]
 *
 * Every load scenario gets a fresh server process (bench/scaffold/server.ts), so that its resident
 * memory is its own: a warm-up, then autocannon from this process for the measured duration while
 * /proc/<pid>/status is sampled every 100 ms (VmRSS, the maximum is reported) and VmHWM is read at
 * the end. Any non-2xx answer or socket error fails the run: a benchmark of 429s measures nothing.
 * Cold start spawns the real CLI, `slipway serve [--dev]`, and polls the metadata endpoint until the
 * first 200.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { stripTypeScriptTypes } from "node:module";
import { createServer } from "node:net";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import autocannon, { type Request, type Result } from "autocannon";
import { writeReadmeBlock } from "../readme-block.ts";

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

interface Load {
  readonly name: "starter.zip" | "metadata";
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Called per request. */
  readonly body?: () => string;
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface Answer {
  readonly status: number;
  readonly type: string;
  readonly body: Buffer;
}

/** One request on a fresh connection; rejects when nothing listens yet. */
function fetchOnce(port: number, load: Load): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, method: load.method, path: load.path, headers: load.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers["content-type"]),
            body: Buffer.concat(chunks),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(load.body?.());
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until a 200; returns it with the milliseconds since `since`. */
async function firstOk(port: number, load: Load, since: number, child: ChildProcess): Promise<Answer> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before answering`);
    try {
      const a = await fetchOnce(port, load);
      if (a.status === 200) return a;
      throw new Error(`${load.method} ${load.path} answered ${a.status}: ${a.body.toString().slice(0, 300)}`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ECONNREFUSED") throw e;
    }
    if (performance.now() - since > 20_000) throw new Error("server did not answer within 20 s");
    await sleep(2);
  }
}

function procStatus(pid: number, field: "VmRSS" | "VmHWM"): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

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

interface LoadResult {
  readonly server: ServerKind;
  readonly config: string;
  readonly load: Load["name"];
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly requests: number;
  readonly bytes: number;
  readonly rssMax: number;
  readonly hwm: number;
  readonly rssIdle: number;
}

async function measureLoad(kind: ServerKind, config: V8Config, load: Load): Promise<LoadResult> {
  const port = await freePort();
  const child = startServer(kind, config, port);
  try {
    const first = await firstOk(port, load, performance.now(), child);
    const pid = child.pid as number;
    const rssIdle = procStatus(pid, "VmRSS");
    const body = load.body;
    const options = {
      url: `http://127.0.0.1:${port}${load.path}`,
      connections,
      method: load.method,
      headers: load.headers,
      ...(body !== undefined
        ? { requests: [{ setupRequest: (req: Request) => ({ ...req, body: body() }) }] }
        : {}),
    };
    const check = (r: Result, phase: string) => {
      if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
        throw new Error(
          `${kind}/${config.name} ${load.name} ${phase}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts of ${r.requests.total} requests`,
        );
      }
    };
    if (warmup > 0) check(await autocannon({ ...options, duration: warmup }), "warm-up");
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
    rssMax = Math.max(rssMax, procStatus(pid, "VmRSS"));
    const hwm = procStatus(pid, "VmHWM");
    const result: LoadResult = {
      server: kind,
      config: config.name,
      load: load.name,
      rps: r.requests.average,
      p50: r.latency.p50,
      p99: r.latency.p99,
      max: r.latency.max,
      requests: r.requests.total,
      bytes: first.body.length,
      rssMax,
      hwm,
      rssIdle,
    };
    process.stderr.write(
      `${kind}/${config.name} ${load.name}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, RSS idle ${rssIdle.toFixed(1)} max ${rssMax.toFixed(1)} HWM ${hwm.toFixed(1)} MiB\n`,
    );
    return result;
  } finally {
    await stop(child);
  }
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

/** Spawn of the real CLI to the first 200 from the metadata endpoint, `runs` times. */
async function coldStart(dev: boolean): Promise<ColdResult> {
  const ms: number[] = [];
  const rss: number[] = [];
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
  // One unmeasured run: the page cache holds Node and the module graph, as on a node that pulled the image.
  for (let i = -1; i < coldRuns; i++) {
    const port = await freePort();
    // The node flags the Dockerfile's CMD gives `serve` (the `shipped` configuration).
    const shipped = (CONFIGS[0] as V8Config).node;
    const args = [...shipped, join(repoRoot, "packages/cli/bin/slipway.js"), "serve", "--port", String(port)];
    if (dev) args.push("--dev");
    const t0 = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      stdio: ["ignore", devNull, "inherit"],
      env,
    });
    try {
      await firstOk(port, LOADS[1] as Load, t0, child);
      const elapsed = performance.now() - t0;
      if (i >= 0) {
        ms.push(elapsed);
        rss.push(procStatus(child.pid as number, "VmRSS"));
      }
    } finally {
      await stop(child);
    }
  }
  const mode = dev ? "slipway serve --dev" : "slipway serve (OIDC from env, anonymous loopback)";
  process.stderr.write(`${mode}: ${ms.map((x) => x.toFixed(0)).join(", ")} ms\n`);
  return { mode, ms, rss };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const loadBefore = loadavg()[0] ?? 0;
const started = new Date();
await captureAnswers();
const results: LoadResult[] = [];
for (const load of LOADS) {
  for (const c of configs) results.push(await measureLoad("scaffold", c, load));
  if (withStatic) results.push(await measureLoad("static", { name: "default", node: [], runtime: "" }, load));
}
const cold: ColdResult[] = [];
if (withCold) for (const dev of [true, false]) cold.push(await coldStart(dev));
const loadAfter = loadavg()[0] ?? 0;

const fmt = (x: number, d = 0) => x.toFixed(d);
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
const cpu = cpus();
const context = [
  `Measured ${started.toISOString().slice(0, 16).replace("T", " ")} UTC on ${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, ${fmt(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}; autocannon ${connections} connections, ${warmup} s warm-up then ${duration} s per row, from the bench process on the same machine; 1-minute load average ${fmt(loadBefore, 2)} at the start, ${fmt(loadAfter, 2)} at the end.`,
  `Run: \`node bench/scaffold/run.ts${process.argv.length > 2 ? ` ${process.argv.slice(2).join(" ")}` : ""}\`.`,
];
const table = [
  lines.join("\n"),
  ratios.length > 0 ? ratios.map((r) => `- ${r}`).join("\n") : "",
  cold.length > 0 ? coldLines.join("\n") : "",
  context.join("\n"),
]
  .filter((s) => s !== "")
  .join("\n\n");
process.stdout.write(`\n${table}\n`);

if (writeReadme) {
  writeReadmeBlock(
    join(repoRoot, "bench/README.md"),
    "<!-- bench:scaffold:start -->",
    "<!-- bench:scaffold:end -->",
    `${table}\n`,
  );
}
rmSync(staticDir, { recursive: true, force: true });
