import { existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parsePatch } from "diff";
import { describe, expect, it } from "vitest";
import { put, snapshot, tempDir } from "../../core/test/write/helpers.js";
import { HELLO, service, slipway, writeTinyPlatform } from "./_slipway.js";

/** A tiny platform repository in a temp dir, optionally synthesized once. */
function platform(opts: { synth?: boolean } = {}): string {
  const root = tempDir("slipway-cli-");
  writeTinyPlatform(root);
  if (opts.synth) expect(slipway(["synth"], { cwd: root }).code).toBe(0);
  return root;
}

const owned = (root: string) =>
  Object.keys(
    (JSON.parse(readFileSync(join(root, ".slipway/owned.json"), "utf8")) as { files: object }).files,
  );

/** Rendered files on disk: everything but the user's inputs and slipway's own directory. */
const renderedOnDisk = (root: string) =>
  Object.entries(snapshot(root))
    .filter(([p, kind]) => kind.startsWith("file:") && !/^(platform\.yaml|services\/|\.slipway\/)/.test(p))
    .map(([p]) => p);

const summaryOf = (stdout: string) => {
  const m = /(\d+) added, (\d+) changed, (\d+) deleted, (\d+) unchanged \((\d+) ms\)/.exec(stdout);
  expect(m, stdout).not.toBeNull();
  const [added, changed, deleted, unchanged] = (m as RegExpExecArray).slice(1, 5).map(Number);
  return { added, changed, deleted, unchanged };
};

