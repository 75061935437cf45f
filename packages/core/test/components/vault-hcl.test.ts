import { describe, expect, it } from "vitest";
import { block, toHcl } from "../../src/components/vault/hcl.js";

describe("vault HCL writer", () => {
  it("writes attributes, labelled and nested blocks in order, blank lines between top-level blocks", () => {
    const text = toHcl({
      ui: true,
      listener: block({ tls_disable: 1, telemetry: block({ a: "b" }) }, "tcp"),
      service_registration: block({}, "kubernetes"),
      after: false,
    });
    expect(text).toBe(
      [
        "ui = true",
        "",
        'listener "tcp" {',
        "  tls_disable = 1",
        "  telemetry {",
        '    a = "b"',
        "  }",
        "}",
        "",
        'service_registration "kubernetes" {}',
        "",
        "after = false",
        "",
      ].join("\n"),
    );
  });

  it("escapes quotes and template sequences, so a value is never read as an HCL template", () => {
    expect(toHcl({ path: 'a"${b}%{c}' })).toBe('path = "a\\"$${b}%%{c}"\n');
  });

  it("refuses names that are not identifiers and numbers HCL cannot write", () => {
    expect(() => toHcl({ "bad name": 1 })).toThrow(/identifier/);
    expect(() => toHcl({ n: Number.NaN })).toThrow(/number/);
  });
});
