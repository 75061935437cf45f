import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { componentReference, components, specReference, undocumentedFields } from "../src/index.js";

const file = join(import.meta.dirname, "../../../docs/reference/components.md");

describe("docs/reference/components.md", () => {
  it("is generated from the registry and up to date", () => {
    const fresh = componentReference(components);
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(file, fresh);
    expect(readFileSync(file, "utf8")).toBe(fresh);
  });

  it("lists every registered component with its dependencies", () => {
    const text = componentReference(components);
    for (const c of components) {
      expect(text).toContain(`## ${c.id}\n`);
      for (const d of c.dependsOn) expect(text).toMatch(new RegExp(`\\| \\[\`${c.id}\`\\][^\\n]*\`${d}\``));
    }
  });
});

describe("docs/reference/services.md", () => {
  const specFile = join(import.meta.dirname, "../../../docs/reference/services.md");

  it("is generated from the service and platform schemas and up to date", () => {
    const fresh = specReference(components);
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(specFile, fresh);
    expect(readFileSync(specFile, "utf8")).toBe(fresh);
  });

  it("describes every field a person writes (editors show the same text on hover)", () => {
    expect(undocumentedFields(components)).toEqual([]);
  });

  it("reaches into array items and the object branch of a union", () => {
    const text = specReference(components);
    for (const path of ["spec.secrets[].key", "spec.database.dynamic", "spec.cluster.nodes[].memory"]) {
      expect(text).toContain(`| \`${path}\` |`);
    }
    expect(text).toMatch(/\| `spec\.image` \| string, \*\*required\*\* \|/);
    expect(text).toMatch(/\| `spec\.replicas` \| integer \| `1` \|/);
  });
});
