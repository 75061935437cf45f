import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { snapshot, tempDir } from "../../core/test/write/helpers.js";
import { repo } from "./_slipway.js";

/**
 * Issue 16: a seeded mutation fuzzer over the example platform's inputs, through the built binary.
 * Each case mutates one of examples/homelab's platform.yaml or services/*.yaml and runs `slipway
 * synth` on a copy: never exit 70, never a hang, exit 2 always with a located diagnostic and the
 * tree as it was, and never a raw control character on the terminal.
 *
 * `SLIPWAY_FUZZ_CASES=5000 SLIPWAY_FUZZ_SEED=7 npx vitest run packages/cli/test/fuzz.test.ts` runs
 * a longer campaign (docs/security.md); a failure names its seed and case to replay.
 */
const CASES = Number(process.env.SLIPWAY_FUZZ_CASES ?? 150);
const SEED = Number(process.env.SLIPWAY_FUZZ_SEED ?? 16);
/** Per case: the slowest hostile file the limits allow takes about a second on a loaded machine. */
const CASE_TIMEOUT_MS = 15_000;

const example = join(repo, "examples/homelab");
const node24 = join(repo, "node_modules/.bin/node");

/** The built binary, killed after `timeout` (then `code` is null and `signal` says why). */
function synth(cwd: string) {
  const r = spawnSync(
    existsSync(node24) ? node24 : process.execPath,
    [join(repo, "packages/cli/bin/slipway.js"), "synth"],
    {
      cwd,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
      timeout: CASE_TIMEOUT_MS,
      killSignal: "SIGKILL",
    },
  );
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}
const inputs = ["platform.yaml", ...readdirSync(join(example, "services")).map((f) => `services/${f}`)];

/** mulberry32: small, seeded, the same sequence on every machine. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)] as T;

/** A position at the end of a random non-empty line. */
function lineEnd(r: Rand, text: string): number {
  const ends = [...text.matchAll(/\S\n/g)].map((m) => m.index + 1);
  return ends.length > 0 ? pick(r, ends) : text.length;
}

const insertAt = (text: string, at: number, s: string) => text.slice(0, at) + s + text.slice(at);

/** Replaces the value after a random `key: value` with `value`. */
function replaceValue(r: Rand, text: string, value: string): string {
  const spots = [...text.matchAll(/^(\s*(?:- )?[\w-]+: )(\S.*)$/gm)];
  if (spots.length === 0) return `${text}x: ${value}\n`;
  const m = pick(r, spots);
  const start = m.index + (m[1] ?? "").length;
  return text.slice(0, start) + value + text.slice(start + (m[2] ?? "").length);
}

const CONTROL = ["\x1b[2J", "\x1b]0;pwned\x07", "\r", "\u0000", "\u009b31m", "\u202e", "\x08\x08"];

const MUTATIONS: Record<string, (r: Rand, text: string) => string> = {
  byteFlip: (r, t) => {
    const b = Buffer.from(t);
    for (let i = 0, n = 1 + int(r, 4); i < n; i++) b[int(r, b.length)] = int(r, 256);
    return b.toString("latin1");
  },
  truncate: (r, t) => t.slice(0, int(r, t.length)),
  deepFlow: (r, t) => replaceValue(r, t, `${"[".repeat(60 + int(r, 5000))}1`),
  deepBlock: (r, t) => insertAt(t, lineEnd(r, t), ` ${"- ".repeat(60 + int(r, 5000))}x`),
  deepIndent: (r, t) =>
    `${t}${Array.from({ length: 60 + int(r, 200) }, (_, i) => `${"  ".repeat(i)}k${i}:`).join("\n")}\n`,
  aliasBomb: (r, t) => {
    const lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1, n = 3 + int(r, 6); i < n; i++)
      lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(", ")}]`);
    return `${lines.join("\n")}\n${t}`;
  },
  undefinedAlias: (r, t) => replaceValue(r, t, "*missing"),
  selfAlias: (r, t) => replaceValue(r, t, "&loop [1, *loop]"),
  duplicateKey: (r, t) => {
    const lines = t.split("\n");
    const i = int(r, lines.length);
    lines.splice(i, 0, lines[i] ?? "");
    return lines.join("\n");
  },
  hugeString: (r, t) => replaceValue(r, t, "x".repeat(pick(r, [70_000, 300_000, 1_100_000]))),
  controlChars: (r, t) => {
    const c = pick(r, CONTROL);
    return r() < 0.5
      ? replaceValue(r, t, `"a${JSON.stringify(c).slice(1, -1)}b"`)
      : insertAt(t, lineEnd(r, t), c);
  },
  controlKey: (r, t) => insertAt(t, t.indexOf("\n", t.indexOf("spec:")) + 1, `  ${pick(r, CONTROL)}key: 1\n`),
  wrongType: (r, t) =>
    replaceValue(r, t, pick(r, ["[1, 2]", "{a: 1}", "~", "-1", "1e999", "0x1F", "true", '""'])),
  tabs: (r, t) => t.replace(/^ {2}/gm, (s) => (r() < 0.3 ? "\t" : s)),
  corruptLines: (r, t) => `${t}${'  - ]:{"x\n\t[: &\n'.repeat(1 + int(r, 40_000))}`,
  manyItems: (r, t) => `${t}  extra:\n${"    - 1\n".repeat(1 + int(r, 60_000))}`,
  secondDocument: (_r, t) => `${t}---\n${t}`,
};

function runCase(root: string, seed: number, index: number): void {
  const r = rng(seed * 1_000_003 + index);
  const file = pick(r, inputs);
  const kind = pick(r, Object.keys(MUTATIONS));
  const original = readFileSync(join(example, file), "latin1");
  const mutated = (MUTATIONS[kind] as (r: Rand, t: string) => string)(r, original);
  writeFileSync(join(root, file), mutated, "latin1");
  const before = snapshot(root);
  const started = performance.now();
  const run = synth(root);
  const ms = Math.round(performance.now() - started);
  const label = `seed ${seed} case ${index}: ${kind} on ${file} (${ms} ms, exit ${run.code}${run.signal ? `, ${run.signal}` : ""})\n${run.stderr.slice(0, 2000)}`;
  // null is a timeout or a signal: a hang or a crash of the process.
  expect([0, 1, 2], label).toContain(run.code);
  // The terminal sees no raw control character from the input (tabs and newlines are layout).
  expect(run.stderr + run.stdout, label).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  if (run.code === 2) {
    expect(run.stderr, label).toMatch(/^\S.*:\d+:\d+: error SW_[A-Z_]+: /m);
    expect(snapshot(root), label).toEqual(before);
  }
  // Back to the example for the next case (a benign mutation may have rendered a changed tree).
  if (run.code === 2) writeFileSync(join(root, file), original, "latin1");
  else cpSync(example, root, { recursive: true, force: true });
}

describe("the spec loader under mutated example files", () => {
  it(
    `${CASES} seeded cases (seed ${SEED}): no exit 70, no hang, exit 2 located and the tree unchanged`,
    () => {
      const root = tempDir("slipway-fuzz-");
      cpSync(example, root, { recursive: true });
      for (let i = 0; i < CASES; i++) runCase(root, SEED, i);
    },
    Math.max(120_000, CASES * 2_000),
  );
});
