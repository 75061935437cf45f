import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ConflictError,
  InputError,
  type OutputFile,
  OWNERSHIP_FILE,
  readOwnership,
  writeTree,
} from "../../src/index.js";
import { codesOf, out, owned, put, read, snapshot, tempDir, written } from "./helpers.js";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

const base = {
  "argocd/applications/a.yaml": "kind: Application\nname: a\n",
  "k8s/helm/values/a.yaml": "replicas: 1\n",
  "k8s/helm/manifests/a/deployment-a.yaml": "kind: Deployment\n",
};

describe("writeTree: first write and the ownership record", () => {
  it("writes every file and records path → sha256, sorted, nothing else", () => {
    const root = tempDir();
    const r = writeTree(root, out(base));
    expect(r.changes.map((c) => [c.path, c.kind])).toEqual([
      ["argocd/applications/a.yaml", "added"],
      ["k8s/helm/manifests/a/deployment-a.yaml", "added"],
      ["k8s/helm/values/a.yaml", "added"],
    ]);
    expect(r).toMatchObject({ written: 3, deleted: 0, unchanged: 0, files: 3 });
    for (const [p, c] of Object.entries(base)) expect(read(root, p)).toBe(c);
    const record = read(root, OWNERSHIP_FILE);
    const expected = Object.fromEntries(
      Object.entries(base)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([p, c]) => [p, sha(c)]),
    );
    expect(record).toBe(`${JSON.stringify({ version: 1, files: expected }, null, 2)}\n`);
    expect(Object.keys(owned(root))).toEqual(Object.keys(expected));
    expect(readOwnership(root).files).toEqual(expected);
    // No staging or pending record left behind.
    expect(readdirSync(join(root, ".slipway"))).toEqual(["owned.json"]);
  });

  it("creates a missing output root", () => {
    const root = join(tempDir(), "deep/out");
    writeTree(root, out(base));
    expect(read(root, "k8s/helm/values/a.yaml")).toBe("replicas: 1\n");
  });

  it("refuses an output root that is a file", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "f"), "x");
    expect(() => writeTree(join(dir, "f"), out(base))).toThrow(InputError);
    expect(codesOf(() => writeTree(join(dir, "f"), out(base)))).toEqual(["SW_WRITE_NOT_A_DIR"]);
  });

  it("touches nothing, not even the record, when nothing changed", () => {
    const root = written(base);
    const old = new Date("2020-01-01T00:00:00Z");
    utimesSync(join(root, OWNERSHIP_FILE), old, old);
    utimesSync(join(root, "k8s/helm/values/a.yaml"), old, old);
    const before = snapshot(root);
    const r = writeTree(root, out(base));
    expect(r).toMatchObject({ changes: [], written: 0, deleted: 0, unchanged: 3, files: 3 });
    expect(snapshot(root)).toEqual(before);
    expect(statSync(join(root, OWNERSHIP_FILE)).mtime.getTime()).toBe(old.getTime());
    expect(statSync(join(root, "k8s/helm/values/a.yaml")).mtime.getTime()).toBe(old.getTime());
  });

  it("listChanges: false counts what a listed run lists, and writes the same tree", () => {
    const listed = tempDir();
    const counted = tempDir();
    writeTree(listed, out(base));
    writeTree(counted, out(base));
    const next = { ...base, "k8s/helm/values/b.yaml": "b: 1\n", "k8s/helm/values/a.yaml": "a: 2\n" };
    delete (next as Record<string, string>)["argocd/applications/a.yaml"];
    const a = writeTree(listed, out(next));
    const b = writeTree(counted, out(next), { listChanges: false });
    const tally = (kind: string) => a.changes.filter((c) => c.kind === kind).length;
    expect(a.counts).toEqual({ added: tally("added"), changed: tally("changed"), deleted: tally("deleted") });
    expect(a.counts).toEqual({ added: 1, changed: 1, deleted: 1 });
    expect(b).toMatchObject({ changes: [], counts: a.counts, written: a.written, deleted: a.deleted });
    expect(snapshot(counted)).toEqual(snapshot(listed));
  });

  it("recordChanged: a dry run tells when only the ownership record would change", () => {
    const root = written(base);
    expect(writeTree(root, out(base), { dryRun: true }).recordChanged).toBe(false);
    rmSync(join(root, OWNERSHIP_FILE));
    const r = writeTree(root, out(base), { dryRun: true });
    expect(r).toMatchObject({ changes: [], unchanged: 3, recordChanged: true });
  });

  it("replaces an owned, unedited file with new content", () => {
    const root = written(base);
    const r = writeTree(root, out({ ...base, "k8s/helm/values/a.yaml": "replicas: 2\n" }));
    expect(r.changes).toEqual([{ path: "k8s/helm/values/a.yaml", kind: "changed" }]);
    expect(read(root, "k8s/helm/values/a.yaml")).toBe("replicas: 2\n");
    expect(owned(root)["k8s/helm/values/a.yaml"]).toBe(sha("replicas: 2\n"));
  });
});

