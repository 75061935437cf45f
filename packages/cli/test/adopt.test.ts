import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repo, slipway } from "./_slipway.js";

const REPO = join(repo, "packages/core/test/fixtures/gitops-repo");
const dir = mkdtempSync(join(tmpdir(), "slipway-adopt-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("slipway adopt", () => {
  it("prints the proposal and its conflicts, applies nothing, exit 0 without a blocking one", () => {
    const r = slipway(["adopt", "--from-manifests", REPO]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# Proposed by `slipway adopt --from-manifests`/);
    expect(r.stdout).toContain("mode: external");
    expect(r.stderr).toContain("warning SW_ADOPT_INSTALLED");
    expect(r.stderr).toContain("nothing was applied");
  });

  it("writes the proposal with --out, and never over an existing file (exit 1)", () => {
    const out = join(dir, "platform.yaml");
    expect(slipway(["adopt", "--from-manifests", REPO, "--out", out]).code).toBe(0);
    expect(readFileSync(out, "utf8")).toMatch(/^# Proposed by/);
    writeFileSync(out, "mine\n");
    const again = slipway(["adopt", "--from-manifests", REPO, "--out", out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("SW_ADOPT_FILE_EXISTS");
    expect(readFileSync(out, "utf8")).toBe("mine\n");
  });

  it("is a usage error without --from-manifests (exit 2), and an input error on a directory without YAML", () => {
    expect(slipway(["adopt"]).code).toBe(2);
    const empty = mkdtempSync(join(dir, "empty-"));
    const r = slipway(["adopt", "--from-manifests", empty]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("SW_ADOPT_EMPTY");
  });
});
