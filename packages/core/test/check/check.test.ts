import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { check } from "../../src/check/check.js";
import { FIXTURES, loadFixture, SCHEMA_DIR } from "./helpers.js";

describe("check", () => {
  it("reads a session's files once, runs schemas and policies, and positions every finding", async () => {
    const { files, apps } = loadFixture(join(FIXTURES, "policies/route-reference-grant/fail"));
    let iterations = 0;
    const once: Iterable<(typeof files)[number]> = {
      *[Symbol.iterator]() {
        iterations++;
        yield* files;
      },
    };
    const r = await check({ files: once, apps }, { schemaDir: SCHEMA_DIR, kubernetesVersion: "1.32" });
    expect(iterations).toBe(1);
    expect(r.diagnostics.map((d) => [d.code, d.location?.file, d.location?.line, d.location?.col])).toEqual([
      ["SW_POLICY_ROUTE_REFERENCE_GRANT", "k8s/helm/manifests/gateway-routes/httproute-blog.yaml", 15, 11],
      ["SW_POLICY_ROUTE_REFERENCE_GRANT", "k8s/helm/manifests/gateway-routes/httproute-blog.yaml", 18, 11],
    ]);
    expect(r.stats).toMatchObject({
      files: 2,
      objects: 2,
      validated: { crd: 2, core: 0, model: 0 },
      unvalidatedKinds: [],
    });
  });

  it("is deterministic: the same input gives the same diagnostics in the same order", async () => {
    const fixture = () => loadFixture(join(FIXTURES, "policies/no-secrets/fail"));
    const a = await check(fixture(), { schemaDir: SCHEMA_DIR, kubernetesVersion: "1.32" });
    const b = await check(fixture(), { schemaDir: SCHEMA_DIR, kubernetesVersion: "1.32" });
    expect(a.diagnostics.length).toBeGreaterThan(0);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it("reports a rendered file that does not parse", async () => {
    const r = await check(
      { files: [{ path: "k8s/helm/manifests/x/broken.yaml", content: "a: [1,\n", owner: "x" }], apps: [] },
      { kubernetesVersion: "1.32", policies: [] },
    );
    expect(r.diagnostics.map((d) => [d.code, d.location?.file])).toEqual([
      ["SW_CHECK_PARSE", "k8s/helm/manifests/x/broken.yaml"],
    ]);
  });
});
