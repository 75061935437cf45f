import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lazyList, lazyMap, terraformJson } from "../../src/render/terraform-json.js";

/** The definition: two-space JSON of the value with keys sorted at every level, and a newline. */
function reference(v: unknown): string {
  const sort = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sort);
    if (x !== null && typeof x === "object") {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(x).sort()) {
        const y = (x as Record<string, unknown>)[k];
        if (y !== undefined) out[k] = sort(y);
      }
      return out;
    }
    return x;
  };
  return `${JSON.stringify(sort(v), null, 2)}\n`;
}

/**
 * Replaces some arrays and objects by their lazy forms, entries in the required order: the order
 * of the keys of an object built from them sorted (JavaScript puts integer-like keys first).
 */
function lazify(v: unknown, pick: () => boolean): unknown {
  if (Array.isArray(v)) {
    const items = v.map((x) => lazify(x, pick));
    return pick() ? lazyList(items) : items;
  }
  if (v !== null && typeof v === "object") {
    const entries = Object.keys(
      Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, 0]),
      ),
    )
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => [k, lazify((v as Record<string, unknown>)[k], pick)] as const);
    return pick() ? lazyMap(entries) : Object.fromEntries(entries);
  }
  return v;
}

const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie("value"), { maxKeys: 4 }),
  ),
})).value;

describe("terraformJson", () => {
  it("is two-space JSON with sorted keys (keys with undefined values left out)", () => {
    const v = { z: 1, a: { d: [1, { y: "x\ny", b: null }], c: {} }, u: undefined, e: [] };
    expect(terraformJson(v)).toBe(reference(v));
    expect(terraformJson(v).split("\n")[1]).toBe('  "a": {');
  });

  it("serializes lazy blocks exactly as the whole object would be (generated values)", () => {
    fc.assert(
      fc.property(json, fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }), (v, bits) => {
        let i = 0;
        const lazy = lazify(v, () => bits[i++ % bits.length] as boolean);
        expect(terraformJson(lazy)).toBe(reference(v));
      }),
      { numRuns: 200 },
    );
  });

  it("makes a lazy block's entries only while serializing it", () => {
    let made = 0;
    function* records(): Generator<readonly [string, unknown]> {
      for (let i = 0; i < 3; i++) {
        made++;
        yield [`r${i}`, { n: i }];
      }
    }
    const value = { resource: { record: lazyMap(records()) } };
    expect(made).toBe(0);
    expect(JSON.parse(terraformJson(value))).toEqual({
      resource: { record: { r0: { n: 0 }, r1: { n: 1 }, r2: { n: 2 } } },
    });
    expect(made).toBe(3);
  });
});