describe("writeTree: conflicts", () => {
  it("SW_WRITE_UNOWNED: a file slipway did not write is in the way; nothing changes", () => {
    const root = tempDir();
    put(root, { "k8s/helm/values/a.yaml": "mine\n" });
    const before = snapshot(root);
    expect(() => writeTree(root, out(base))).toThrow(ConflictError);
    expect(codesOf(() => writeTree(root, out(base)))).toEqual(["SW_WRITE_UNOWNED"]);
    expect(snapshot(root)).toEqual(before);
  });

  it("--force overwrites an unowned file and owns it from then on", () => {
    const root = tempDir();
    put(root, { "k8s/helm/values/a.yaml": "mine\n" });
    writeTree(root, out(base), { force: true });
    expect(read(root, "k8s/helm/values/a.yaml")).toBe(base["k8s/helm/values/a.yaml"]);
    expect(owned(root)["k8s/helm/values/a.yaml"]).toBe(sha(base["k8s/helm/values/a.yaml"]));
  });

  it("adopts an unowned file whose content is identical, without rewriting it", () => {
    const root = tempDir();
    put(root, { "k8s/helm/values/a.yaml": base["k8s/helm/values/a.yaml"] });
    const r = writeTree(root, out(base));
    expect(r.unchanged).toBe(1);
    expect(r.changes.map((c) => c.kind)).toEqual(["added", "added"]);
    expect(Object.keys(owned(root))).toContain("k8s/helm/values/a.yaml");
  });

  it("SW_WRITE_EDITED: an owned file a person edited is not overwritten; --force does", () => {
    const root = written(base);
    put(root, { "k8s/helm/values/a.yaml": "replicas: 1\n# tuned by hand\n" });
    const before = snapshot(root);
    const next = out({ ...base, "k8s/helm/values/a.yaml": "replicas: 3\n" });
    expect(codesOf(() => writeTree(root, next))).toEqual(["SW_WRITE_EDITED"]);
    expect(snapshot(root)).toEqual(before);
    writeTree(root, next, { force: true });
    expect(read(root, "k8s/helm/values/a.yaml")).toBe("replicas: 3\n");
  });

  it("an edit that matches what slipway now renders is not a conflict", () => {
    const root = written(base);
    put(root, { "k8s/helm/values/a.yaml": "replicas: 3\n" });
    const r = writeTree(root, out({ ...base, "k8s/helm/values/a.yaml": "replicas: 3\n" }));
    expect(r.changes).toEqual([]);
    expect(owned(root)["k8s/helm/values/a.yaml"]).toBe(sha("replicas: 3\n"));
  });

  it("SW_WRITE_EDITED for a stale owned file that was edited; --force deletes it", () => {
    const root = written(base);
    put(root, { "k8s/helm/manifests/a/deployment-a.yaml": "kind: Deployment\n# mine\n" });
    const { "k8s/helm/manifests/a/deployment-a.yaml": _gone, ...rest } = base;
    const before = snapshot(root);
    expect(codesOf(() => writeTree(root, out(rest)))).toEqual(["SW_WRITE_EDITED"]);
    expect(snapshot(root)).toEqual(before);
    const r = writeTree(root, out(rest), { force: true });
    expect(r.changes).toEqual([{ path: "k8s/helm/manifests/a/deployment-a.yaml", kind: "deleted" }]);
    expect(existsSync(join(root, "k8s/helm/manifests"))).toBe(false);
  });

  it("lists every conflict together and writes none of the other changes", () => {
    const root = written(base);
    put(root, {
      "k8s/helm/values/a.yaml": "edited\n", // owned, edited
      "argocd/applications/b.yaml": "someone else's\n", // unowned, in the way
      "k8s/helm/manifests/a/deployment-a.yaml": "edited too\n", // owned, stale, edited
    });
    const before = snapshot(root);
    const next = out({
      "argocd/applications/a.yaml": "kind: Application\nname: a\nv: 2\n", // a clean change
      "argocd/applications/b.yaml": "kind: Application\nname: b\n",
      "k8s/helm/values/a.yaml": "replicas: 2\n",
      "k8s/helm/values/new.yaml": "new: true\n", // a clean add
    });
    let error: unknown;
    try {
      writeTree(root, next);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConflictError);
    const ds = (error as ConflictError).diagnostics;
    expect(ds.map((d) => [d.code, d.location?.file.endsWith(d.message.split(" ")[0] ?? "?")])).toEqual([
      ["SW_WRITE_UNOWNED", true],
      ["SW_WRITE_EDITED", true],
      ["SW_WRITE_EDITED", true],
    ]);
    expect(ds.map((d) => d.message.split(" ")[0])).toEqual([
      "argocd/applications/b.yaml",
      "k8s/helm/manifests/a/deployment-a.yaml",
      "k8s/helm/values/a.yaml",
    ]);
    expect(ds.every((d) => d.hint !== undefined)).toBe(true);
    expect(snapshot(root)).toEqual(before);
  });

  it("with dryRun and conflicts: 'return', reports conflicts beside the changes", () => {
    const root = written(base);
    put(root, { "k8s/helm/values/a.yaml": "edited\n" });
    const before = snapshot(root);
    const r = writeTree(
      root,
      out({ ...base, "k8s/helm/values/a.yaml": "replicas: 2\n", "k8s/x.yaml": "x\n" }),
      {
        dryRun: true,
        conflicts: "return",
      },
    );
    expect(r.conflicts.map((d) => d.code)).toEqual(["SW_WRITE_EDITED"]);
    expect(r.changes).toEqual([{ path: "k8s/x.yaml", kind: "added" }]);
    expect(snapshot(root)).toEqual(before);
  });
});

