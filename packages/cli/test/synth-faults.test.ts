import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RENDER_ROOTS } from "../../core/src/index.js";
import { snapshot, tempDir } from "../../core/test/write/helpers.js";
import { repo, slipway } from "./_slipway.js";

// Issue 16 (low): two synths at once crashed one of them (3 of 10), through the real binary.

const node = existsSync(join(repo, "node_modules/.bin/node"))
  ? join(repo, "node_modules/.bin/node")
  : process.execPath;
const bin = join(repo, "packages/cli/bin/slipway.js");

/** examples/homelab's inputs without its rendered tree, so a synth writes every file. */
function unrendered(): string {
  const root = tempDir("slipway-cli-");
  cpSync(join(repo, "examples/homelab"), root, { recursive: true });
  for (const r of [...RENDER_ROOTS, ".slipway"]) rmSync(join(root, r), { recursive: true, force: true });
  return root;
}

function synthAsync(cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(node, [bin, "synth", "--quiet"], { cwd, env: { ...process.env, NO_COLOR: "1" } });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("close", (code) => done({ code, stderr }));
  });
}

describe("slipway synth run twice at once", () => {
  it("one writes, the other exits 0 after it or 1 with SW_WRITE_LOCKED naming the pid; the tree is whole", async () => {
    const expected = unrendered();
    expect(slipway(["synth", "--quiet"], { cwd: expected }).code).toBe(0);
    const want = snapshot(expected);
    let locked = 0;
    for (let round = 0; round < 4; round++) {
      const root = unrendered();
      const runs = await Promise.all([synthAsync(root), synthAsync(root)]);
      for (const r of runs) {
        if (r.code === 0) continue;
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr.match(/SW_[A-Z_]+/g), r.stderr).toEqual(["SW_WRITE_LOCKED"]);
        // At the lock file, naming the running holder's pid.
        expect(r.stderr).toMatch(/^\.slipway\/lock:1:1: error SW_WRITE_LOCKED: .*\(pid \d+/m);
        locked++;
      }
      expect(runs.some((r) => r.code === 0)).toBe(true);
      expect(readdirSync(join(root, ".slipway"))).toEqual(["owned.json"]);
      expect(snapshot(root)).toEqual(want);
      // And a run after both finds nothing to do.
      expect(slipway(["synth", "--check"], { cwd: root }).code).toBe(0);
    }
    // The rounds overlapped (each synth of the example takes far longer than starting the other).
    expect(locked).toBeGreaterThan(0);
  }, 120_000);
});

describe("slipway synth after a killed run", () => {
  it("takes over a lock whose process is gone, says so on stderr, and writes the tree", () => {
    const root = unrendered();
    const gone = spawnSync(node, ["-e", ""]).pid as number; // exited: its pid names no running process
    mkdirSync(join(root, ".slipway"), { recursive: true });
    writeFileSync(join(root, ".slipway/lock"), `${gone} 2026-12-04T00:00:00.000Z\n`);
    const r = slipway(["synth", "--quiet"], { cwd: root });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/SW_[A-Z_]+/g)).toEqual(["SW_WRITE_STALE_LOCK"]);
    expect(readdirSync(join(root, ".slipway"))).toEqual(["owned.json"]);
    expect(slipway(["synth", "--check"], { cwd: root }).code).toBe(0);
  }, 60_000);
});
