import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseBlockYaml, readBlockYaml } from "../../src/check/schemas/fast-yaml.js";
import { SCHEMA_DIR } from "./helpers.js";

describe("parseBlockYaml", () => {
  it("reads every YAML document of the schema directory exactly as yaml.parse does", () => {
    const files = (readdirSync(SCHEMA_DIR, { recursive: true }) as string[])
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
    expect(files.length).toBeGreaterThan(50);
    let docs = 0;
    for (const f of files) {
      for (const doc of readFileSync(join(SCHEMA_DIR, f), "utf8").split(/^---[^\n]*$/m)) {
        let expected: unknown;
        try {
          expected = parse(doc, { uniqueKeys: false });
        } catch {
          continue; // Not YAML on its own (a template fragment): not our concern.
        }
        expect(parseBlockYaml(doc), `${f} document ${docs}`).toEqual(expected ?? null);
        // The point is speed on CRDs: none of them may need the fallback.
        if (/^kind: CustomResourceDefinition$/m.test(doc)) expect(() => readBlockYaml(doc), f).not.toThrow();
        docs++;
      }
    }
    expect(docs).toBeGreaterThan(100);
  });

  it.each([
    ["a: 1\nb:\n- x\n- 'y'\n- \"z\\n\"\nc: {}\n", { a: 1, b: ["x", "y", "z\n"], c: {} }],
    [
      "k: |-\n  line one\n\n  line two\nn: null\nt: true\nf: 1.5\ns: 010\n",
      { k: "line one\n\nline two", n: null, t: true, f: 1.5, s: 10 },
    ],
    ["- name: a\n  value: b\n- - c\n  - d\n", [{ name: "a", value: "b" }, ["c", "d"]]],
    ["x: >\n  folded\n  text\ny: plain\n  continued\n", { x: "folded text\n", y: "plain continued" }],
    ["anchors: &a {x: 1}\nref: *a\n", { anchors: { x: 1 }, ref: { x: 1 } }],
  ])("reads %j like yaml.parse (falling back where unsupported)", (text, expected) => {
    expect(parseBlockYaml(text)).toEqual(expected);
    expect(parse(text)).toEqual(expected);
  });
});