describe("writeTree: deletes and pruning", () => {
  it("deletes owned files no longer rendered and prunes the directories it emptied", () => {
    const root = written(base);
    const r = writeTree(root, out({ "argocd/applications/a.yaml": base["argocd/applications/a.yaml"] }));
    expect(r.changes.map((c) => [c.path, c.kind])).toEqual([
      ["k8s/helm/manifests/a/deployment-a.yaml", "deleted"],
      ["k8s/helm/values/a.yaml", "deleted"],
    ]);
    expect(r.deleted).toBe(2);
    expect(existsSync(join(root, "k8s"))).toBe(false);
    expect(Object.keys(owned(root))).toEqual(["argocd/applications/a.yaml"]);
  });

  it("never prunes a directory that holds a file slipway does not own", () => {
    const root = written(base);
    put(root, { "k8s/helm/manifests/a/README.md": "notes\n" });
    writeTree(root, out({ "argocd/applications/a.yaml": base["argocd/applications/a.yaml"] }));
    expect(read(root, "k8s/helm/manifests/a/README.md")).toBe("notes\n");
    expect(existsSync(join(root, "k8s/helm/values"))).toBe(false);
    expect(existsSync(join(root, "k8s/helm/manifests/a/deployment-a.yaml"))).toBe(false);
  });

  it("leaves an empty directory alone unless a deletion emptied it", () => {
    const root = written(base);
    mkdirSync(join(root, "k8s/helm/empty-by-hand"), { recursive: true });
    writeTree(root, out({ ...base, "k8s/helm/values/a.yaml": "replicas: 9\n" }));
    expect(existsSync(join(root, "k8s/helm/empty-by-hand"))).toBe(true);
  });

  it("an owned file deleted by hand is forgotten if stale, recreated if rendered", () => {
    const root = written(base);
    rmSync(join(root, "k8s/helm/values/a.yaml"));
    rmSync(join(root, "argocd/applications/a.yaml"));
    const { "argocd/applications/a.yaml": _stale, ...rest } = base;
    const r = writeTree(root, out(rest));
    expect(r.changes).toEqual([{ path: "k8s/helm/values/a.yaml", kind: "added" }]);
    expect(Object.keys(owned(root))).not.toContain("argocd/applications/a.yaml");
  });

  it("a new subtree lands even when deleting stale files pruned its parent", () => {
    const root = tempDir();
    writeTree(root, out({ "k8s/a/old.yaml": "old\n" }));
    const r = writeTree(root, out({ "k8s/a/b/c/new.yaml": "new\n", "k8s/a/b/d.yaml": "d\n" }));
    expect(r).toMatchObject({ written: 2, deleted: 1 });
    expect(snapshot(root)).toMatchObject({
      "k8s/a/b/c/new.yaml": expect.any(String),
      "k8s/a/b/d.yaml": expect.any(String),
    });
    expect(existsSync(join(root, "k8s/a/old.yaml"))).toBe(false);
  });

  it("a stale owned file may become a directory in the same run", () => {
    const root = tempDir();
    writeTree(root, out({ "k8s/x": "was a file\n" }));
    writeTree(root, out({ "k8s/x/y.yaml": "now a dir\n" }));
    expect(read(root, "k8s/x/y.yaml")).toBe("now a dir\n");
  });
});

