import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkTerraform, type TerraformCheckOptions } from "../../src/check/terraform.js";
import type { OutputFile } from "../../src/render/files.js";
import { renderPlatform } from "../../src/synth.js";
import { renderComponents } from "../helpers/component-fixture.js";
import { tool } from "../helpers/tools.js";

/**
 * Every rendered Terraform root through OpenTofu (built from its Go module) and slipway-tfrefs
 * (OpenTofu's HCL). The providers cannot be built here (tools/README.md), so `tofu init` is given
 * an empty filesystem mirror: it loads and checks the configuration, then stops at installing
 * providers, which the stage reports as info; `tofu validate` is what a user's machine adds.
 */
const mirror = mkdtempSync(join(tmpdir(), "slipway-tf-mirror-"));
afterAll(() => rmSync(mirror, { recursive: true, force: true }));
const opts: TerraformCheckOptions = {
  tofu: tool("tofu"),
  tfrefs: tool("slipway-tfrefs"),
  providerMirror: mirror,
};

const example = [
  ...renderPlatform(join(import.meta.dirname, "../../../../examples/homelab/platform.yaml")).files,
];

/** The example's files with one Terraform file's parsed JSON changed by `edit`. */
function edited(path: string, edit: (json: any) => void): OutputFile[] {
  return example.map((f) => {
    if (f.path !== path) return f;
    const json = JSON.parse(f.content);
    edit(json);
    return { path: f.path, owner: f.owner, content: `${JSON.stringify(json, null, 2)}\n` };
  });
}

const errors = (r: Awaited<ReturnType<typeof checkTerraform>>) =>
  r.diagnostics.filter((d) => d.severity === "error");

describe("the Terraform stage on examples/homelab", () => {
  it("loads every root in OpenTofu and resolves every reference", async () => {
    const r = await checkTerraform(example, opts);
    expect(r.roots.map((x) => x.root)).toEqual([
      "cloudflare/terraform",
      "identity/terraform",
      "vault/terraform",
      // The database engine, applied in a later bootstrap stage (docs/guides/bootstrap.md).
      "vault/terraform/database",
    ]);
    expect(errors(r)).toEqual([]);
    for (const root of r.roots) {
      expect(root.references).toBe("ok");
      // The configuration loaded; only the provider packages were missing (an empty mirror).
      expect(root.init).toBe("providers-unavailable");
    }
    expect(r.diagnostics.map((d) => d.code)).toEqual(Array(4).fill("SW_CHECK_TF_PROVIDERS"));
  });

  it("fails on a reference to a resource the root does not declare, at its line", async () => {
    const files = edited("vault/terraform/database/database.tf.json", (j) => {
      j.resource.vault_database_secret_backend_role.notes.db_name =
        "${vault_database_secret_backend_connection.nots.name}";
    });
    const r = await checkTerraform(files, opts);
    const found = errors(r);
    expect(found.map((d) => [d.code, d.location?.file])).toEqual([
      ["SW_CHECK_TF_REFERENCE", "vault/terraform/database/database.tf.json"],
    ]);
    expect(found[0]?.location?.line).toBeGreaterThan(1);
    expect(r.roots.find((x) => x.root === "vault/terraform/database")?.references).toBe("failed");
  });

  it("fails on an undeclared variable and a depends_on that names nothing", async () => {
    const files = edited("vault/terraform/database/database.tf.json", (j) => {
      j.resource.vault_database_secret_backend_connection.notes.postgresql.password_wo_version =
        "${var.nope}";
      j.resource.vault_mount.database.depends_on = ["vault_policy.missing"];
    });
    const r = await checkTerraform(files, opts);
    expect(errors(r).map((d) => d.code)).toEqual(["SW_CHECK_TF_REFERENCE", "SW_CHECK_TF_REFERENCE"]);
  });

  it("reports what OpenTofu itself rejects while loading the configuration, with its position", async () => {
    const files = edited("cloudflare/terraform/dns.tf.json", (j) => {
      j.resources = j.resource; // a misspelt top-level block
    });
    const r = await checkTerraform(files, opts);
    const init = errors(r).filter((d) => d.code === "SW_CHECK_TF_INIT");
    expect(init.map((d) => d.location?.file)).toEqual(["cloudflare/terraform/dns.tf.json"]);
    const content = files.find((f) => f.path === "cloudflare/terraform/dns.tf.json")?.content ?? "";
    const line = content.split("\n").findIndex((l) => l.includes('"resources"')) + 1;
    expect(init[0]?.location?.line).toBe(line);
    expect(r.roots.find((x) => x.root === "cloudflare/terraform")?.init).toBe("failed");
  });

  it("refuses a block outside Terraform's top level in both tools (required_providers belongs in terraform {})", async () => {
    const files = edited("vault/terraform/providers.tf.json", (j) => {
      j.required_providers = j.terraform.required_providers;
    });
    const r = await checkTerraform(files, opts);
    expect(errors(r).map((d) => [d.code, d.location?.file])).toEqual([
      ["SW_CHECK_TF_REFERENCE", "vault/terraform/providers.tf.json"],
      ["SW_CHECK_TF_INIT", "vault/terraform/providers.tf.json"],
    ]);
  });

  it("runs only what it is given", async () => {
    const r = await checkTerraform(example, {});
    expect(r.roots.every((x) => x.references === "skipped" && x.init === "skipped")).toBe(true);
    expect(r.diagnostics).toEqual([]);
  });
});

describe("the Terraform stage on the Keycloak identity root", () => {
  it("loads and resolves", async () => {
    const tree = renderComponents({ identity: { enabled: true, provider: "keycloak" } });
    const r = await checkTerraform(tree.fileList, opts);
    expect(r.roots.map((x) => x.root)).toContain("identity/terraform");
    expect(errors(r)).toEqual([]);
    expect(r.roots.every((x) => x.references === "ok" && x.init === "providers-unavailable")).toBe(true);
  });
});
