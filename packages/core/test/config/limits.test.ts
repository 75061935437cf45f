import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSimpleYaml } from "../../src/config/fast-yaml.js";
import { LIMITS, readSource } from "../../src/config/source.js";
import { printable } from "../../src/diagnostics.js";
import { parseSource } from "../../src/index.js";

// Issue 16 (low): hostile spec files are reported as located input errors, within limits, quickly.
// Before the limits each of these crashed (stack overflow, "internal error" exit 70) or took minutes.

const HEAD = "apiVersion: slipway.dev/v1alpha1\nkind: Service\n";

function problems(text: string) {
  const started = performance.now();
  const parsed = parseSource(text, "s.yaml");
  return { ...parsed, ms: performance.now() - started };
}

function only(text: string) {
  const p = problems(text);
  expect(p.data).toBeUndefined();
  expect(p.diagnostics.length).toBeGreaterThan(0);
  const d = p.diagnostics[0];
  expect(d?.location?.file).toBe("s.yaml");
  expect(d?.hint).toBeTruthy();
  return { d, all: p.diagnostics, ms: p.ms };
}

describe("spec input limits", () => {
  it.each([
    ["flow sequences", `${HEAD}spec: ${"[".repeat(4000)}${"]".repeat(4000)}\n`, 3],
    ["flow mappings", `${HEAD}spec: ${"{a: ".repeat(3000)}1${"}".repeat(3000)}\n`, 3],
    ["block sequences on one line", `${"- ".repeat(4000)}x\n`, 1],
    ["block mappings", Array.from({ length: 200 }, (_, i) => `${"  ".repeat(i)}k:\n`).join(""), 65],
  ])(
    "nesting of %s past the depth limit is SW_SPEC_TOO_DEEP at the first level too deep",
    (_, text, line) => {
      const { d } = only(text);
      expect(d?.code).toBe("SW_SPEC_TOO_DEEP");
      expect(d?.location?.line).toBe(line);
    },
  );

  it.each([
    ["[", `a: ${"[".repeat(LIMITS.fileBytes - 4)}\n`, 4 + LIMITS.depth],
    ["- ", `${"- ".repeat(LIMITS.fileBytes / 2 - 2)}x\n`, 1 + 2 * LIMITS.depth],
    ["? ", `${"? ".repeat(LIMITS.fileBytes / 2 - 2)}x\n`, 1 + 2 * LIMITS.depth],
  ])("a megabyte of '%s' is SW_SPEC_TOO_DEEP from the lexer, without building the CST", (_, text, col) => {
    const { d, ms } = only(text);
    expect(d?.code).toBe("SW_SPEC_TOO_DEEP");
    expect(d?.location).toMatchObject({ line: 1, col });
    // It stops at the 65th level: a few ms. Building the CST first took 1.3 to 2.5 s here (5 s in synth).
    expect(ms).toBeLessThan(500);
  });

  it("nesting up to the limit is read", () => {
    const depth = LIMITS.depth;
    const text = `a: ${"[".repeat(depth - 1)}1${"]".repeat(depth - 1)}\n`;
    expect(problems(text).diagnostics).toEqual([]);
    expect(parseSimpleYaml(text)).toBeDefined();
    const over = `a: ${"[".repeat(depth)}1${"]".repeat(depth)}\n`;
    expect(parseSimpleYaml(over)).toBeUndefined();
    expect(only(over).d?.code).toBe("SW_SPEC_TOO_DEEP");
  });

  it("depth counts expanded aliases", () => {
    const half = LIMITS.depth / 2 + 2;
    const text = `a: &a ${"[".repeat(half)}1${"]".repeat(half)}\nb: ${"[".repeat(half)}*a${"]".repeat(half)}\n`;
    const { d } = only(text);
    expect(d?.code).toBe("SW_SPEC_TOO_DEEP");
    expect(d?.location?.line).toBe(2);
  });

  it("an alias bomb is SW_SPEC_ALIAS at the alias that passes the budget", () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
      "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]",
    ].join("\n");
    const { d } = only(`${bomb}\n`);
    expect(d?.code).toBe("SW_SPEC_ALIAS");
    expect(d?.location?.line).toBe(4);
  });

  it("yaml's own alias count (maxAliasCount) is SW_SPEC_ALIAS too", () => {
    const text = `a: &a 1\nb: [${Array.from({ length: 150 }, () => "*a").join(", ")}]\n`;
    expect(only(text).d?.code).toBe("SW_SPEC_ALIAS");
  });

  it("an undefined alias and an alias inside its own anchor are SW_SPEC_ALIAS at the alias", () => {
    const undef = only(`${HEAD}spec:\n  port: *nope\n`).d;
    expect(undef?.code).toBe("SW_SPEC_ALIAS");
    expect(undef?.location).toMatchObject({ line: 4, col: 9 });
    const cycle = only("a: &a [1, *a]\n").d;
    expect(cycle?.code).toBe("SW_SPEC_ALIAS");
    expect(cycle?.location).toMatchObject({ line: 1, col: 11 });
  });

  it("a few aliases sharing values are still read", () => {
    const text = "defaults: &d { cpu: 10m, memory: 16Mi }\nrequests: *d\nlimits: *d\n";
    expect(problems(text).data).toEqual({
      defaults: { cpu: "10m", memory: "16Mi" },
      requests: { cpu: "10m", memory: "16Mi" },
      limits: { cpu: "10m", memory: "16Mi" },
    });
  });

  it("a value over the limit is SW_SPEC_VALUE_TOO_LONG at the value", () => {
    const text = `${HEAD}spec:\n  description: ${"x".repeat(LIMITS.valueChars + 1)}\n`;
    expect(parseSimpleYaml(text)).toBeUndefined();
    const { d } = only(text);
    expect(d?.code).toBe("SW_SPEC_VALUE_TOO_LONG");
    expect(d?.location).toMatchObject({ line: 4, col: 16 });
    expect(d?.message.length).toBeLessThan(200);
  });

  it("a file over the size limit is SW_SPEC_TOO_LARGE without being parsed", () => {
    const dir = mkdtempSync(join(tmpdir(), "sw-limits-"));
    const file = join(dir, "big.yaml");
    writeFileSync(file, `${HEAD}spec:\n  description: x\n${"# padding\n".repeat(LIMITS.fileBytes / 10)}`);
    const p = readSource(file, "services/big.yaml");
    expect(p.diagnostics.map((d) => d.code)).toEqual(["SW_SPEC_TOO_LARGE"]);
    expect(p.diagnostics[0]?.location).toEqual({ file: "services/big.yaml", line: 1, col: 1 });
  });

  it("a corrupt 1 MiB file reports its first syntax errors in well under a second", () => {
    const text = `${HEAD}spec:\n${'  - ]:{"x\n\t[: &\n'.repeat(60_000)}`.slice(0, LIMITS.fileBytes);
    const { all, ms } = only(text);
    expect(all.length).toBe(LIMITS.syntaxErrors + 1);
    expect(all.at(-1)?.code).toBe("SW_YAML_MORE_ERRORS");
    expect(ms).toBeLessThan(1000);
  });

  // The slowest valid file is flow YAML, which the fast path declines: the `yaml` parser took ~5 s
  // for one near the old 1 MiB limit. A spec file is a few KiB; 256 KiB bounds that to about a second.
  it("the largest valid flow-style file within the size limit parses in about a second", () => {
    const node = (i: number) => `{name: node-${i}, cpu: 4, memory: 16Gi}`;
    const items: string[] = [];
    let size = HEAD.length + 40;
    for (let i = 0; size < LIMITS.fileBytes - 64; i++) {
      items.push(node(i));
      size += node(i).length + 2;
    }
    const text = `${HEAD}spec:\n  nodes: [${items.join(", ")}]\n`;
    expect(text.length).toBeLessThanOrEqual(LIMITS.fileBytes);
    expect(LIMITS.fileBytes).toBeLessThanOrEqual(256 * 1024);
    const p = problems(text);
    expect(p.diagnostics).toEqual([]);
    expect((p.data as { spec: { nodes: unknown[] } }).spec.nodes).toHaveLength(items.length);
    expect(p.ms).toBeLessThan(2500);
  });

  it("duplicate keys among 20,000 are found in linear time, at the repeated key", () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `k${i}: v`);
    keys.push("k7: again");
    const { d, ms } = only(`${keys.join("\n")}\n`);
    expect(d?.code).toBe("SW_YAML_DUPLICATE_KEY");
    expect(d?.location?.line).toBe(20_001);
    expect(ms).toBeLessThan(3000);
  });
});

describe("printable", () => {
  it("escapes terminal control characters, separators and bidi overrides; keeps tabs and text", () => {
    expect(printable("a\x1b[2Jb\r\n\u0000\u009b\u202e\u2028\tü")).toBe(
      "a\\u001b[2Jb\\u000d\\u000a\\u0000\\u009b\\u202e\\u2028\tü",
    );
  });
});
