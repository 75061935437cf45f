import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDocument, stringify } from "yaml";
import { parseSimpleYaml } from "../../src/config/fast-yaml.js";
import { parseSource, toYaml } from "../../src/index.js";

/**
 * The fast path may only ever agree with `yaml`: whatever it accepts must parse without errors
 * in `yaml` (same options as the loader) to the same data. Everything else it must decline.
 */
function reference(text: string): { ok: true; value: unknown } | { ok: false } {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, strict: true });
  return doc.errors.length > 0 ? { ok: false } : { ok: true, value: doc.toJS() };
}

function agrees(text: string): void {
  const fast = parseSimpleYaml(text);
  if (!fast) return;
  const ref = reference(text);
  expect(ref.ok, `fast path accepted text yaml rejects:\n${text}`).toBe(true);
  if (ref.ok) expect(fast.value, text).toEqual(ref.value);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : /\.ya?ml$/.test(f) ? [p] : [];
  });
}

const root = join(import.meta.dirname, "../../../..");
const specFiles = [
  ...filesUnder(join(root, "packages/core/test/fixtures/spec")),
  ...filesUnder(join(root, "examples/homelab/services")),
  join(root, "examples/homelab/platform.yaml"),
];

const scalarText = fc.oneof(
  fc.constantFrom(
    "",
    "a",
    "10m",
    "256Mi",
    "1.32",
    "0.5",
    "-1",
    "+3",
    "1e3",
    "1e999",
    ".5",
    "007",
    "0x1F",
    "0o17",
    ".inf",
    "-.Inf",
    ".nan",
    "true",
    "False",
    "NULL",
    "~",
    "yes",
    "on",
    "ghcr.io/acme/web:1.0.0",
    "https://x.dev/a#b",
    "a #b",
    "a: b",
    "a:",
    "- a",
    "'q'",
    '"q"',
    "it's",
    "&a",
    "*a",
    "!x",
    "|",
    ">",
    "@x",
    "`x`",
    "%x",
    "{a: 1}",
    "[1, 2]",
    "{}",
    "[]",
    "[a, b, ]",
    "#c",
    "a\\nb",
    "9007199254740993",
  ),
  fc.string({ maxLength: 8 }),
);
const key = fc.oneof(
  fc.constantFrom(
    "a",
    "b",
    "enabled",
    "LOG_LEVEL",
    "app.kubernetes.io/name",
    "null",
    "True",
    "1",
    "-a",
    "__proto__",
  ),
  fc.string({ minLength: 1, maxLength: 6 }),
);
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    scalarText,
    fc.integer(),
    fc.double({ noNaN: true }),
    fc.boolean(),
    fc.constant(null),
    tie("array"),
    tie("object"),
  ),
  array: fc.array(tie("value"), { maxLength: 4 }),
  object: fc.dictionary(key, tie("value"), { maxKeys: 5 }),
})).object;

describe("fast YAML path", () => {
  it("takes the common path: every valid spec file in the repository is read by it", () => {
    // anchors-and-yml exists to exercise the full parser.
    const valid = specFiles.filter((f) => !f.includes("/invalid/") && !f.includes("/anchors-and-yml/"));
    expect(valid.length).toBeGreaterThan(10);
    for (const f of valid) expect(parseSimpleYaml(readFileSync(f, "utf8")), f).toBeDefined();
  });

  it("agrees with yaml on every fixture, valid or not", () => {
    for (const f of specFiles) agrees(readFileSync(f, "utf8"));
  });

  it("agrees with yaml on data serialized by yaml (block and flow styles) and by toYaml", () => {
    fc.assert(
      fc.property(json, fc.constantFrom("block", "flow", "any"), (value, collectionStyle) => {
        agrees(stringify(value, { collectionStyle: collectionStyle as "block" | "flow" | "any" }));
        agrees(toYaml(value));
      }),
      { numRuns: 400 },
    );
  });

  it("declines whatever yaml rejects, on random line soup", () => {
    const token = fc.constantFrom(
      "a",
      "b",
      "key",
      ": ",
      ":",
      "- ",
      "-",
      " ",
      "  ",
      "\n",
      "#",
      " #",
      "'",
      '"',
      "[",
      "]",
      "{",
      "}",
      ", ",
      "1",
      "1.5",
      "true",
      "null",
      "&x",
      "*x",
      "|",
      "---",
      "\t",
      "\\",
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 40 }), (tokens) => agrees(tokens.join(""))),
      { numRuns: 3000 },
    );
  });

  it("reads the shapes spec files use", () => {
    const text = [
      "# comment",
      "a: 1 # trailing",
      "b:",
      "- x",
      "- y: 1",
      '  z: [1, \'two\', "th\\"ree"]',
      "c:",
      "  d: { cpu: 10m, memory: 16Mi }",
      "  e:",
      "  f: ''",
      "",
    ].join("\n");
    expect(parseSimpleYaml(text)?.value).toEqual({
      a: 1,
      b: ["x", { y: 1, z: [1, "two", 'th"ree'] }],
      c: { d: { cpu: "10m", memory: "16Mi" }, e: null, f: "" },
    });
    agrees(text);
  });

  it.each([
    ["duplicate keys", "a: 1\na: 2\n"],
    ["anchors", "a: &x 1\nb: *x\n"],
    ["block scalars", "a: |\n  text\n"],
    ["multi-line plain scalars", "a: one\n  two\n"],
    ["tabs", "a:\n\tb: 1\n"],
    ["several documents", "a: 1\n---\nb: 2\n"],
    ["scalar documents", "just text\n"],
    ["empty documents", "# nothing\n"],
    ["numbers too large for a double", "a: 1e999\n"],
  ])("leaves %s to yaml", (_, text) => {
    expect(parseSimpleYaml(text)).toBeUndefined();
  });

  it("keeps a number too large for a double as Infinity, as yaml reads it", () => {
    // The fast path's result is copied through JSON, which would turn Infinity into null.
    expect(parseSource("a: 1e999\nb: -1e999\n", "x.yaml").data).toEqual({ a: Infinity, b: -Infinity });
  });
});
