import { describe, expect, it } from "vitest";
import { allowedKeys, closest, editDistance } from "../../src/config/introspect.js";
import { components, parseSource, platformSchema, serviceSchema } from "../../src/index.js";

describe("allowedKeys", () => {
  it("reads the keys of a mapping through defaults, optionals and arrays", () => {
    const platform = platformSchema(components);
    expect(allowedKeys(platform, ["spec", "components", "gateway"])).toContain("enabled");
    expect(allowedKeys(platform, ["spec", "components"])).toEqual(components.map((c) => c.id).sort());
    expect(allowedKeys(platform, ["spec", "cluster", "nodes", 0])).toEqual(["arch", "cpu", "memory", "name"]);
    // Through the cluster's refinement (config/environment.ts) too.
    expect(allowedKeys(platform, ["spec", "cluster"])).toContain("storageClass");
    expect(allowedKeys(platform, ["spec", "cluster", "aws", "vaultIam"])).toEqual(["mode", "roleArn"]);
  });
  it("follows the mapping branch of a union (database: false | {...})", () => {
    expect(allowedKeys(serviceSchema, ["spec", "database"])).toEqual(["dynamic", "name"]);
  });
  it("is empty where there is no fixed-shape mapping", () => {
    expect(allowedKeys(serviceSchema, ["spec", "env"])).toEqual([]);
    expect(allowedKeys(serviceSchema, ["spec", "nope"])).toEqual([]);
  });
});

describe("closest", () => {
  it("suggests plausible typos only", () => {
    expect(editDistance("enabeld", "enabled")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(closest("enabeld", ["enabled"])).toBe("enabled");
    expect(closest("Replicas", ["replicas", "resources"])).toBe("replicas");
    expect(closest("prot", ["port", "preset"])).toBe("port");
    expect(closest("colour", ["enabled"])).toBeUndefined();
  });
});

describe("SourceFile", () => {
  const text = "spec:\n  ports:\n    - 80\n    - 443\n  name: x\n  empty:\n";
  const { source, data, diagnostics } = parseSource(text, "f.yaml");

  it("keeps no parse tree or data, only the name and a locator", () => {
    expect(Object.keys(source).sort()).toEqual(["file", "locate"]);
    expect(diagnostics).toEqual([]);
    expect(data).toEqual({ spec: { ports: [80, 443], name: "x", empty: null } });
  });
  it("locates values, keys, list items and the nearest ancestor of a missing path", () => {
    expect(source.locate(["spec", "ports", 1])).toMatchObject({ line: 4, col: 7 });
    expect(source.locate(["spec", "name"], { key: true })).toMatchObject({ line: 5, col: 3 });
    expect(source.locate(["spec", "name"])).toMatchObject({ line: 5, col: 9 });
    expect(source.locate(["spec", "missing", "deeper"])).toMatchObject({ line: 2, col: 3 });
    expect(source.locate([])).toMatchObject({ line: 1, col: 1 });
  });
  it("reports syntax errors with positions and no data", () => {
    const bad = parseSource("a: 1\na: 2\nb: [1\n", "bad.yaml");
    expect(bad.data).toBeUndefined();
    expect(bad.diagnostics.map((d) => [d.code, d.location?.line])).toContainEqual([
      "SW_YAML_DUPLICATE_KEY",
      2,
    ]);
  });
  it("tells an empty document from a null one", () => {
    expect(parseSource("# only a comment\n", "e.yaml").empty).toBe(true);
    expect(parseSource("a: 1\n", "e.yaml").empty).toBe(false);
  });
});
