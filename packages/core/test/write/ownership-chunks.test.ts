import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ownershipText } from "../../src/write/ownership.js";

const hash = (s: string) => createHash("sha256").update(s).digest("hex");

/** The record format as it was first defined: JSON.stringify of the whole object. */
function reference(paths: readonly string[]): string {
  const files: Record<string, string> = {};
  for (const p of paths) files[p] = hash(p);
  return `${JSON.stringify({ version: 1, files }, null, 2)}\n`;
}

describe("ownershipText", () => {
  it.each([
    ["no files", []],
    ["one file", ["a.yaml"]],
    ["paths that JSON must escape", ['k8s/"quoted".yaml', "k8s/back\\slash.yaml", "k8s/ünïcode.yaml"]],
    [
      "5000 files",
      Array.from({ length: 5000 }, (_, i) => `k8s/helm/manifests/svc-${i}/deployment-svc-${i}.yaml`).sort(),
    ],
  ])("is the reference record: %s", (_name, paths) => {
    expect(ownershipText(paths.map((p) => [p, hash(p)] as const))).toBe(reference(paths));
  });
});
