import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConflictError, type Diagnostic, starterFiles, writeTree } from "../../src/index.js";
import { REAL_FS, type WriteFs } from "../../src/write/faults.js";
import { PENDING_OWNERSHIP_FILE } from "../../src/write/ownership.js";
import { out, put, read, snapshot, tempDir, written } from "./helpers.js";

// Issue 16 (low): faults in the write step: permission and disk-full errors, a rename failing
// midway, concurrent runs, and what killed runs leave in .slipway/.

const v1 = {
  "k8s/apps/a.yaml": "a: 1\n",
  "k8s/apps/b.yaml": "b: 1\n",
  "k8s/apps/c.yaml": "c: 1\n",
  "k8s/old/gone.yaml": "gone: 1\n",
  "argocd/applications/a.yaml": "kind: Application\n",
};
/** Changes two files, keeps one, adds one beside them and a brand-new subtree, deletes one. */
const v2 = {
  "k8s/apps/a.yaml": "a: 2\n",
  "k8s/apps/b.yaml": "b: 2\n",
  "k8s/apps/c.yaml": "c: 1\n",
  "k8s/apps/d.yaml": "d: 2\n",
  "k8s/new/sub/e.yaml": "e: 2\n",
  "argocd/applications/a.yaml": "kind: Application\n",
};

/** A root holding an input, where slipway has written `v1`. */
const synthesized = (): string => written(v1, { "platform.yaml": "kind: Platform\n" });

const err = (code: string, syscall: string, path?: string) =>
  Object.assign(new Error(`${code}: injected, ${syscall}`), { code, syscall, ...(path ? { path } : {}) });

/** Real fs, but rename number `n` (1-based) and, with `sticky`, every later one throws `code`. */
function failingRename(n: number, code: string, sticky = false): WriteFs & { renames: number } {
  const fsx = {
    ...REAL_FS,
    renames: 0,
    renameSync(from: string, to: string) {
      fsx.renames++;
      if (fsx.renames === n || (sticky && fsx.renames > n)) throw err(code, "rename", from);
      renameSync(from, to);
    },
  };
  return fsx;
}

function caught(fn: () => unknown): ConflictError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConflictError);
    return e as ConflictError;
  }
  throw new Error("expected an error");
}

const only = (e: ConflictError): Diagnostic => {
  expect(e.diagnostics).toHaveLength(1);
  return e.diagnostics[0] as Diagnostic;
};

