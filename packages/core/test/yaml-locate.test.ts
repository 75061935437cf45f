import { describe, expect, it } from "vitest";
import { locateYaml, yamlPositions } from "../src/yaml-locate.js";

// The one locator behind every diagnostic that points into YAML: users' spec files and rendered files.
const text = [
  "apiVersion: v1", // 1
  "kind: ConfigMap", // 2
  "data:", // 3
  "  a: one", // 4
  "  empty:", // 5
  "items:", // 6
  "  - name: x", // 7
  "    port: 80", // 8
  "---", // 9
  "kind: Secret", // 10
  "metadata:", // 11
  "  name: s", // 12
  "",
].join("\n");
const at = (path: (string | number)[], opts = {}) => {
  const l = locateYaml(text, "f.yaml", path, opts);
  return `${l.line}:${l.col}`;
};

describe("locateYaml", () => {
  it("points at a value, or with key at the key", () => {
    expect(at(["data", "a"])).toBe("4:6");
    expect(at(["data", "a"], { key: true })).toBe("4:3");
    expect(at(["items", 0, "port"])).toBe("8:11");
    expect(at(["items", 0])).toBe("7:5");
  });

  it("points just after the colon of a key without a value (yaml's empty scalar)", () => {
    expect(at(["data", "empty"])).toBe("5:9");
  });

  it("resolves a path that does not exist to its nearest ancestor, located the same way", () => {
    expect(at(["data", "missing"])).toBe("4:3");
    expect(at(["data", "missing"], { key: true })).toBe("3:1");
    expect(at(["items", 3, "port"])).toBe("7:3");
    expect(at(["nothing", "here"])).toBe("1:1");
  });

  it("reads the document asked for, and gives the span to the end of what it points at", () => {
    expect(at(["metadata", "name"], { doc: 1, key: true })).toBe("12:3");
    expect(locateYaml(text, "f.yaml", ["kind"], { doc: 1 })).toEqual({
      file: "f.yaml",
      line: 10,
      col: 7,
      endLine: 10,
      endCol: 13,
    });
  });

  it("locates many paths in one parse", () => {
    const p = yamlPositions(text);
    expect([p.locate("f.yaml", ["kind"]).line, p.locate("f.yaml", ["kind"], { doc: 1 }).line]).toEqual([
      2, 10,
    ]);
  });

  it("places an empty text at 1:1", () => {
    expect(locateYaml("", "e.yaml", ["spec"])).toEqual({ file: "e.yaml", line: 1, col: 1 });
  });
});
