import { readFileSync } from "node:fs";
import { join } from "node:path";
import { InputError, NotFoundError, type SlipwayError } from "@slipway/core";
import { expect, describe as group, it } from "vitest";
import { describe, getPreset, parametersJsonSchema, presets } from "../src/index.js";

function failure(fn: () => unknown): SlipwayError {
  try {
    fn();
  } catch (error) {
    return error as SlipwayError;
  }
  throw new Error("expected an error");
}

function codes(fn: () => unknown): [string, string][] {
  const error = failure(fn);
  expect(error).toBeInstanceOf(InputError);
  return error.diagnostics.map((d) => [d.code, d.path.join(".")]);
}

group("describe()", () => {
  it("applies defaults and derives repository and image", () => {
    const d = describe("spring-boot-microservice", { name: "greeter", owner: "OctoCat" });
    expect(d.preset).toEqual({
      id: "spring-boot-microservice",
      version: getPreset("spring-boot-microservice").version,
    });
    expect(d.parameters).toMatchObject({
      port: 8080,
      javaVersion: "21",
      groupId: "com.example",
      lifecycle: "experimental",
    });
    expect(d.repository).toEqual({ slug: "OctoCat/greeter", url: "https://github.com/OctoCat/greeter" });
    expect(d.image).toBe("ghcr.io/octocat/greeter");
  });

  it("accepts form values: numbers as decimal strings, empty optional fields as not given", () => {
    expect(describe("node-service", { name: "a", owner: "o", port: "9000" }).parameters.port).toBe(9000);
    const d = describe("spring-boot-microservice", {
      name: "a",
      owner: "o",
      packageName: "",
      port: "",
      groupId: "",
    });
    expect(d.parameters).toMatchObject({ port: 8080, groupId: "com.example" });
    expect(d.parameters).not.toHaveProperty("packageName");
    expect(codes(() => describe("node-service", { name: "", owner: "o" }))).toEqual([
      ["SW_PRESET_INVALID_NAME", "name"],
    ]);
    expect(codes(() => describe("node-service", { name: "a", owner: "o", port: "80a" }))).toEqual([
      ["SW_PRESET_INVALID_PARAMETER", "port"],
    ]);
  });

  const bad: [string, string, Record<string, unknown>, [string, string][]][] = [
    [
      "name with capitals",
      "node-service",
      { name: "MyApp", owner: "o" },
      [["SW_PRESET_INVALID_NAME", "name"]],
    ],
    [
      "name starting with a digit",
      "node-service",
      { name: "1app", owner: "o" },
      [["SW_PRESET_INVALID_NAME", "name"]],
    ],
    [
      "name ending with a dash",
      "static-frontend",
      { name: "app-", owner: "o" },
      [["SW_PRESET_INVALID_NAME", "name"]],
    ],
    ["name with a dot", "static-frontend", { name: "a.b", owner: "o" }, [["SW_PRESET_INVALID_NAME", "name"]]],
    [
      "name too long",
      "node-service",
      { name: "a".repeat(64), owner: "o" },
      [["SW_PRESET_INVALID_NAME", "name"]],
    ],
    [
      "name path traversal",
      "node-service",
      { name: "../etc", owner: "o" },
      [["SW_PRESET_INVALID_NAME", "name"]],
    ],
    ["name missing", "node-service", { owner: "o" }, [["SW_PRESET_MISSING_PARAMETER", "name"]]],
    ["name not a string", "node-service", { name: 42, owner: "o" }, [["SW_PRESET_INVALID_NAME", "name"]]],
    [
      "owner with a slash",
      "node-service",
      { name: "a", owner: "a/b" },
      [["SW_PRESET_INVALID_OWNER", "owner"]],
    ],
    [
      "package with a keyword",
      "spring-boot-microservice",
      { name: "a", owner: "o", packageName: "com.example.class" },
      [["SW_PRESET_INVALID_PACKAGE", "packageName"]],
    ],
    [
      "package with a dash",
      "spring-boot-postgres-oidc",
      { name: "a", owner: "o", packageName: "com.my-app" },
      [["SW_PRESET_INVALID_PACKAGE", "packageName"]],
    ],
    [
      "package with an empty segment",
      "spring-boot-postgres-oidc",
      { name: "a", owner: "o", packageName: "com..app" },
      [["SW_PRESET_INVALID_PACKAGE", "packageName"]],
    ],
    [
      "derived package is a keyword",
      "spring-boot-microservice",
      { name: "static", owner: "o" },
      [["SW_PRESET_INVALID_PACKAGE", "packageName"]],
    ],
    [
      "group id with a capital",
      "spring-boot-microservice",
      { name: "a", owner: "o", groupId: "Com.example" },
      [["SW_PRESET_INVALID_GROUP_ID", "groupId"]],
    ],
    [
      "java version not offered",
      "spring-boot-microservice",
      { name: "a", owner: "o", javaVersion: "17" },
      [["SW_PRESET_INVALID_PARAMETER", "javaVersion"]],
    ],
    [
      "privileged port",
      "node-service",
      { name: "a", owner: "o", port: 80 },
      [["SW_PRESET_INVALID_PARAMETER", "port"]],
    ],
    [
      "multi-line description",
      "node-service",
      { name: "a", owner: "o", description: "a\nb" },
      [["SW_PRESET_INVALID_PARAMETER", "description"]],
    ],
    [
      "parameter of another preset",
      "node-service",
      { name: "a", owner: "o", javaVersion: "21" },
      [["SW_PRESET_UNKNOWN_PARAMETER", "javaVersion"]],
    ],
    [
      "several problems at once",
      "static-frontend",
      { name: "A", owner: "o", colour: "red" },
      [
        ["SW_PRESET_UNKNOWN_PARAMETER", "colour"],
        ["SW_PRESET_INVALID_NAME", "name"],
      ],
    ],
  ];

  it.each(bad)("refuses %s", (_what, preset, request, expected) => {
    expect(codes(() => describe(preset, request)).sort()).toEqual(expected.sort());
  });

  it("gives every parameter diagnostic a hint or names the parameter in its path", () => {
    const error = failure(() =>
      describe("spring-boot-microservice", { name: "X", owner: "-", packageName: "1" }),
    );
    for (const d of error.diagnostics) {
      expect(d.path.length).toBe(1);
      expect(d.hint).toBeTruthy();
    }
  });

  it("refuses a request that is not an object", () => {
    expect(codes(() => describe("node-service", [1, 2]))).toEqual([["SW_PRESET_INVALID_REQUEST", ""]]);
    expect(codes(() => describe("node-service", null))).toEqual([["SW_PRESET_INVALID_REQUEST", ""]]);
  });

  it("reports an unknown preset as not found, with the known ids as hint", () => {
    const error = failure(() => describe("rails", { name: "a", owner: "o" }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.diagnostics.map((d) => [d.code, d.path])).toEqual([["SW_PRESET_NOT_FOUND", ["preset"]]]);
    for (const p of presets) expect(error.diagnostics[0]?.hint).toContain(p.id);
  });
});

group("presets", () => {
  it("have unique ids and semantic versions", () => {
    expect(new Set(presets.map((p) => p.id)).size).toBe(presets.length);
    for (const p of presets) expect(p.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(presets.map((p) => p.id)).toEqual(
      expect.arrayContaining([
        "spring-boot-postgres-oidc",
        "spring-boot-microservice",
        "static-frontend",
        "node-service",
      ]),
    );
  });

  it.each(presets.map((p) => [p.id, p] as const))(
    "%s exports its parameters as JSON Schema for forms",
    (_id, p) => {
      const schema = parametersJsonSchema(p) as {
        type: string;
        properties: Record<string, { default?: unknown; type?: string; title?: string }>;
        required?: string[];
        additionalProperties?: boolean;
      };
      expect(schema.type).toBe("object");
      expect(schema.additionalProperties).toBe(false);
      expect(schema.required?.sort()).toEqual(["name", "owner"]);
      expect(schema.properties.port?.default).toBe(8080);
      for (const [key, prop] of Object.entries(schema.properties)) expect(prop.title, key).toBeTruthy();
    },
  );

  it("offers the Initializr parameters on the Spring presets", () => {
    for (const id of ["spring-boot-postgres-oidc", "spring-boot-microservice"]) {
      const props = Object.keys((parametersJsonSchema(getPreset(id)) as { properties: object }).properties);
      expect(props).toEqual(
        expect.arrayContaining([
          "groupId",
          "artifactId",
          "name",
          "description",
          "packageName",
          "javaVersion",
        ]),
      );
    }
  });
});

group("docs/presets", () => {
  it.each(presets.map((p) => [p.id, p] as const))("docs/presets/%s.md names every parameter", (id, p) => {
    const page = readFileSync(join(import.meta.dirname, `../../../docs/presets/${id}.md`), "utf8");
    for (const key of Object.keys(p.parameters.shape)) expect(page, key).toContain(`\`${key}\``);
  });
});