describe("writeTree: paths and symlinks", () => {
  it("SW_WRITE_SYMLINK: never writes through a symlinked directory, even with force", () => {
    const root = written(base);
    const outside = tempDir("slipway-outside-");
    put(outside, { "deployment-b.yaml": "outside\n" });
    symlinkSync(outside, join(root, "k8s/helm/manifests/b"));
    const outsideBefore = snapshot(outside);
    const before = snapshot(root);
    const next = out({ ...base, "k8s/helm/manifests/b/deployment-b.yaml": "kind: Deployment\n" });
    expect(codesOf(() => writeTree(root, next))).toEqual(["SW_WRITE_SYMLINK"]);
    expect(codesOf(() => writeTree(root, next, { force: true }))).toEqual(["SW_WRITE_SYMLINK"]);
    expect(snapshot(outside)).toEqual(outsideBefore);
    expect(snapshot(root)).toEqual(before);
  });

  it("reports a symlinked directory once, however many files go through it", () => {
    const root = tempDir();
    symlinkSync(tempDir("slipway-outside-"), join(root, "k8s"));
    const next = out({ "k8s/a.yaml": "a\n", "k8s/b/c.yaml": "c\n", "argocd/ok.yaml": "ok\n" });
    expect(codesOf(() => writeTree(root, next))).toEqual(["SW_WRITE_SYMLINK"]);
  });

  it("SW_WRITE_SYMLINK: a symlink where a file goes is not replaced or followed", () => {
    const root = written(base);
    const outside = tempDir("slipway-outside-");
    put(outside, { "target.yaml": "outside\n" });
    symlinkSync(join(outside, "target.yaml"), join(root, "argocd/applications/b.yaml"));
    const next = out({ ...base, "argocd/applications/b.yaml": "b\n" });
    expect(codesOf(() => writeTree(root, next, { force: true }))).toEqual(["SW_WRITE_SYMLINK"]);
    expect(read(outside, "target.yaml")).toBe("outside\n");
  });

  it("SW_WRITE_SYMLINK: never deletes a stale owned file through a symlinked directory", () => {
    const root = written(base);
    const outside = tempDir("slipway-outside-");
    // Same name and content as the owned file: deleting through the link would delete this.
    put(outside, { "deployment-a.yaml": base["k8s/helm/manifests/a/deployment-a.yaml"] });
    rmSync(join(root, "k8s/helm/manifests/a"), { recursive: true });
    symlinkSync(outside, join(root, "k8s/helm/manifests/a"));
    const { "k8s/helm/manifests/a/deployment-a.yaml": _stale, ...rest } = base;
    expect(codesOf(() => writeTree(root, out(rest), { force: true }))).toEqual(["SW_WRITE_SYMLINK"]);
    expect(read(outside, "deployment-a.yaml")).toBe(base["k8s/helm/manifests/a/deployment-a.yaml"]);
  });

  it("refuses a symlinked .slipway directory", () => {
    const root = tempDir();
    const outside = tempDir("slipway-outside-");
    symlinkSync(outside, join(root, ".slipway"));
    expect(codesOf(() => writeTree(root, out(base)))).toEqual(["SW_WRITE_SYMLINK"]);
    expect(snapshot(outside)).toEqual({});
  });

  it("accepts an output root that is itself a symlink (the user named it)", () => {
    const real = tempDir();
    const link = join(tempDir(), "link");
    symlinkSync(real, link);
    writeTree(link, out(base));
    expect(read(real, "k8s/helm/values/a.yaml")).toBe(base["k8s/helm/values/a.yaml"]);
  });

  it.each([
    "../escape.yaml",
    "/etc/passwd",
    "a/../../b.yaml",
    "a//b.yaml",
    "./a.yaml",
    "a\\b.yaml",
    "",
    ".slipway/owned.json",
    ".slipway",
  ])("SW_WRITE_UNSAFE_PATH for %j, tree untouched", (path) => {
    const root = written(base);
    const before = snapshot(root);
    const next = [...out(base), { path, content: "x", owner: "test" }];
    expect(codesOf(() => writeTree(root, next))).toEqual(["SW_WRITE_UNSAFE_PATH"]);
    expect(snapshot(root)).toEqual(before);
  });

  it("SW_WRITE_DUPLICATE_PATH when the same path comes twice", () => {
    const root = tempDir();
    const next = [...out(base), { path: "k8s/helm/values/a.yaml", content: "again", owner: "second" }];
    expect(codesOf(() => writeTree(root, next))).toEqual(["SW_WRITE_DUPLICATE_PATH"]);
    // Both writers are named: the bug is in one of two components.
    expect(() => writeTree(root, next)).toThrow(/rendered by both \S+ and second/);
    expect(snapshot(root)).toEqual({});
  });

  it("names the right first writer of a repeated path whatever the number of writers", () => {
    const many = 70_000; // more than a 16-bit writer index held
    function* files(): Generator<OutputFile> {
      for (let i = 0; i < many; i++) yield { path: `k8s/m/${i}.yaml`, content: "x", owner: `c${i}` };
      yield { path: `k8s/m/${many - 1}.yaml`, content: "y", owner: "second" };
    }
    expect(() => writeTree(tempDir(), files(), { dryRun: true })).toThrow(
      `k8s/m/${many - 1}.yaml is rendered by both c${many - 1} and second`,
    );
  });

  it.each([[["k8s/x", "k8s/x/y.yaml"]], [["k8s/x/y.yaml", "k8s/x"]]])(
    "SW_WRITE_DUPLICATE_PATH for a path rendered as file and directory (%j)",
    (paths) => {
      const root = tempDir();
      const next = paths.map((path) => ({ path, content: "x\n", owner: "test" }));
      expect(codesOf(() => writeTree(root, next))).toEqual(["SW_WRITE_DUPLICATE_PATH"]);
      expect(snapshot(root)).toEqual({});
    },
  );

  it("SW_WRITE_NOT_A_FILE: a directory where a file goes, even with force", () => {
    const root = tempDir();
    put(root, { "k8s/helm/values/a.yaml/inner": "x\n" });
    expect(codesOf(() => writeTree(root, out(base), { force: true }))).toEqual(["SW_WRITE_NOT_A_FILE"]);
  });

  it("SW_WRITE_NOT_A_DIR: an unowned file where a directory goes", () => {
    const root = tempDir();
    put(root, { "k8s/helm/manifests": "a file\n" });
    const before = snapshot(root);
    expect(codesOf(() => writeTree(root, out(base), { force: true }))).toEqual(["SW_WRITE_NOT_A_DIR"]);
    expect(snapshot(root)).toEqual(before);
  });
});

