import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SCHEMA_FILES } from "../../src/check/schemas/manifest.js";
import {
  PULL_MARKER,
  pullSchemas,
  resolveSchemaDir,
  schemaCacheDir,
  schemaSetId,
} from "../../src/check/schemas/pull.js";
import { startSchemaMirror } from "../helpers/schema-mirror.js";
import { SCHEMA_DIR } from "../helpers/strict-schema.js";

/**
 * `slipway schemas pull` (issue 11, part 4): the pinned CRDs and chart schemas, downloaded from
 * their upstream URLs into a cache, each checked against its sha256, all or nothing. Upstream is
 * not reachable here: a local server stands in for raw.githubusercontent.com, serving the offline
 * copy (SLIPWAY_SCHEMA_DIR) under the same <owner>/<repo>/<commit>/<path> URLs.
 */
const sha = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");

describe("schemas pull", () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "slipway-schemas-"));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const mirrors: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const m of mirrors.splice(0)) await m.close();
  });

  it("the manifest pins every file of the offline copy by the sha256 it has there, CRDs and chart schemas", () => {
    expect(SCHEMA_FILES.length).toBeGreaterThan(60);
    for (const f of SCHEMA_FILES) {
      expect(sha(join(SCHEMA_DIR, f.path)), f.path).toBe(f.sha256);
      expect(f.commit).toMatch(/^[0-9a-f]{40}$/);
    }
    // What check reads: the CRDs of the kinds Slipway renders, and the values schemas of its charts.
    const paths = SCHEMA_FILES.map((f) => f.path);
    expect(paths).toContain(
      "argocd-image-updater/v1.3.0/argocd-image-updater.argoproj.io_imageupdaters.yaml",
    );
    expect(paths).toContain("external-secrets/v2.9.0/external-secrets.io_externalsecrets.yaml");
    expect(paths).toContain("helm-vault/0.34.1/values.schema.json");
    expect(SCHEMA_FILES.find((f) => f.path.startsWith("argo-cd/v3.5.1/"))?.repo).toBe("argoproj/argo-cd");
  });

  it("downloads every file from the mirror, verifies it, marks the pull complete; check then finds the cache", async () => {
    const mirror = await startSchemaMirror(SCHEMA_DIR);
    mirrors.push(mirror);
    const env = { SLIPWAY_SCHEMA_CACHE: join(work, "cache") };
    const dir = schemaCacheDir(env);
    expect(dir).toBe(join(work, "cache", schemaSetId()));
    expect(resolveSchemaDir(undefined, env)).toBeUndefined();
    const r = await pullSchemas({ base: mirror.url, dir });
    expect(r.diagnostics).toEqual([]);
    expect(r.files).toBe(SCHEMA_FILES.length);
    expect(mirror.requests).toHaveLength(SCHEMA_FILES.length);
    for (const f of SCHEMA_FILES) expect(sha(join(dir, f.path))).toBe(f.sha256);
    expect(existsSync(join(dir, PULL_MARKER))).toBe(true);
    expect(resolveSchemaDir(undefined, env)).toEqual({ dir, from: "cache" });
    // --schemas and SLIPWAY_SCHEMA_DIR come first.
    expect(resolveSchemaDir("/x", { ...env, SLIPWAY_SCHEMA_DIR: "/y" })).toEqual({
      dir: "/x",
      from: "--schemas",
    });
    expect(resolveSchemaDir(undefined, { ...env, SLIPWAY_SCHEMA_DIR: "/y" })).toEqual({
      dir: "/y",
      from: "SLIPWAY_SCHEMA_DIR",
    });

    // A second pull finds it complete and downloads nothing; a damaged file makes it download again.
    const again = await pullSchemas({ base: mirror.url, dir });
    expect(again.upToDate).toBe(true);
    expect(mirror.requests).toHaveLength(SCHEMA_FILES.length);
    const first = SCHEMA_FILES[0]?.path as string;
    writeFileSync(join(dir, first), "damaged");
    const repaired = await pullSchemas({ base: mirror.url, dir });
    expect(repaired.upToDate).toBe(false);
    expect(sha(join(dir, first))).toBe(SCHEMA_FILES[0]?.sha256);
  });

  it("a checksum mismatch or a missing file fails the pull and writes nothing", async () => {
    const bad = "helm-vault/0.34.1/values.schema.json";
    const gone = "istio/1.30.3/crd-all.gen.yaml";
    const mirror = await startSchemaMirror(SCHEMA_DIR, { tamper: [bad], missing: [gone] });
    mirrors.push(mirror);
    const dir = join(work, "failed", schemaSetId());
    const r = await pullSchemas({ base: mirror.url, dir });
    expect(r.diagnostics.map((d) => [d.code, d.message.split(":")[0]])).toEqual([
      ["SW_SCHEMAS_CHECKSUM", bad],
      ["SW_SCHEMAS_DOWNLOAD", gone],
    ]);
    const mismatch = r.diagnostics[0];
    expect(mismatch?.message).toContain(`${mirror.url}/hashicorp/vault-helm/`);
    expect(mismatch?.message).toContain(SCHEMA_FILES.find((f) => f.path === bad)?.sha256);
    expect(mismatch?.hint).toMatch(/nothing was written/);
    expect(r.diagnostics[1]?.message).toContain("HTTP 404");
    expect(existsSync(join(work, "failed"))).toBe(true);
    expect(existsSync(dir)).toBe(false);
  });

  it("an unreachable mirror is a download error per file, not a crash", async () => {
    const dir = join(work, "unreachable", schemaSetId());
    const r = await pullSchemas({ base: "http://127.0.0.1:9", dir, files: SCHEMA_FILES.slice(0, 2) });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["SW_SCHEMAS_DOWNLOAD", "SW_SCHEMAS_DOWNLOAD"]);
    expect(existsSync(dir)).toBe(false);
  });
});
