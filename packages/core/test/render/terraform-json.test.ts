import { describe, expect, it } from "vitest";
import { terraformJson } from "../../src/render/terraform-json.js";

describe("terraformJson", () => {
  it("is two-space JSON with keys sorted at every level, undefined left out, lists in order", () => {
    const v = { z: 1, a: { d: [1, { y: "x\ny", b: null }], c: {} }, u: undefined, e: [], "10": true, "9": 0 };
    expect(terraformJson(v)).toBe(
      [
        "{",
        '  "9": 0,',
        '  "10": true,',
        '  "a": {',
        '    "c": {},',
        '    "d": [',
        "      1,",
        "      {",
        '        "b": null,',
        '        "y": "x\\ny"',
        "      }",
        "    ]",
        "  },",
        '  "e": [],',
        '  "z": 1',
        "}",
        "",
      ].join("\n"),
    );
  });
});
