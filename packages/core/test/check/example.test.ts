import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { budgetOf } from "../../src/check/budget.js";
import { checkInput } from "../../src/check/check.js";
import { buildCheckInput } from "../../src/check/input.js";
import { renderPlatform } from "../../src/synth.js";
import { SCHEMA_DIR } from "./helpers.js";

/** The example platform passes its own checks: every principle `slipway check` enforces holds there. */
describe("examples/homelab under slipway check", () => {
  const session = renderPlatform(join(import.meta.dirname, "../../../../examples/homelab/platform.yaml"));
  const input = buildCheckInput(session.files, session.apps);

  it("has no errors against the upstream schemas and the policies", async () => {
    const r = await checkInput(input, {
      schemaDir: SCHEMA_DIR,
      kubernetesVersion: session.spec.platform.cluster.kubernetesVersion,
    });
    const errors = r.diagnostics
      .filter((d) => d.severity === "error")
      .map((d) => `${d.location?.file}:${d.location?.line} ${d.code} ${d.message}`);
    expect(errors).toEqual([]);
    expect(r.stats.objects).toBeGreaterThan(0);
    expect(r.stats.unvalidatedKinds).toEqual([]);
  });

  it("fits its node", () => {
    const b = budgetOf(input, session.spec.platform.cluster);
    expect(b.components.length).toBeGreaterThan(0);
    expect(b.fits).toBe(true);
  });
});
