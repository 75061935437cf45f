import { parsePatch } from "diff";
import { describe, expect, it } from "vitest";
import { formatUnifiedDiff } from "../../src/index.js";

describe("formatUnifiedDiff", () => {
  it("a changed file: git-style headers and hunks that parse back", () => {
    const text = formatUnifiedDiff({
      path: "k8s/helm/values/a.yaml",
      kind: "changed",
      before: "a: 1\nb: 2\nc: 3\n",
      after: "a: 1\nb: 20\nc: 3\n",
    });
    const lines = text.split("\n");
    expect(lines.slice(0, 2)).toEqual(["--- a/k8s/helm/values/a.yaml", "+++ b/k8s/helm/values/a.yaml"]);
    expect(lines).toContain("-b: 2");
    expect(lines).toContain("+b: 20");
    const [patch] = parsePatch(text);
    expect(patch?.hunks).toHaveLength(1);
    expect(patch?.hunks[0]).toMatchObject({ oldStart: 1, oldLines: 3, newStart: 1, newLines: 3 });
  });

  it("an added file diffs from /dev/null, a deleted one to /dev/null", () => {
    const added = formatUnifiedDiff({ path: "n.yaml", kind: "added", after: "x: 1\n" }).split("\n");
    expect(added.slice(0, 3)).toEqual(["--- /dev/null", "+++ b/n.yaml", "@@ -0,0 +1,1 @@"]);
    const deleted = formatUnifiedDiff({ path: "o.yaml", kind: "deleted", before: "x: 1\n" }).split("\n");
    expect(deleted.slice(0, 3)).toEqual(["--- a/o.yaml", "+++ /dev/null", "@@ -1,1 +0,0 @@"]);
  });

  it("nothing for a change without a textual difference", () => {
    expect(formatUnifiedDiff({ path: "a", kind: "changed" })).toBe("");
  });
});