/** A process that has exited: its pid is (almost surely) not running. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
  return Number(r.stdout.trim());
}

describe("writeTree faults", () => {
  it("counts the renames of the v1 → v2 change (the cases below fail each one)", () => {
    const fsx = failingRename(0, "EACCES");
    writeTree(synthesized(), out(v2), { fs: fsx });
    // pending record, the stale file out, a, b, d in place, the new subtree, the record.
    expect(fsx.renames).toBe(7);
  });

  for (const [code, expected] of [
    ["EACCES", "SW_WRITE_PERMISSION"],
    ["EPERM", "SW_WRITE_PERMISSION"],
    ["EROFS", "SW_WRITE_PERMISSION"],
    ["ENOSPC", "SW_WRITE_NO_SPACE"],
    ["EDQUOT", "SW_WRITE_NO_SPACE"],
  ] as const) {
    it(`${code} on any rename is ${expected}, located, and the tree is rolled back byte for byte`, () => {
      for (let n = 1; n <= 7; n++) {
        const root = synthesized();
        const before = snapshot(root);
        const d = only(caught(() => writeTree(root, out(v2), { fs: failingRename(n, code) })));
        expect(d.code, `rename ${n}`).toBe(expected);
        expect(d.location?.file).toMatch(/(k8s|\.slipway)\//);
        expect(d.hint).toMatch(/Nothing was changed/);
        expect(snapshot(root), `rename ${n}`).toEqual(before);
        // The tree still synthesizes cleanly afterwards.
        writeTree(root, out(v2));
        expect(read(root, "k8s/apps/a.yaml")).toBe("a: 2\n");
      }
    });
  }

  it("a failing rename names the file it was placing", () => {
    const root = synthesized();
    // 1: pending record, 2: stale file out, 3: k8s/apps/a.yaml.
    const d = only(caught(() => writeTree(root, out(v2), { fs: failingRename(3, "EACCES") })));
    expect(d.location?.file).toMatch(/k8s\/apps\/a\.yaml$/);
  });

  it("an interrupted previous run's pending record is put back by the rollback", () => {
    const root = synthesized();
    const pending = `${JSON.stringify({ version: 1, files: {} }, null, 2)}\n`;
    put(root, { [PENDING_OWNERSHIP_FILE]: pending });
    const before = snapshot(root);
    caught(() => writeTree(root, out(v2), { fs: failingRename(4, "ENOSPC") }));
    expect(snapshot(root)).toEqual(before);
  });

  it("ENOSPC while staging is SW_WRITE_NO_SPACE at the file being staged; nothing changed", () => {
    const root = synthesized();
    const before = snapshot(root);
    const fsx: WriteFs = {
      ...REAL_FS,
      writeFileSync(fd, data) {
        if (data === "b: 2\n") throw err("ENOSPC", "write");
        REAL_FS.writeFileSync(fd, data);
      },
    };
    const d = only(caught(() => writeTree(root, out(v2), { fs: fsx })));
    expect(d.code).toBe("SW_WRITE_NO_SPACE");
    expect(d.location?.file).toMatch(/k8s\/apps\/b\.yaml$/);
    expect(snapshot(root)).toEqual(before);
  });

  it("when the rollback fails too, it names the files left new and the next run reports and finishes it", () => {
    const root = synthesized();
    // Rename 4 (b.yaml) fails and so does every rename after it: a.yaml cannot be put back.
    const d = only(caught(() => writeTree(root, out(v2), { fs: failingRename(4, "EACCES", true) })));
    expect(d.code).toBe("SW_WRITE_PERMISSION");
    expect(d.hint).toMatch(/k8s\/apps\/a\.yaml/);
    expect(d.hint).not.toMatch(/Nothing was changed/);
    expect(read(root, "k8s/apps/a.yaml")).toBe("a: 2\n");
    expect(existsSync(join(root, PENDING_OWNERSHIP_FILE))).toBe(true);
    const next = writeTree(root, out(v2));
    expect(next.warnings.map((w) => [w.code, w.severity])).toEqual([["SW_WRITE_INTERRUPTED", "warning"]]);
    // The tree a clean v1 → v2 run leaves.
    const clean = synthesized();
    writeTree(clean, out(v2));
    expect(snapshot(root)).toEqual(snapshot(clean));
  });

  it.skipIf(process.getuid?.() === 0)(
    "a read-only directory (chmod 0555) is SW_WRITE_PERMISSION before anything changes",
    () => {
      const root = synthesized();
      chmodSync(join(root, "k8s/apps"), 0o555);
      try {
        const before = snapshot(root);
        const e = caught(() => writeTree(root, out(v2)));
        expect(e.diagnostics.map((d) => d.code)).toEqual(["SW_WRITE_PERMISSION"]);
        expect(e.diagnostics[0]?.location?.file).toMatch(/k8s\/apps$/);
        expect(snapshot(root)).toEqual(before);
      } finally {
        chmodSync(join(root, "k8s/apps"), 0o755);
      }
    },
  );
});

describe("writeTree lock and leftovers of killed runs", () => {
  it("a lock held by a running process is SW_WRITE_LOCKED naming its pid; nothing changes", () => {
    const root = synthesized();
    put(root, { ".slipway/lock": `${process.ppid} 2026-12-04T16:00:00.000Z\n` });
    const before = snapshot(root);
    const d = only(caught(() => writeTree(root, out(v2))));
    expect(d.code).toBe("SW_WRITE_LOCKED");
    expect(d.message).toContain(`pid ${process.ppid}`);
    expect(snapshot(root)).toEqual(before);
    // A dry run (synth --check) reads only and takes no lock.
    expect(writeTree(root, out(v2), { dryRun: true }).counts.changed).toBe(2);
  });

  it("a stale lock (its pid is gone) is taken over with a warning, and released after", () => {
    const root = synthesized();
    const pid = deadPid();
    put(root, { ".slipway/lock": `${pid} 2026-12-04T16:00:00.000Z\n` });
    const r = writeTree(root, out(v2));
    expect(r.warnings.map((w) => w.code)).toEqual(["SW_WRITE_STALE_LOCK"]);
    expect(r.warnings[0]?.message).toContain(`pid ${pid}`);
    expect(read(root, "k8s/apps/a.yaml")).toBe("a: 2\n");
    expect(existsSync(join(root, ".slipway/lock"))).toBe(false);
  });

  // Issue 16, red-team rerun: a FIFO at .slipway/lock hung synth in the lock holder's read.
  it.each([
    ["a FIFO", (p: string) => spawnSync("mkfifo", [p])],
    ["a directory", (p: string) => mkdirSync(p)],
  ])(".slipway/lock as %s is SW_WRITE_NOT_A_FILE, at once", (_name, make) => {
    const root = synthesized();
    make(join(root, ".slipway/lock"));
    const started = performance.now();
    expect(only(caught(() => writeTree(root, out(v2)))).code).toBe("SW_WRITE_NOT_A_FILE");
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("a symbolic link at .slipway/lock is SW_WRITE_SYMLINK; its target is untouched", () => {
    const root = synthesized();
    const outside = tempDir("slipway-outside-");
    put(outside, { "target.txt": "precious\n" });
    symlinkSync(join(outside, "target.txt"), join(root, ".slipway/lock"));
    const before = snapshot(root);
    expect(only(caught(() => writeTree(root, out(v2)))).code).toBe("SW_WRITE_SYMLINK");
    expect(read(outside, "target.txt")).toBe("precious\n");
    expect(snapshot(root)).toEqual(before);
  });

  it("removes staging directories of killed runs, keeps a running one's and a fresh unnamed one", () => {
    const root = synthesized();
    const dead = `staging-${deadPid()}-AbC123`;
    const running = `staging-${process.ppid}-AbC123`;
    for (const d of [dead, running, "staging-XyZ789"]) {
      mkdirSync(join(root, ".slipway", d, "tree/k8s"), { recursive: true });
      writeFileSync(join(root, ".slipway", d, "0"), "half\n");
    }
    writeFileSync(join(root, ".slipway", `lock.${deadPid()}`), "1 x\n");
    writeTree(root, out(v2));
    expect(readdirSync(join(root, ".slipway")).sort()).toEqual(
      [running, "owned.json", "staging-XyZ789"].sort(),
    );
  });

  // Issue 16: staging directories of older Slipway (no pid in `.slipway/staging-<random>`, or
  // `.slipway-tmp-<pid>` in the root) were never cleaned.
  it("removes an older Slipway's leftovers: an hour-old unnamed staging dir, a dead run's .slipway-tmp-<pid>", () => {
    const root = synthesized();
    const hourAgo = (Date.now() - 61 * 60 * 1000) / 1000;
    mkdirSync(join(root, ".slipway/staging-Old123/tree"), { recursive: true });
    utimesSync(join(root, ".slipway/staging-Old123"), hourAgo, hourAgo);
    mkdirSync(join(root, ".slipway/staging-New456"));
    const deadTmp = `.slipway-tmp-${deadPid()}`;
    const liveTmp = `.slipway-tmp-${process.ppid}`;
    for (const d of [deadTmp, liveTmp]) mkdirSync(join(root, d, "k8s"), { recursive: true });
    const userFile = `.slipway-tmp-${deadPid()}`;
    writeFileSync(join(root, userFile), "a file of the user's, not ours\n");
    writeTree(root, out(v2));
    expect(existsSync(join(root, ".slipway/staging-Old123"))).toBe(false);
    expect(existsSync(join(root, ".slipway/staging-New456"))).toBe(true);
    expect(existsSync(join(root, deadTmp))).toBe(false);
    expect(existsSync(join(root, liveTmp))).toBe(true);
    expect(read(root, userFile)).toBe("a file of the user's, not ours\n");
  });

  it("a run with nothing to change still clears a killed run's staging directory", () => {
    const root = synthesized();
    const dead = `staging-${deadPid()}-AbC123`;
    mkdirSync(join(root, ".slipway", dead));
    writeTree(root, out(v1));
    expect(existsSync(join(root, ".slipway", dead))).toBe(false);
  });

  it("the staging directory is named with the pid of its run", () => {
    const root = synthesized();
    const seen: string[] = [];
    const fsx: WriteFs = {
      ...REAL_FS,
      renameSync(from, to) {
        seen.push(from);
        renameSync(from, to);
      },
    };
    writeTree(root, out(v2), { fs: fsx });
    expect(seen[0]).toMatch(
      new RegExp(`/\\.slipway/staging-${process.pid}-[A-Za-z0-9]{6}/owned\\.next\\.json$`),
    );
  });

  it("a pending record left by a killed run is a SW_WRITE_INTERRUPTED warning, also in a dry run", () => {
    const root = synthesized();
    const record = readFileSync(join(root, ".slipway/owned.json"), "utf8");
    put(root, { [PENDING_OWNERSHIP_FILE]: record });
    const check = writeTree(root, out(v1), { dryRun: true });
    expect(check.warnings.map((w) => w.code)).toEqual(["SW_WRITE_INTERRUPTED"]);
    expect(writeTree(root, out(v1)).warnings.map((w) => w.code)).toEqual(["SW_WRITE_INTERRUPTED"]);
    expect(writeTree(root, out(v1)).warnings).toEqual([]);
  });

  it("slipway init's .gitignore excludes the lock and staging directories", () => {
    const gitignore =
      starterFiles()
        .find((f) => f.path === ".gitignore")
        ?.content.split("\n") ?? [];
    expect(gitignore).toEqual(expect.arrayContaining([".slipway/lock*", ".slipway/staging-*/"]));
  });
});
