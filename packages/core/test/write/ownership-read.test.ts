import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ownershipText, readOwnership, readOwnershipState } from "../../src/write/ownership.js";
import { codesOf, tempDir } from "./helpers.js";

const hash = (s: string) => createHash("sha256").update(s).digest("hex");

/** A root whose `.slipway/owned.json` is `text`. */
function withRecord(text: string): string {
  const root = tempDir();
  mkdirSync(join(root, ".slipway"));
  writeFileSync(join(root, ".slipway/owned.json"), text);
  return root;
}

const canonical = (files: Record<string, string>) =>
  ownershipText(Object.keys(files).map((p) => [p, files[p] as string] as const));

describe("reading the ownership record", () => {
  // Enough entries to cross several 64 KiB reads, with a path JSON escapes and paths outside ASCII.
  const files: Record<string, string> = {};
  for (let i = 0; i < 3000; i++)
    files[`k8s/helm/manifests/svc-${String(i).padStart(5, "0")}/ünï-${i}.yaml`] = hash(`${i}`);
  files['k8s/"quoted".yaml'] = hash("q");
  const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

  it("reads its own layout back entry for entry, and hashes the file's bytes", () => {
    const text = canonical(sorted);
    expect(text.length).toBeGreaterThan(3 * 64 * 1024);
    const root = withRecord(text);
    expect(readOwnership(root).files).toEqual(sorted);
    const state = readOwnershipState(root);
    expect(state.recordHash).toBe(hash(text));
    expect([...state.owned.keys()].length).toBe(Object.keys(sorted).length);
    expect(state.owned.get('k8s/"quoted".yaml')).toBe(hash("q"));
    expect(state.owned.has("k8s/missing.yaml")).toBe(false);
    expect([...state.owned.keys()]).toEqual(Object.keys(sorted));
  });

  it("reads the empty record and a record laid out another way (edited by hand) the same", () => {
    expect(readOwnership(withRecord(canonical({}))).files).toEqual({});
    const small = { "k8s/b.yaml": hash("b"), "k8s/a.yaml": hash("a") };
    expect(readOwnership(withRecord(JSON.stringify({ version: 1, files: small }))).files).toEqual(small);
    expect(readOwnership(withRecord(`${canonical(small)}\n\n`)).files).toEqual(small);
  });

  it("refuses a record that is not one, whatever its layout", () => {
    const bad = [
      "not json",
      canonical({ "a.yaml": "nothex" }),
      canonical({ "../escape.yaml": hash("x") }),
      JSON.stringify({ version: 2, files: {} }),
      canonical({ "a.yaml": hash("a") }).replace('"a.yaml": ', '"a.yaml" '),
    ];
    for (const text of bad)
      expect(
        codesOf(() => readOwnership(withRecord(text))),
        text,
      ).toEqual(["SW_WRITE_OWNERSHIP_CORRUPT"]);
  });
});
