import { describe, expect, it } from "vitest";
import { mergeHelmValues, reduceSchema } from "../../src/check/schemas/helm-values.js";
import { SchemaDir, scanCrdIdentity } from "../../src/check/schemas/schema-dir.js";
import { validateStructural } from "../../src/check/schemas/structural.js";
import { SCHEMA_DIR } from "./helpers.js";

const crdMode = { pruning: true };
const findings = (v: unknown, s: Record<string, unknown>, pruning = true) =>
  validateStructural(v, s, { pruning }).map((f) => `${f.code} ${f.path.join(".")}`);

describe("validateStructural (CRD semantics)", () => {
  const schema = {
    type: "object",
    properties: {
      port: { "x-kubernetes-int-or-string": true },
      note: { type: "string", nullable: true },
      free: {
        type: "object",
        "x-kubernetes-preserve-unknown-fields": true,
        properties: { known: { type: "string" } },
      },
      template: {
        type: "object",
        "x-kubernetes-embedded-resource": true,
        "x-kubernetes-preserve-unknown-fields": true,
      },
      bare: { type: "object" },
      tags: { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "set" },
      ports: {
        type: "array",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["port"],
        items: { type: "object", properties: { port: { type: "integer" } } },
      },
      choice: {
        type: "object",
        properties: { a: { type: "string" }, b: { type: "string" } },
        oneOf: [{ required: ["a"] }, { required: ["b"] }],
      },
      mode: { type: "string", enum: ["On", "Off"] },
    },
  };

  it("accepts int-or-string, null where nullable, unknown fields where preserved, embedded resources", () => {
    const v = {
      port: "http",
      note: null,
      free: { anything: 1, known: "x" },
      template: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: {} },
      bare: { whatever: true },
      tags: ["a", "b"],
      ports: [{ port: 1 }, { port: 2 }],
      choice: { a: "x" },
      mode: "On",
    };
    expect(findings(v, schema)).toEqual([]);
    expect(findings({ port: 8080 }, schema)).toEqual([]);
  });

  it("reports unknown fields only where the schema declares properties and does not preserve", () => {
    expect(findings({ prot: 1 }, schema)).toEqual(["SW_CHECK_UNKNOWN_FIELD prot"]);
    expect(findings({ prot: 1 }, schema, false)).toEqual([]);
    expect(findings({ template: { apiVersion: 1, kind: "X", metadata: { nme: "x" } } }, schema)).toEqual([
      "SW_CHECK_SCHEMA template.apiVersion",
      "SW_CHECK_UNKNOWN_FIELD template.metadata.nme",
    ]);
  });

  it("reports types, enums, null, duplicate set and map entries, and oneOf violations", () => {
    expect(
      findings(
        {
          port: 1.5,
          note: 3,
          tags: ["a", "a"],
          ports: [{ port: 1 }, { port: 1 }],
          choice: { a: "x", b: "y" },
          mode: "on",
          bare: null,
        },
        schema,
      ),
    ).toEqual([
      "SW_CHECK_SCHEMA port",
      "SW_CHECK_SCHEMA note",
      "SW_CHECK_SCHEMA tags.1",
      "SW_CHECK_SCHEMA ports.1",
      "SW_CHECK_SCHEMA choice",
      "SW_CHECK_SCHEMA mode",
      "SW_CHECK_SCHEMA bare",
    ]);
  });

  it("reports a missing required field at its path", () => {
    const s = { type: "object", required: ["spec"], properties: { spec: { type: "object" } } };
    const out = validateStructural({}, s, crdMode);
    expect(out.map((f) => [f.code, f.path, f.missing])).toEqual([["SW_CHECK_SCHEMA", ["spec"], true]]);
  });
});

describe("SchemaDir", () => {
  const dir = new SchemaDir(SCHEMA_DIR, "1.32");

  it("indexes CRDs by group and kind across files, including multi-document ones", () => {
    expect(
      dir.crd("gateway.networking.k8s.io", "HTTPRoute")?.versions.map((v) => [v.name, v.served]),
    ).toEqual([
      ["v1", true],
      ["v1beta1", true],
    ]);
    expect(
      dir.crd("external-secrets.io", "ExternalSecret")?.versions.find((v) => v.name === "v1beta1")?.served,
    ).toBe(false);
    expect(dir.crd("security.istio.io", "PeerAuthentication")?.source).toBe("istio/1.30.3/crd-all.gen.yaml");
    expect(dir.crd("example.com", "Nope")).toBeUndefined();
    expect(dir.crdCount).toBeGreaterThan(40);
  });

  it("finds core schemas by kind, group and version for the platform's Kubernetes version", () => {
    expect(dir.core("apps", "v1", "Deployment")).toBeDefined();
    expect(dir.core("rbac.authorization.k8s.io", "v1", "ClusterRole")).toBeDefined();
    expect(dir.core("", "v1", "Service")).toBeDefined();
    expect(dir.core("", "v1", "Pod")).toBeUndefined();
    expect(new SchemaDir(SCHEMA_DIR, "1.99").core("apps", "v1", "Deployment")).toBeUndefined();
  });

  it("scans a CRD's identity without parsing it", () => {
    const doc =
      "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: foos.example.com\nspec:\n  group: example.com\n  names:\n    kind: Foo\n    plural: foos\n  versions: []\n";
    expect(scanCrdIdentity(doc)).toEqual({ group: "example.com", kind: "Foo" });
    expect(scanCrdIdentity("kind: CustomResourceDefinition\nspec: {group: x}\n")).toBeUndefined();
  });
});

describe("Helm values", () => {
  it("merges like Helm: maps merge, lists and scalars replace, null deletes", () => {
    const defaults = { a: { b: 1, c: [1, 2], d: "x" }, e: true, f: { g: 1 } };
    expect(
      mergeHelmValues(defaults, { a: { c: [3], d: null }, e: false, f: null, h: { i: null, j: 1 } }),
    ).toEqual({
      a: { b: 1, c: [3] },
      e: false,
      h: { j: 1 },
    });
  });

  it("reduces a schema to the keys set, through a root $ref as well", () => {
    const props = { a: { type: "string" }, b: { type: "string" } };
    expect(
      reduceSchema({ type: "object", properties: props, required: ["a", "b"], additionalProperties: false }, [
        "a",
      ]),
    ).toEqual({
      type: "object",
      properties: { a: { type: "string" } },
      required: ["a"],
      additionalProperties: false,
    });
    expect(reduceSchema({ properties: props, allOf: [{ required: ["a"] }] }, ["b"])).toBeUndefined();
    expect(reduceSchema({ type: "object" }, ["b"])).toBeUndefined();
    const viaRef = reduceSchema({ $ref: "#/$defs/root", $defs: { root: { properties: props }, other: {} } }, [
      "b",
    ]);
    expect(viaRef).toEqual({
      $ref: "#/$defs/root",
      $defs: { root: { properties: { b: { type: "string" } } }, other: {} },
    });
  });
});