describe("writeTree: atomicity and streaming", () => {
  function* failingAfter(files: OutputFile[], n: number): Generator<OutputFile> {
    let i = 0;
    for (const f of files) {
      if (i++ === n) throw new Error("render failed mid-stream");
      yield f;
    }
  }

  it("a render error mid-stream leaves an existing tree byte-for-byte untouched", () => {
    const root = written(base);
    put(root, { "notes.md": "mine\n" });
    const before = snapshot(root);
    const next = out({
      "argocd/applications/a.yaml": "changed\n",
      "k8s/helm/values/a.yaml": "changed\n",
      "k8s/new/file.yaml": "new\n",
      "k8s/helm/manifests/a/deployment-a.yaml": "changed\n",
    });
    expect(() => writeTree(root, failingAfter(next, 3))).toThrow("render failed mid-stream");
    expect(snapshot(root)).toEqual(before);
  });

  it("a render error mid-stream into a missing root creates nothing", () => {
    const parent = tempDir();
    const root = join(parent, "out");
    expect(() => writeTree(root, failingAfter(out(base), 2))).toThrow("render failed mid-stream");
    expect(snapshot(parent)).toEqual({});
  });

  it("a render error into an existing root without .slipway leaves no .slipway behind", () => {
    const root = tempDir();
    put(root, { "platform.yaml": "kind: Platform\n" });
    const before = snapshot(root);
    expect(() => writeTree(root, failingAfter(out(base), 2))).toThrow("render failed mid-stream");
    expect(snapshot(root)).toEqual(before);
  });

  it("stages each file as it arrives instead of holding the content", () => {
    const root = tempDir();
    mkdirSync(join(root, "k8s/old"), { recursive: true });
    const seen: number[] = [];
    function* files(): Generator<OutputFile> {
      for (let i = 0; i < 5; i++) {
        const staging = existsSync(join(root, ".slipway"))
          ? readdirSync(join(root, ".slipway")).filter((d) => d.startsWith("staging-"))
          : [];
        const dir = staging[0];
        const files = dir ? Object.values(snapshot(join(root, ".slipway", dir))) : [];
        seen.push(files.filter((kind) => kind.startsWith("file:")).length);
        // Alternate between a new directory (staged as a subtree) and an existing one (staged flat).
        yield {
          path: i % 2 === 0 ? `k8s/new/${i}.yaml` : `k8s/old/${i}.yaml`,
          content: `i: ${i}\n`,
          owner: "test",
        };
      }
    }
    writeTree(root, files());
    // Before file i arrives, the i files before it are already on disk in the staging area.
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(read(root, "k8s/new/4.yaml")).toBe("i: 4\n");
    expect(read(root, "k8s/old/3.yaml")).toBe("i: 3\n");
    expect(readdirSync(join(root, ".slipway"))).toEqual(["owned.json"]);
  });

  it("dry run computes changes with old and new content and touches nothing", () => {
    const root = written(base);
    const before = snapshot(root);
    const { "k8s/helm/manifests/a/deployment-a.yaml": _stale, ...rest } = base;
    const r = writeTree(
      root,
      out({ ...rest, "k8s/helm/values/a.yaml": "replicas: 2\n", "k8s/n.yaml": "n\n" }),
      {
        dryRun: true,
        diff: true,
      },
    );
    expect(r.changes).toEqual([
      { path: "k8s/helm/manifests/a/deployment-a.yaml", kind: "deleted", before: "kind: Deployment\n" },
      { path: "k8s/helm/values/a.yaml", kind: "changed", before: "replicas: 1\n", after: "replicas: 2\n" },
      { path: "k8s/n.yaml", kind: "added", after: "n\n" },
    ]);
    expect(r).toMatchObject({ written: 0, deleted: 0, unchanged: 1 });
    expect(snapshot(root)).toEqual(before);
  });

  it("dry run into a missing root creates nothing", () => {
    const parent = tempDir();
    const r = writeTree(join(parent, "out"), out(base), { dryRun: true });
    expect(r.changes).toHaveLength(3);
    expect(snapshot(parent)).toEqual({});
  });
});

