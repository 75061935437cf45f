// In-process split of one `slipway new --dry-run`: import cost, then the onboarding itself (first
// and warm call). Usage: node bench/new/phases.mjs [platform dir, default examples/homelab]
import { join } from "node:path";

const t0 = performance.now();
const core = await import("@slipway/core");
const t1 = performance.now();
const { onboard } = await import("@slipway/onboarding");
const t2 = performance.now();
const platformConfig = process.argv[2] ?? join(import.meta.dirname, "../../examples/homelab");
const opts = { platformConfig, name: "demo", presetId: "node-service", dryRun: true };
onboard(opts);
const t3 = performance.now();
onboard(opts);
const t4 = performance.now();
const p = core.prepare(platformConfig);
const t5 = performance.now();
const s = core.renderPlatform(platformConfig);
const files = [...s.files];
const t6 = performance.now();
core.writeTree(p.spec.root, files, { dryRun: true, diff: true, conflicts: "return" });
const t7 = performance.now();
const f = (x) => `${x.toFixed(0)} ms`;
console.log(
  JSON.stringify(
    {
      "import @slipway/core": f(t1 - t0),
      "import @slipway/onboarding (core cached)": f(t2 - t1),
      "onboard --dry-run, first call": f(t3 - t2),
      "onboard --dry-run, warm": f(t4 - t3),
      "of which (warm): prepare": f(t5 - t4),
      "render + collect files": f(t6 - t5),
      "writeTree dry run with diffs": f(t7 - t6),
    },
    null,
    1,
  ),
);
