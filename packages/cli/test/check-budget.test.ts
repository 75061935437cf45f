import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { slipway, TINY_PLATFORM, writeTinyPlatform } from "./_slipway.js";

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});
function platform(text: string): string {
  const root = mkdtempSync(join(tmpdir(), "slipway-check-budget-"));
  roots.push(root);
  writeTinyPlatform(root);
  writeFileSync(join(root, "platform.yaml"), text);
  return root;
}
const codes = (stdout: string) =>
  (JSON.parse(stdout) as { diagnostics: { code: string; file: string | null; line: number | null }[] })
    .diagnostics;

describe("slipway check: the platform must fit its nodes", () => {
  it("requests beyond the nodes' allocatable: SW_BUDGET_DOES_NOT_FIT at spec.cluster.nodes, exit 1", () => {
    const root = platform(
      TINY_PLATFORM.replace("cpu: 4\n        memory: 8Gi", "cpu: 100m\n        memory: 64Mi"),
    );
    expect(slipway(["budget"], { cwd: root }).code).toBe(1);
    const r = slipway(["check", "--format", "json"], { cwd: root });
    expect(r.code).toBe(1);
    const d = codes(r.stdout).find((x) => x.code === "SW_BUDGET_DOES_NOT_FIT");
    expect(d).toMatchObject({ file: "platform.yaml", line: 14 });
  });

  it("a platform that fits has no budget error", () => {
    const root = platform(TINY_PLATFORM);
    expect(slipway(["budget"], { cwd: root }).code).toBe(0);
    const r = slipway(["check", "--format", "json"], { cwd: root });
    expect(codes(r.stdout).map((x) => x.code)).not.toContain("SW_BUDGET_DOES_NOT_FIT");
  });
});
