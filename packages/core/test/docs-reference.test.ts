import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { componentReference, components } from "../src/index.js";

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