describe("slipway synth", () => {
  it("renders the tree, prints Applications in sync-wave order and the change summary", () => {
    const root = platform();
    const r = slipway(["synth"], { cwd: root });
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]?.split(/\s+/)).toEqual(["WAVE", "APPLICATION", "PROJECT", "COMPONENT", "FILES"]);
    const rows = lines.slice(1, lines.indexOf("")).map((l) => l.trim().split(/\s+/));
    expect(rows.length).toBeGreaterThan(0);
    const waves = rows.map((r) => Number(r[0]));
    expect(waves).toEqual([...waves].sort((a, b) => a - b));
    for (const row of rows) {
      expect(row).toHaveLength(5);
      expect(["platform", "workloads"]).toContain(row[2]);
      expect(Number(row[4])).toBeGreaterThan(0);
    }
    expect(rows.find((row) => row[1] === "hello")?.[2]).toBe("workloads");
    const s = summaryOf(r.stdout);
    expect(s.added).toBeGreaterThan(0);
    expect(s).toMatchObject({ changed: 0, deleted: 0, unchanged: 0 });
    // Every rendered file is owned, and nothing else is.
    expect(owned(root).sort()).toEqual(renderedOnDisk(root).sort());
    expect(renderedOnDisk(root)).toContain("argocd/applications/hello.yaml");
  });

  it("a second run changes nothing and --check agrees (exit 0)", () => {
    const root = platform({ synth: true });
    const before = snapshot(root);
    const r = slipway(["synth"], { cwd: root });
    expect(r.code).toBe(0);
    expect(summaryOf(r.stdout)).toMatchObject({ added: 0, changed: 0, deleted: 0 });
    expect(snapshot(root)).toEqual(before);
    expect(slipway(["synth", "--check"], { cwd: root }).code).toBe(0);
  });

  it("a lost ownership record: --check exits 1, synth adopts the identical files without rewriting them", () => {
    const root = platform({ synth: true });
    const record = readFileSync(join(root, ".slipway/owned.json"), "utf8");
    rmSync(join(root, ".slipway"), { recursive: true });
    const check = slipway(["synth", "--check"], { cwd: root });
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/^~ \.slipway\/owned\.json$/m);
    const r = slipway(["synth"], { cwd: root });
    expect(r.code).toBe(0);
    expect(summaryOf(r.stdout)).toMatchObject({ added: 0, changed: 0, deleted: 0 });
    expect(readFileSync(join(root, ".slipway/owned.json"), "utf8")).toBe(record);
    expect(slipway(["synth", "--check"], { cwd: root }).code).toBe(0);
  });

  it("--quiet prints one line", () => {
    const root = platform();
    const r = slipway(["synth", "--quiet"], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(1);
  });

  it("--check exits 1 on a stale tree, lists what differs, writes nothing", () => {
    const root = platform({ synth: true });
    rmSync(join(root, "argocd/applications/hello.yaml"));
    put(root, { "services/second.yaml": service("second") });
    const before = snapshot(root);
    const r = slipway(["synth", "--check"], { cwd: root });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^\+ argocd\/applications\/hello\.yaml$/m);
    expect(r.stdout).toMatch(/^\+ argocd\/applications\/second\.yaml$/m);
    expect(snapshot(root)).toEqual(before);
  });

  it("--check on a never-synthesized repository exits 1 and creates nothing", () => {
    const root = platform();
    const before = snapshot(root);
    expect(slipway(["synth", "--check"], { cwd: root }).code).toBe(1);
    expect(snapshot(root)).toEqual(before);
  });

  it("an edited owned file: exit 1 with SW_WRITE_EDITED, nothing changed; --check lists it; --force restores", () => {
    const root = platform({ synth: true });
    const target = join(root, "argocd/applications/hello.yaml");
    const original = readFileSync(target, "utf8");
    writeFileSync(target, `${original}# edited by hand\n`);
    put(root, { "services/second.yaml": service("second") }); // a clean change beside the conflict
    const before = snapshot(root);
    const r = slipway(["synth"], { cwd: root });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("SW_WRITE_EDITED");
    expect(r.stderr).toContain("argocd/applications/hello.yaml");
    expect(snapshot(root)).toEqual(before);
    const check = slipway(["synth", "--check"], { cwd: root });
    expect(check.code).toBe(1);
    expect(check.stderr).toContain("SW_WRITE_EDITED");
    expect(check.stdout).toMatch(/^\+ argocd\/applications\/second\.yaml$/m);
    expect(slipway(["synth", "--force"], { cwd: root }).code).toBe(0);
    expect(readFileSync(target, "utf8")).toBe(original);
    expect(existsSync(join(root, "argocd/applications/second.yaml"))).toBe(true);
  });

  it("an unowned file in the way: exit 1 with SW_WRITE_UNOWNED and nothing written", () => {
    const root = platform();
    put(root, { "argocd/applications/hello.yaml": "# mine\n" });
    const before = snapshot(root);
    const r = slipway(["synth"], { cwd: root });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("SW_WRITE_UNOWNED");
    expect(snapshot(root)).toEqual(before);
  });

  it("a symlinked output directory is refused (SW_WRITE_SYMLINK), even with --force", () => {
    const root = platform({ synth: true });
    const outside = tempDir("slipway-outside-");
    rmSync(join(root, "k8s/helm/manifests/hello"), { recursive: true });
    symlinkSync(outside, join(root, "k8s/helm/manifests/hello"));
    const r = slipway(["synth", "--force"], { cwd: root });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("SW_WRITE_SYMLINK");
    expect(snapshot(outside)).toEqual({});
  });

  it("a removed service: its files are deleted and its directories pruned", () => {
    const root = tempDir("slipway-cli-");
    writeTinyPlatform(root, { hello: HELLO, second: service("second") });
    expect(slipway(["synth"], { cwd: root }).code).toBe(0);
    expect(existsSync(join(root, "k8s/helm/manifests/second"))).toBe(true);
    rmSync(join(root, "services/second.yaml"));
    const r = slipway(["synth"], { cwd: root });
    expect(r.code).toBe(0);
    expect(summaryOf(r.stdout).deleted).toBeGreaterThan(0);
    expect(existsSync(join(root, "k8s/helm/manifests/second"))).toBe(false);
    expect(existsSync(join(root, "argocd/applications/second.yaml"))).toBe(false);
    expect(owned(root).some((p) => p.includes("second"))).toBe(false);
  });

  it("--dry-run prints unified diffs that parse, exits 0 and writes nothing", () => {
    const root = platform({ synth: true });
    put(root, {
      "services/hello.yaml": HELLO.replace("8080", "9090"),
      "services/second.yaml": service("second"),
    });
    const before = snapshot(root);
    const r = slipway(["synth", "--dry-run"], { cwd: root });
    expect(r.code).toBe(0);
    expect(snapshot(root)).toEqual(before);
    const patches = parsePatch(r.stdout);
    expect(patches.length).toBeGreaterThan(1);
    const names = patches.map((p) => [p.oldFileName, p.newFileName]);
    expect(names).toContainEqual(["/dev/null", "b/argocd/applications/second.yaml"]);
    expect(names.some(([a, b]) => a === b?.replace(/^b\//, "a/") && b?.includes("hello"))).toBe(true);
    for (const p of patches) expect(p.hunks.length).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/^\+.*9090/m);
    expect(r.stderr).toMatch(/dry run/);
  });

  it("--dry-run on an up-to-date tree prints no diff", () => {
    const root = platform({ synth: true });
    const r = slipway(["synth", "--dry-run"], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
  });

  it("--check and --dry-run together are a usage error", () => {
    const root = platform();
    expect(slipway(["synth", "--check", "--dry-run"], { cwd: root }).code).toBe(2);
  });

  it("--config and --out: renders into another directory, the platform repository untouched", () => {
    const root = platform();
    const outDir = join(tempDir("slipway-out-"), "tree");
    const before = snapshot(root);
    const r = slipway(["synth", "--config", join(root, "platform.yaml"), "--out", outDir]);
    expect(r.code).toBe(0);
    expect(snapshot(root)).toEqual(before);
    expect(existsSync(join(outDir, "argocd/applications/hello.yaml"))).toBe(true);
    expect(existsSync(join(outDir, ".slipway/owned.json"))).toBe(true);
  });

  it("invalid config exits 2 with a diagnostic and writes nothing", () => {
    const root = platform();
    put(root, { "services/hello.yaml": HELLO.replace("port: 8080", "port: eighty") });
    const before = snapshot(root);
    const r = slipway(["synth"], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/services\/hello\.yaml:\d+:\d+: error SW_/);
    expect(snapshot(root)).toEqual(before);
  });

  it("a corrupt ownership record exits 2 with SW_WRITE_OWNERSHIP_CORRUPT, not a crash", () => {
    const root = platform({ synth: true });
    put(root, { ".slipway/owned.json": "{ not json" });
    const r = slipway(["synth"], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("SW_WRITE_OWNERSHIP_CORRUPT");
    expect(r.stderr).toContain("hint:");
  });
});
