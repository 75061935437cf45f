import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { policies } from "../src/check/policies/index.js";
import { policyCode } from "../src/check/policy.js";
import { components } from "../src/components/index.js";
import { SlipwayError } from "../src/diagnostics.js";
import { errorReference } from "../src/docs/errors.js";
import { ERRORS, errorDocs, isCatalogued } from "../src/errors.js";
import type { AnyComponent } from "../src/render/component.js";
import { validateRegistry } from "../src/resolve/registry.js";

const repo = join(import.meta.dirname, "../../..");
const CATALOGUE = "packages/core/src/errors.ts";
const policyCodes = new Set<string>(policies.map((p) => policyCode(p.id)));
const known = new Set<string>([...Object.keys(ERRORS), ...policyCodes]);

/** Every file under `dir` whose name ends with one of `exts`, as repository-relative paths. */
function files(dir: string, exts: readonly string[]): string[] {
  return readdirSync(join(repo, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && exts.some((x) => e.name.endsWith(x)))
    .map((e) => relative(repo, join(e.parentPath, e.name)))
    .sort();
}

const sources = readdirSync(join(repo, "packages"))
  .flatMap((p) => files(`packages/${p}/src`, [".ts"]))
  .filter((f) => f !== CATALOGUE);

/**
 * `SW_*` tokens of a text with their line: a whole code, or a prefix (`SW_WRITE_` in
 * `startsWith("SW_WRITE_")`, `SW_PRESET_*` in a comment, `SW_POLICY_<ID>` in prose).
 */
function tokens(text: string): { token: string; prefix: boolean; line: number }[] {
  const out: { token: string; prefix: boolean; line: number }[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    for (const m of line.matchAll(/\bSW_[A-Z0-9_]*[A-Z0-9_](\*|<|\$\{)?/g)) {
      const token = m[0].replace(/[*<]$|\$\{$/, "");
      out.push({ token, prefix: token.endsWith("_") || m[1] !== undefined, line: i + 1 });
    }
  }
  return out;
}

/** The tokens of `paths` that are neither a known code nor a prefix of one, as `CODE (file:line)`. */
function unknownCodes(paths: readonly string[]): string[] {
  const bad: string[] = [];
  for (const f of paths) {
    for (const t of tokens(readFileSync(join(repo, f), "utf8"))) {
      const ok = t.prefix ? [...known].some((c) => c.startsWith(t.token)) : known.has(t.token);
      if (!ok) bad.push(`${t.token}${t.prefix ? "*" : ""} (${f}:${t.line})`);
    }
  }
  return bad;
}

describe("the error-code catalogue", () => {
  it("has an entry for every SW_* code in packages/*/src", () => {
    expect(sources.length).toBeGreaterThan(100);
    // A code added without an entry fails here with its name and file (and tsc fails on diag()).
    expect(unknownCodes(sources)).toEqual([]);
  });

  it("has no entry that no source uses (a dead code)", () => {
    const used = new Set<string>();
    for (const f of sources) {
      for (const m of readFileSync(join(repo, f), "utf8").matchAll(/"(SW_[A-Z0-9_]+)"/g))
        used.add(m[1] as string);
    }
    expect(Object.keys(ERRORS).filter((c) => !used.has(c))).toEqual([]);
  });

  it("derives one code per policy, none of them a catalogue code", () => {
    expect(policyCodes.size).toBe(policies.length);
    expect([...policyCodes].filter((c) => isCatalogued(c))).toEqual([]);
    expect(policyCode("no-secrets")).toBe("SW_POLICY_NO_SECRETS");
  });

  it("says what each code means in one line, and documents it at an anchor of the reference", () => {
    for (const [code, e] of Object.entries(ERRORS)) {
      expect(code, code).toMatch(/^SW_[A-Z][A-Z0-9_]*[A-Z0-9]$/);
      expect(e.summary, code).toMatch(/^\S.*\S$/);
      expect(e.summary.includes("\n"), code).toBe(false);
    }
    expect(errorDocs("SW_SPEC_UNKNOWN_KEY")).toBe("docs/reference/errors.md#sw_spec_unknown_key");
    const text = errorReference(policies);
    for (const code of known) expect(text).toContain(`\n### \`${code}\`\n`);
  });

  it("finds a code that has no entry, with its file and line", () => {
    expect(tokens('diag("SW_NOT_A_CODE", "x"); // SW_WRITE_* and SW_POLICY_<ID>')).toEqual([
      { token: "SW_NOT_A_CODE", prefix: false, line: 1 },
      { token: "SW_WRITE_", prefix: true, line: 1 },
      { token: "SW_POLICY_", prefix: true, line: 1 },
    ]);
  });
});

describe("docs/reference/errors.md", () => {
  const file = join(repo, "docs/reference/errors.md");

  it("is generated from the catalogue and the policies, and up to date", () => {
    const fresh = errorReference(policies);
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(file, fresh);
    expect(readFileSync(file, "utf8")).toBe(fresh);
  });

  it("is the only list: README.md and docs/ name only codes that exist", () => {
    expect(unknownCodes(["README.md", ...files("docs", [".md"])])).toEqual([]);
  });
});

describe("a bug in a registry list", () => {
  it("is an internal error (a plain Error, exit 70) whose message starts with the catalogued code", () => {
    const gateway = components.find((c) => c.id === "gateway") as AnyComponent;
    const base: AnyComponent = { ...gateway, dependsOn: [], after: [] };
    let thrown: unknown;
    try {
      validateRegistry([base, base, { ...base, id: "lonely", dependsOn: ["nowhere"] }]);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).not.toBeInstanceOf(SlipwayError);
    expect((thrown as Error).message.split("\n").map((l) => l.split(":")[0])).toEqual([
      "SW_REGISTRY_DUPLICATE_ID",
      "SW_REGISTRY_UNKNOWN_DEPENDENCY",
    ]);
  });
});
