import { createHash } from "node:crypto";
import { readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { put, read, snapshot, tempDir } from "../../core/test/write/helpers.js";
import { slipway, writeTinyPlatform } from "./_slipway.js";

// Issue 16: a hostile pull request to the platform repository, through the real binary.

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

function synthesized(): string {
  const root = tempDir("slipway-cli-");
  writeTinyPlatform(root);
  expect(slipway(["synth"], { cwd: root }).code).toBe(0);
  return root;
}

describe("slipway synth against a hostile .slipway/", () => {
  it("a symlinked owned.next.json exits 1 with SW_WRITE_SYMLINK; its target and the tree are untouched", () => {
    const root = synthesized();
    const outside = tempDir("slipway-outside-");
    put(outside, { "target.txt": "precious\n" });
    symlinkSync(join(outside, "target.txt"), join(root, ".slipway/owned.next.json"));
    put(root, { "platform.yaml": `${read(root, "platform.yaml")}# a change to render\n` });
    const before = snapshot(root);
    for (const args of [["synth"], ["synth", "--force"]]) {
      const r = slipway(args, { cwd: root });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/\.slipway\/owned\.next\.json.*SW_WRITE_SYMLINK/);
    }
    expect(read(outside, "target.txt")).toBe("precious\n");
    expect(snapshot(root)).toEqual(before);
  });

  it("a record listing platform.yaml and services/*.yaml with their real hashes exits 2 with SW_WRITE_OWNERSHIP_TAMPERED; nothing is deleted", () => {
    const root = synthesized();
    const file = join(root, ".slipway/owned.json");
    const record = JSON.parse(readFileSync(file, "utf8")) as { files: Record<string, string> };
    record.files["platform.yaml"] = sha(read(root, "platform.yaml"));
    record.files["services/hello.yaml"] = sha(read(root, "services/hello.yaml"));
    put(root, { ".slipway/owned.json": `${JSON.stringify(record, null, 2)}\n` });
    const before = snapshot(root);
    for (const args of [["synth"], ["synth", "--force"], ["synth", "--check"]]) {
      const r = slipway(args, { cwd: root });
      expect(r.code).toBe(2);
      expect(r.stderr.match(/SW_WRITE_OWNERSHIP_TAMPERED/g)).toHaveLength(2);
      expect(r.stderr).toContain("hint:");
    }
    expect(snapshot(root)).toEqual(before);
  });
});
