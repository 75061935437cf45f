import { describe, expect, it } from "vitest";
import { HelmSchemas } from "../../src/check/schemas/helm-values.js";
import { SCHEMA_DIR } from "./helpers.js";

// ZITADEL's values.schema.json points 44 `$ref`s at Kubernetes schemas on the web. Offline they
// are dropped and counted; everything else in the schema must still be enforced.
describe("Helm values schemas with remote $refs", () => {
  const helm = new HelmSchemas(SCHEMA_DIR);

  it("loads the chart, counting the refs it could not follow", async () => {
    const chart = await helm.chart("helm-zitadel/9.34.0");
    expect(chart?.remoteRefs).toBeGreaterThan(0);
    expect(JSON.stringify(chart?.schema)).not.toMatch(/"\$ref":"https?:/);
  });

  it("still rejects a wrong type outside the dropped subtrees", async () => {
    expect(await helm.validate("helm-zitadel/9.34.0", { replicaCount: 1 })).toEqual([]);
    const wrongType = await helm.validate("helm-zitadel/9.34.0", { replicaCount: "two" });
    expect(wrongType?.map((f) => f.path)).toContainEqual(["replicaCount"]);
  });
});
