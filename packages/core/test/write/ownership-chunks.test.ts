import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ownershipChunks } from "../../src/write/ownership.js";

const hash = (s: string) => createHash("sha256").update(s).digest("hex");

/** The record format as it was first defined: JSON.stringify of the whole object. */
function reference(paths: readonly string[]): string {
  const files: Record<string, string> = {};
  for (const p of paths) files[p] = hash(p);
  return `${JSON.stringify({ version: 1, files }, null, 2)}\n`;
}

describe("ownershipChunks", () => {
  it.each([
    ["no files", []],
    ["one file", ["a.yaml"]],
    ["paths that JSON must escape", ['k8s/"quoted".yaml', "k8s/back\\slash.yaml", "k8s/ünïcode.yaml"]],
  ])("joins to the reference record: %s", (_name, paths) => {
    expect([...ownershipChunks(paths.map((p) => [p, hash(p)] as const))].join("")).toBe(reference(paths));
  });

  it("cuts a large record into pieces of about 64 KiB that join to the reference", () => {
    const paths = Array.from(
      { length: 5000 },
      (_, i) => `k8s/helm/manifests/svc-${i}/deployment-svc-${i}.yaml`,
    ).sort();
    const chunks = [...ownershipChunks(paths.map((p) => [p, hash(p)] as const))];
    expect(chunks.length).toBeGreaterThan(8);
    for (const c of chunks.slice(0, -1)) {
      expect(c.length).toBeGreaterThanOrEqual(65_536);
      expect(c.length).toBeLessThan(65_536 + 512);
    }
    expect(chunks.join("")).toBe(reference(paths));
  });
});
