import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { jsonSchemas, SCHEMA_FILES } from "../../src/config/json-schema.js";
import { components } from "../../src/index.js";

/**
 * The committed JSON Schemas are golden files: they must equal what the zod schemas and the
 * registered components generate now. `UPDATE_GOLDEN=1` (or `npm run gen`) rewrites them.
 */
const dir = join(import.meta.dirname, "../../schemas");
const fixtures = join(import.meta.dirname, "../fixtures/spec");
const generated = jsonSchemas(components);

describe("exported JSON Schemas", () => {
  it.each(generated.map((f) => [f.path, f.content] as const))("%s is up to date", (path, content) => {
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(join(dir, path), content);
    expect(readFileSync(join(dir, path), "utf8"), "stale schema: run `npm run gen`").toBe(content);
  });

  // The editor must agree with slipway: a valid file is valid for the schema, and the errors an
  // editor can see (unknown keys, enums, types) are errors there too.
  const ajv = new Ajv({ strict: false, allErrors: true });
  const schemaOf = (name: string) =>
    ajv.compile(JSON.parse(generated.find((f) => f.path === name)?.content ?? "{}"));
  const platform = schemaOf(SCHEMA_FILES.platform);
  const service = schemaOf(SCHEMA_FILES.service);
  const load = (rel: string) => parse(readFileSync(join(fixtures, rel), "utf8"));

  it.each([
    "valid/homelab/platform.yaml",
    "valid/minimal/platform.yaml",
    "valid/multi-node-kubeadm/platform.yaml",
    "valid/argocd-only/platform.yaml",
  ])("accepts %s", (rel) => {
    expect(platform(load(rel)), JSON.stringify(platform.errors)).toBe(true);
  });

  it.each([
    "valid/homelab/services/notes.yaml",
    "valid/homelab/services/status.yaml",
    "valid/multi-node-kubeadm/services/api.yaml",
    "valid/anchors-and-yml/services/worker.yml",
  ])("accepts %s", (rel) => {
    expect(service(load(rel)), JSON.stringify(service.errors)).toBe(true);
  });

  it.each([
    ["invalid/unknown-component-key/platform.yaml", "additionalProperties"],
    ["invalid/unknown-component/platform.yaml", "additionalProperties"],
    ["invalid/enum-value/platform.yaml", "enum"],
    ["invalid/wrong-type-enabled/platform.yaml", "type"],
    ["invalid/bad-domain/platform.yaml", "pattern"],
    ["invalid/missing-nodes/platform.yaml", "required"],
  ])("rejects %s (%s)", (rel, keyword) => {
    expect(platform(load(rel))).toBe(false);
    expect(platform.errors?.map((e) => e.keyword)).toContain(keyword);
  });

  it.each([
    ["invalid/unknown-service-key/services/web.yaml", "additionalProperties"],
    ["invalid/wrong-type-port/services/web.yaml", "type"],
    ["invalid/bad-cpu-quantity/services/web.yaml", "pattern"],
    ["invalid/missing-image/services/web.yaml", "required"],
  ])("rejects %s (%s)", (rel, keyword) => {
    expect(service(load(rel))).toBe(false);
    expect(service.errors?.map((e) => e.keyword)).toContain(keyword);
  });
});
