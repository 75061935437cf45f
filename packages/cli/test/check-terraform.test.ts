import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tool } from "../../core/test/helpers/tools.js";
import { repo, slipway } from "./_slipway.js";

const EXAMPLE = join(repo, "examples/homelab/platform.yaml");

interface TerraformJson {
  ok: boolean;
  diagnostics: { code: string; severity: string; file: string | null }[];
  terraform: { root: string; references: string; init: string; validate: string }[] | null;
}

/** `slipway check --terraform` through the built binary, with OpenTofu and slipway-tfrefs built from Go. */
describe("slipway check --terraform", () => {
  const mirror = mkdtempSync(join(tmpdir(), "slipway-cli-tf-mirror-"));
  afterAll(() => rmSync(mirror, { recursive: true, force: true }));

  it("runs every root of the example through tofu init and the reference check", () => {
    const r = slipway([
      "check",
      "--config",
      EXAMPLE,
      "--terraform",
      "--tofu",
      tool("tofu"),
      "--tfrefs",
      tool("slipway-tfrefs"),
      "--provider-mirror",
      mirror,
      "--format",
      "json",
    ]);
    const doc = JSON.parse(r.stdout) as TerraformJson;
    expect(doc.terraform?.map((t) => [t.root, t.references, t.init])).toEqual([
      ["cloudflare/terraform", "ok", "providers-unavailable"],
      ["identity/terraform", "ok", "providers-unavailable"],
      ["vault/terraform", "ok", "providers-unavailable"],
      ["vault/terraform/database", "ok", "providers-unavailable"],
    ]);
    const tf = doc.diagnostics.filter((d) => d.code.startsWith("SW_CHECK_TF"));
    expect(tf.map((d) => [d.code, d.severity, d.file])).toEqual([
      ["SW_CHECK_TF_PROVIDERS", "info", "cloudflare/terraform/providers.tf.json"],
      ["SW_CHECK_TF_PROVIDERS", "info", "identity/terraform/providers.tf.json"],
      ["SW_CHECK_TF_PROVIDERS", "info", "vault/terraform/providers.tf.json"],
      ["SW_CHECK_TF_PROVIDERS", "info", "vault/terraform/database/providers.tf.json"],
    ]);
    expect(r.code).toBe(doc.ok ? 0 : 1);
  }, 120_000);

  it("without --server, sums the roots whose providers are missing up as such, not as objects the server has not checked", () => {
    const r = slipway([
      "check",
      "--config",
      EXAMPLE,
      "--terraform",
      "--tofu",
      tool("tofu"),
      "--tfrefs",
      tool("slipway-tfrefs"),
      "--provider-mirror",
      mirror,
    ]);
    const notes = r.stdout.split("\n").filter((l) => l.includes("SW_CHECK_TF_PROVIDERS"));
    expect(notes).toEqual([
      "note: 4 Terraform roots loaded but not validated, their providers could not be installed (run where the registry is reachable, or pass --provider-mirror) (SW_CHECK_TF_PROVIDERS; each with --format json)",
    ]);
    expect(r.stdout).not.toContain("not checked by the server");
  }, 120_000);

  it("exits 2 with SW_CHECK_TF_TOOL when tofu cannot run", () => {
    const r = slipway(["check", "--config", EXAMPLE, "--terraform", "--tofu", join(mirror, "no-such-tofu")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("SW_CHECK_TF_TOOL");
  });
});