describe("writeTree: the ownership record", () => {
  it.each([
    ["not JSON", "{ nope"],
    ["wrong version", JSON.stringify({ version: 2, files: {} })],
    ["files not an object", JSON.stringify({ version: 1, files: [] })],
    ["bad hash", JSON.stringify({ version: 1, files: { "a.yaml": "xyz" } })],
    ["path escaping the root", JSON.stringify({ version: 1, files: { "../a.yaml": "0".repeat(64) } })],
  ])("a corrupt record (%s) is SW_WRITE_OWNERSHIP_CORRUPT with a hint, tree untouched", (_name, text) => {
    const root = written(base);
    writeFileSync(join(root, OWNERSHIP_FILE), text);
    const before = snapshot(root);
    let error: unknown;
    try {
      writeTree(root, out(base));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    const d = (error as InputError).diagnostics[0];
    expect(d?.code).toBe("SW_WRITE_OWNERSHIP_CORRUPT");
    expect(d?.hint).toBeTruthy();
    expect(d?.location?.file.endsWith(OWNERSHIP_FILE)).toBe(true);
    expect(snapshot(root)).toEqual(before);
  });

  it("recovers from a run killed between renames: files matching either record count as slipway's", () => {
    // State after a crash: the pending record (v2) is on disk, one file was renamed (v2), one not (v1),
    // and the committed record still says v1.
    const root = tempDir();
    const v1 = { "k8s/a.yaml": "a: 1\n", "k8s/b.yaml": "b: 1\n", "k8s/gone.yaml": "g\n" };
    const v2 = { "k8s/a.yaml": "a: 2\n", "k8s/b.yaml": "b: 2\n" };
    writeTree(root, out(v1));
    put(root, {
      "k8s/a.yaml": v2["k8s/a.yaml"],
      ".slipway/owned.next.json": `${JSON.stringify({ version: 1, files: { "k8s/a.yaml": sha(v2["k8s/a.yaml"]), "k8s/b.yaml": sha(v2["k8s/b.yaml"]) } }, null, 2)}\n`,
    });
    // The next run renders v3: no file may count as edited.
    const r = writeTree(root, out({ "k8s/a.yaml": "a: 3\n", "k8s/b.yaml": "b: 3\n" }));
    expect(r.changes.map((c) => [c.path, c.kind])).toEqual([
      ["k8s/a.yaml", "changed"],
      ["k8s/b.yaml", "changed"],
      ["k8s/gone.yaml", "deleted"],
    ]);
    expect(existsSync(join(root, ".slipway/owned.next.json"))).toBe(false);
    expect(Object.keys(owned(root))).toEqual(["k8s/a.yaml", "k8s/b.yaml"]);
  });

  it("ignores a pending record cut short (no file was touched after it)", () => {
    const root = written(base);
    put(root, { ".slipway/owned.next.json": '{"version":1,"fi' });
    const r = writeTree(root, out({ ...base, "k8s/helm/values/a.yaml": "replicas: 2\n" }));
    expect(r.changes).toEqual([{ path: "k8s/helm/values/a.yaml", kind: "changed" }]);
    expect(existsSync(join(root, ".slipway/owned.next.json"))).toBe(false);
  });
});
