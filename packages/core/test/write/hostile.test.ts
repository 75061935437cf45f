import { createHash } from "node:crypto";
import { mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLOUDFLARE_TERRAFORM_DIR } from "../../src/components/cloudflare/contract.js";
import { IDENTITY_TERRAFORM_DIR } from "../../src/components/identity/contract.js";
import { VAULT_TERRAFORM_DIR } from "../../src/components/vault/contract.js";
import { ConflictError, InputError, OWNERSHIP_FILE, RENDER_ROOTS, writeTree } from "../../src/index.js";
import { paths } from "../../src/render/apps.js";
import { PENDING_OWNERSHIP_FILE } from "../../src/write/ownership.js";
import { codesOf, out, put, read, snapshot, tempDir } from "./helpers.js";

// Issue 16: what a hostile pull request to the platform repository can put in `.slipway/`.

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

const base = {
  "argocd/applications/a.yaml": "kind: Application\nname: a\n",
  "k8s/helm/values/a.yaml": "replicas: 1\n",
};
const inputs = {
  "platform.yaml": "apiVersion: slipway.dev/v1alpha1\nkind: Platform\n",
  "services/web.yaml": "kind: Service\nname: web\n",
};

/** A platform repository with its inputs where slipway has written `base`. */
function repo(): string {
  const root = tempDir();
  put(root, inputs);
  writeTree(root, out(base));
  return root;
}

const record = (files: Record<string, string>) =>
  `${JSON.stringify({ version: 1, files: Object.fromEntries(Object.entries(files).map(([p, c]) => [p, sha(c)])) }, null, 2)}\n`;

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error");
}

describe("writeTree never writes through a symlink in .slipway/", () => {
  it.each([PENDING_OWNERSHIP_FILE, OWNERSHIP_FILE])(
    "SW_WRITE_SYMLINK: %s is a symlink; its target is untouched, even with force",
    (file) => {
      const root = repo();
      const outside = tempDir("slipway-outside-");
      put(outside, { "target.txt": "precious\n" });
      const link = join(root, file);
      rmSync(link, { force: true });
      symlinkSync(join(outside, "target.txt"), link);
      const before = snapshot(root);
      const next = out({ ...base, "k8s/helm/values/a.yaml": "replicas: 2\n" });
      for (const force of [false, true]) {
        const e = thrown(() => writeTree(root, next, { force }));
        expect(e).toBeInstanceOf(ConflictError);
        const ds = (e as ConflictError).diagnostics;
        expect(ds.map((d) => d.code)).toEqual(["SW_WRITE_SYMLINK"]);
        expect(ds[0]?.location?.file.endsWith(file)).toBe(true);
      }
      expect(read(outside, "target.txt")).toBe("precious\n");
      expect(snapshot(root)).toEqual(before);
    },
  );

  it("SW_WRITE_SYMLINK also when nothing else would change (the link is never read)", () => {
    const root = repo();
    const outside = tempDir("slipway-outside-");
    put(outside, { "owned.next.json": record({ "k8s/helm/values/a.yaml": "replicas: 1\n" }) });
    symlinkSync(join(outside, "owned.next.json"), join(root, PENDING_OWNERSHIP_FILE));
    expect(codesOf(() => writeTree(root, out(base)))).toEqual(["SW_WRITE_SYMLINK"]);
    expect(codesOf(() => writeTree(root, out(base), { dryRun: true }))).toEqual(["SW_WRITE_SYMLINK"]);
  });

  it("SW_WRITE_NOT_A_FILE: a directory where the pending record goes", () => {
    const root = repo();
    mkdirSync(join(root, PENDING_OWNERSHIP_FILE));
    const before = snapshot(root);
    const next = out({ ...base, "k8s/helm/values/a.yaml": "replicas: 2\n" });
    expect(codesOf(() => writeTree(root, next))).toEqual(["SW_WRITE_NOT_A_FILE"]);
    expect(snapshot(root)).toEqual(before);
  });
});

describe("the ownership record never covers inputs or anything outside the rendered roots", () => {
  it.each([
    ["platform.yaml", { "platform.yaml": inputs["platform.yaml"] }],
    ["services/*.yaml", { "services/web.yaml": inputs["services/web.yaml"] }],
    ["a file beside the roots", { "README.md": "# repo\n" }],
    ["Git's own files", { ".git/config": "[core]\n" }],
    ["a directory that merely shares a root's prefix", { "k8sx/a.yaml": "a\n", "vault/policy.hcl": "p\n" }],
  ])(
    "SW_WRITE_OWNERSHIP_TAMPERED: a record listing %s with real hashes deletes nothing (exit 2)",
    (_name, listed) => {
      for (const file of [OWNERSHIP_FILE, PENDING_OWNERSHIP_FILE]) {
        const tampered = tempDir();
        put(tampered, { ...inputs, ...listed });
        writeTree(tampered, out(base));
        // The record as a pull request could change it: slipway's entries plus the listed files.
        const files = { ...base, ...listed };
        put(tampered, { [file]: record(files) });
        const before = snapshot(tampered);
        for (const force of [false, true]) {
          const e = thrown(() => writeTree(tampered, out(base), { force }));
          expect(e).toBeInstanceOf(InputError);
          const ds = (e as InputError).diagnostics;
          expect(ds.map((d) => d.code)).toEqual(Object.keys(listed).map(() => "SW_WRITE_OWNERSHIP_TAMPERED"));
          expect(ds.map((d) => d.path)).toEqual(
            Object.keys(listed)
              .sort()
              .map((p) => ["files", p]),
          );
          expect(ds.every((d) => d.location?.file.endsWith(file) && d.hint)).toBe(true);
        }
        expect(snapshot(tampered)).toEqual(before);
      }
    },
  );

  it("SW_WRITE_UNSAFE_PATH: a rendered file outside the roots is refused before anything is written", () => {
    const root = repo();
    const before = snapshot(root);
    for (const path of ["platform.yaml", "services/web.yaml", "README.md", "vault/policy.hcl"]) {
      expect(codesOf(() => writeTree(root, out({ ...base, [path]: "x\n" }), { force: true }))).toEqual([
        "SW_WRITE_UNSAFE_PATH",
      ]);
    }
    expect(snapshot(root)).toEqual(before);
  });

  it("every root a component renders into is listed", () => {
    const dirs = [
      paths.application("a"),
      paths.project("a"),
      paths.values("a"),
      paths.manifest("a", "b.yaml"),
      `${VAULT_TERRAFORM_DIR}/x.tf.json`,
      `${CLOUDFLARE_TERRAFORM_DIR}/x.tf.json`,
      `${IDENTITY_TERRAFORM_DIR}/x.tf.json`,
    ];
    for (const p of dirs) expect(RENDER_ROOTS.some((r) => p.startsWith(`${r}/`))).toBe(true);
  });
});
