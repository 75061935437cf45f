import { createHash } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConflictError, writeTree } from "../../src/index.js";
import { codesOf, out, owned, put, snapshot, tempDir } from "./helpers.js";

/**
 * The contract as a property: whatever slipway wrote before, whatever a person then created,
 * edited or deleted, and whatever is rendered next, a run without --force either throws a
 * ConflictError and leaves the tree byte-for-byte as it was, or succeeds having overwritten or
 * deleted only files it wrote and nobody edited since.
 */
// Under a rendered root: the write step refuses any other output path.
const PATHS = [
  "k8s/a.yaml",
  "k8s/d/b.yaml",
  "k8s/d/e/c.yaml",
  "k8s/f.yaml",
  "k8s/d/e/g.yaml",
  "k8s/d/e",
  "k8s/d/b.yaml/h",
] as const;
const content = fc.constantFrom("one\n", "two\n", "three\n");
const tree = fc.dictionary(fc.constantFrom(...PATHS), content);
const edit = fc.dictionary(fc.constantFrom(...PATHS), fc.option(content, { nil: null }));
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

describe("the write contract (property)", () => {
  it("never overwrites or deletes what it did not write or what was edited", () => {
    fc.assert(
      fc.property(tree, edit, tree, (first, edits, second) => {
        const root = tempDir();
        try {
          writeTree(root, out(first));
        } catch (e) {
          // A render with a path both a file and a directory is refused, and nothing is written.
          expect(
            codesOf(() => {
              throw e;
            }),
          ).toEqual(["SW_WRITE_DUPLICATE_PATH"]);
          expect(snapshot(root)).toEqual({});
          return;
        }
        for (const [p, c] of Object.entries(edits)) {
          try {
            if (c === null) rmSync(join(root, p), { force: true });
            else put(root, { [p]: c });
          } catch {
            // A person cannot put a file where a directory is (or inside a file) either.
          }
        }
        const record = owned(root);
        const before = snapshot(root);
        const onDisk = (p: string) => {
          try {
            return readFileSync(join(root, p), "utf8");
          } catch {
            return undefined; // missing, or a directory
          }
        };
        const was = Object.fromEntries(PATHS.map((p) => [p, onDisk(p)]));
        try {
          writeTree(root, out(second));
        } catch (e) {
          if (!(e instanceof ConflictError))
            expect(
              codesOf(() => {
                throw e;
              }),
            ).toEqual(["SW_WRITE_DUPLICATE_PATH"]);
          expect(snapshot(root)).toEqual(before);
          return;
        }
        for (const p of PATHS) {
          const old = was[p];
          const now = onDisk(p);
          const mayTouch = old === undefined || record[p] === sha(old);
          if (p in second) {
            expect(now).toBe(second[p]);
            if (old !== now) expect(mayTouch).toBe(true);
          } else if (now !== old) {
            expect(now).toBeUndefined();
            expect(mayTouch).toBe(true);
          }
        }
        expect(owned(root)).toEqual(Object.fromEntries(Object.entries(second).map(([p, c]) => [p, sha(c)])));
        rmSync(root, { recursive: true, force: true });
      }),
      { numRuns: 1000 },
    );
  });
});
