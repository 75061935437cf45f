import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The built CLI on spec fixtures: invalid input exits 2 with a compiler-style diagnostic
 * (`file:line:col`, the code, a caret excerpt); valid input renders and exits 0.
 * Spawns `packages/cli/bin/slipway.js`, so it needs `tsc -b` first (`npm test` does that).
 */
const repo = join(import.meta.dirname, "../../..");
const bin = join(repo, "packages/cli/bin/slipway.js");
const fixtures = "packages/core/test/fixtures/spec";

function slipway(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: repo,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("slipway synth on spec errors", () => {
  it.each([
    ["unknown-component-key", "platform.yaml:20:7", "SW_SPEC_UNKNOWN_KEY"],
    ["missing-image", "services/web.yaml:6:1", "SW_SPEC_REQUIRED"],
    ["yaml-syntax", "platform.yaml:8:3", "SW_YAML_SYNTAX"],
    ["depends-on-cycle", "services/api.yaml:9:14", "SW_DEP_CYCLE"],
  ])("invalid/%s exits 2 pointing at %s", (name, where, code) => {
    const dir = `${fixtures}/invalid/${name}`;
    const r = slipway(
      "synth",
      "--config",
      `${dir}/platform.yaml`,
      "--out",
      mkdtempSync(join(tmpdir(), "sw-")),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${dir}/${where}: error ${code}`);
    // The caret excerpt: the offending line with its number, then carets under the column.
    const line = where.split(":")[1] ?? "";
    expect(r.stderr).toMatch(new RegExp(`^ *${line} \\| .*\\n *\\| *\\^+$`, "m"));
  });

  it("exits 2 with SW_CONFIG_NOT_FOUND when there is no platform.yaml", () => {
    const r = slipway("synth", "--config", `${fixtures}/invalid/missing-platform/platform.yaml`);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("SW_CONFIG_NOT_FOUND");
  });

  it("renders a valid platform and exits 0", () => {
    const out = mkdtempSync(join(tmpdir(), "sw-"));
    const r = slipway("synth", "--config", `${fixtures}/valid/homelab/platform.yaml`, "--out", out);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readdirSync(out)).toContain("argocd");
  });

  it("init writes a starter that synth renders, and refuses to run twice", () => {
    const dir = mkdtempSync(join(tmpdir(), "sw-init-"));
    expect(slipway("init", dir, "--domain", "lab.example.org", "--owner", "octocat").code).toBe(0);
    const synth = slipway("synth", "--config", join(dir, "platform.yaml"), "--out", join(dir, "out"));
    expect(synth.stderr).toBe("");
    expect(synth.code).toBe(0);
    const again = slipway("init", dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("SW_INIT_FILE_EXISTS");
  });
});
