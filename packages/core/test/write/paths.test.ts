import { describe, expect, it } from "vitest";
import { PathSet } from "../../src/write/paths.js";

const paths = (n: number) =>
  Array.from({ length: n }, (_, i) => `k8s/helm/manifests/svc-${String(i).padStart(5, "0")}/deployment.yaml`);

describe("PathSet", () => {
  it("gives each path one index in the order added and finds it again", () => {
    const set = new PathSet();
    expect(set.add("b.yaml")).toEqual({ index: 0, added: true });
    expect(set.add("a/b.yaml")).toEqual({ index: 1, added: true });
    expect(set.add("b.yaml")).toEqual({ index: 0, added: false });
    expect(set.size).toBe(2);
    expect(set.indexOf("a/b.yaml")).toBe(1);
    expect(set.indexOf("a/b.yam")).toBe(-1);
    expect(set.has("a")).toBe(false);
    expect(set.path(1)).toBe("a/b.yaml");
  });

  it("keeps every path exact through growth of its buffer and index (20,000 paths)", () => {
    const set = new PathSet();
    const all = paths(20_000);
    all.forEach((p, i) => {
      expect(set.add(p).index).toBe(i);
    });
    expect(set.size).toBe(all.length);
    for (const [i, p] of all.entries()) {
      if (set.indexOf(p) !== i || set.path(i) !== p) throw new Error(`lost ${p}`);
      if (set.add(p).added) throw new Error(`${p} added twice`);
    }
    expect(set.size).toBe(all.length);
    // Prefixes and extensions of stored paths are other paths.
    expect(set.has("k8s/helm/manifests/svc-00001")).toBe(false);
    expect(set.has(`${all[3]}x`)).toBe(false);
  });

  it("does not mistake the empty path or a path looked up but never added for a member", () => {
    const set = new PathSet();
    expect(set.indexOf("")).toBe(-1);
    set.add("x");
    expect(set.has("y")).toBe(false);
    expect(set.add("y")).toEqual({ index: 1, added: true });
    expect(set.path(0)).toBe("x");
    expect(set.path(1)).toBe("y");
  });

  it("stores paths outside ASCII as they were given", () => {
    const set = new PathSet();
    const odd = ["docs/ünïcode.yaml", "docs/日本.yaml", "docs/emoji-🚀.yaml", 'a/"q".yaml'];
    for (const p of odd) set.add(p);
    expect(odd.map((_, i) => set.path(i))).toEqual(odd);
    for (const p of odd) expect(set.add(p).added).toBe(false);
  });

  it("sorts like JavaScript's string order for the ASCII paths Slipway renders", () => {
    const set = new PathSet();
    const shuffled = [
      ...paths(3000),
      "argocd/root.yaml",
      "argocd/applications/a.yaml",
      "Z.yaml",
      "a-b",
      "a.b",
      "a/b",
    ];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j] as string, shuffled[i] as string];
    }
    for (const p of shuffled) set.add(p);
    expect(set.sorted().map((i) => set.path(i))).toEqual([...shuffled].sort());
  });
});

describe("PathSet storage", () => {
  it("keeps a path longer than its storage chunk, and the paths around it", () => {
    const set = new PathSet();
    const long = `k8s/${"x".repeat(300_000)}.yaml`;
    set.add("before.yaml");
    expect(set.add(long)).toEqual({ index: 1, added: true });
    set.add("after.yaml");
    expect(set.path(1)).toBe(long);
    expect(set.indexOf(long)).toBe(1);
    expect(set.add(long).added).toBe(false);
    expect([set.path(0), set.path(2)]).toEqual(["before.yaml", "after.yaml"]);
    expect(set.sorted().map((i) => set.path(i))).toEqual(["after.yaml", "before.yaml", long]);
  });
});
