import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  ConflictError,
  diag,
  ERROR_KINDS,
  InputError,
  internalError,
  NotFoundError,
} from "@slipway/core/lite";
import type { ArgsDef, CommandDef } from "citty";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EXIT, reportError } from "../src/format.js";
import { mainCommand, validateArgs } from "../src/main.js";
import { repo, slipway } from "./_slipway.js";

const version = (
  JSON.parse(readFileSync(join(repo, "packages/cli/package.json"), "utf8")) as { version: string }
).version;
const commands = Object.fromEntries(
  await Promise.all(
    Object.entries(mainCommand.subCommands as Record<string, () => Promise<CommandDef<ArgsDef>>>).map(
      async ([name, load]) => [name, await load()] as const,
    ),
  ),
) as Record<string, CommandDef<ArgsDef>>;
const ESC = "\x1b";

describe("slipway: the frame", () => {
  it.each([["--version"], ["-v"]])("%s prints the package version and exits 0", (flag) => {
    const r = slipway([flag]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it("--help lists every command and every exit code, exit 0", () => {
    const r = slipway(["--help"]);
    expect(r.code).toBe(0);
    for (const name of Object.keys(commands)) expect(r.stdout).toContain(name);
    for (const code of ["0", "1", "2", "70"]) expect(r.stdout).toMatch(new RegExp(`^\\s+${code}\\s`, "m"));
  });

  it("no arguments: usage on stderr, exit 2", () => {
    const r = slipway([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("USAGE");
  });

  it("an unknown command exits 2 and suggests the closest one", () => {
    const r = slipway(["sinth"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\bsynth\b/);
    expect(slipway(["frobnicate"]).code).toBe(2);
  });

  it("an unknown option before the command exits 2", () => {
    expect(slipway(["--config", "x", "synth"]).code).toBe(2);
  });

  it.each([
    [["synth", "--chek"], /--check\b/],
    [["synth", "--forse"], /--force\b/],
    [["graph", "--formt", "dot"], /--format\b/],
    [["synth", "-x"], undefined],
    [["synth", "extra-positional"], undefined],
    [["synth", "--config"], undefined],
    [["synth", "--config", "--check"], undefined],
    [["synth", "--check=yes"], undefined],
    [["graph", "--format", "yml"], undefined],
    [["graph", "--format=svg"], undefined],
  ])("usage error %j exits 2 before anything runs", (args, suggestion) => {
    const r = slipway(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    if (suggestion) expect(r.stderr).toMatch(suggestion);
  });

  it("a missing --config file is invalid input (exit 2), not a crash", () => {
    const r = slipway(["synth", "--config", "does/not/exist.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it("never colours output that is not a terminal, nor with NO_COLOR", () => {
    const env = { ...process.env };
    delete env.NO_COLOR;
    delete env.TEST;
    delete env.CI;
    delete env.VITEST;
    for (const args of [["--help"], ["synth", "--help"], ["sinth"], ["synth", "--config", "nope.yaml"]]) {
      const plain = slipway(args, { env });
      const noColor = slipway(args, { env: { ...env, NO_COLOR: "1" } });
      expect(plain.stdout + plain.stderr).not.toContain(ESC);
      expect(noColor.stdout + noColor.stderr).not.toContain(ESC);
    }
  });
});

describe("slipway <command> --help tells the truth", () => {
  it.each(Object.keys(commands))("%s", (name) => {
    const cmd = commands[name] as CommandDef<ArgsDef>;
    const r = slipway([name, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`slipway ${name}`);
    const declared = Object.entries((cmd.args ?? {}) as ArgsDef);
    const shown = new Set([...r.stdout.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]));
    for (const [arg, def] of declared) {
      if (def.type === "positional") {
        expect(r.stdout).toContain(arg.toUpperCase());
        continue;
      }
      expect(shown).toContain(arg);
      // Every option help shows is one the parser accepts.
      const value = def.type === "enum" ? (def.options?.[0] ?? "x") : "x";
      const argv = def.type === "boolean" || def.type === undefined ? [`--${arg}`] : [`--${arg}`, value];
      const positionals = declared.filter(([, d]) => d.type === "positional").map(() => "p");
      const required = declared
        .filter(([other, d]) => other !== arg && d.type !== "positional" && d.required === true)
        .flatMap(([other, d]) => [`--${other}`, d.type === "enum" ? (d.options?.[0] ?? "x") : "x"]);
      expect(validateArgs(cmd.args as ArgsDef, [...positionals, ...required, ...argv])).toBeUndefined();
    }
    // And nothing else: every --option named in the help is declared (or --help itself).
    for (const opt of shown) {
      if (opt === "help") continue;
      const known = declared.some(([arg]) => arg === opt || `no-${arg}` === opt);
      expect(known, `--${opt} in the help of ${name}`).toBe(true);
    }
    expect(validateArgs(cmd.args as ArgsDef, ["--definitely-not-an-option"])).toContain(
      "--definitely-not-an-option",
    );
  });
});

describe("validateArgs", () => {
  const def: ArgsDef = {
    name: { type: "positional", description: "" },
    out: { type: "string", alias: "o" },
    dryRun: { type: "boolean" },
    format: { type: "enum", options: ["a", "b"] },
  };
  const withRequired: ArgsDef = { ...def, preset: { type: "string", required: true } };
  it("a required option must be given", () => {
    expect(validateArgs(withRequired, ["svc"])).toContain("--preset");
    expect(validateArgs(withRequired, ["svc", "--preset", "p"])).toBeUndefined();
  });
  it.each([
    [["svc"], true],
    [["svc", "--out", "d", "--dry-run", "--format=b"], true],
    [["svc", "-o", "d"], true],
    [["svc", "--no-dry-run"], true],
    [["--", "--svc-starting-with-dashes"], true],
    [[], false],
    [["svc", "more"], false],
    [["svc", "--out"], false],
    [["svc", "--format", "c"], false],
    [["svc", "--dry-run=1"], false],
    [["svc", "--no-out"], false],
  ])("%j valid: %s", (argv, ok) => {
    expect(validateArgs(def, argv) === undefined).toBe(ok);
  });
});

describe("reportError", () => {
  const writes: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    writes.length = 0;
    delete process.env.SLIPWAY_DEBUG;
  });
  const capture = () =>
    vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => {
      writes.push(String(s));
      return true;
    });

  it("an unexpected exception: one short line, no stack, exit 70", () => {
    capture();
    expect(reportError(new TypeError("boom\nsecond line"))).toBe(EXIT.internal);
    const text = writes.join("");
    expect(text).toContain("boom");
    expect(text).not.toContain("second line");
    expect(text).not.toMatch(/\n\s+at /);
  });

  it("exits as the error catalogue says for each kind: input 2, conflict 1, not found 2, a bug 70", () => {
    capture();
    const d = diag("SW_SPEC_REQUIRED", "x");
    expect(reportError(new InputError([d]))).toBe(ERROR_KINDS.input.exit);
    expect(reportError(new ConflictError([d]))).toBe(ERROR_KINDS.conflict.exit);
    expect(reportError(new NotFoundError([d]))).toBe(ERROR_KINDS["not-found"].exit);
    expect(reportError(internalError([d]))).toBe(ERROR_KINDS.internal.exit);
    expect([ERROR_KINDS.input.exit, ERROR_KINDS.conflict.exit, ERROR_KINDS.internal.exit]).toEqual([
      EXIT.invalid,
      EXIT.failed,
      EXIT.internal,
    ]);
  });

  it("with SLIPWAY_DEBUG=1 the stack is printed", () => {
    process.env.SLIPWAY_DEBUG = "1";
    capture();
    reportError(new TypeError("boom"));
    expect(writes.join("")).toMatch(/\n\s+at /);
  });
});
