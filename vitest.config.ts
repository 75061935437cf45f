import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests import @slipway/core from source (these aliases), so a test run never sees a stale core
// build. Other workspace packages imported by name (@slipway/presets from scaffold's code) resolve
// to their dist, and CLI tests spawn the built binary: which is why `npm test` builds first.
const src = (p: string) => fileURLToPath(new URL(`./packages/${p}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@slipway\/core$/, replacement: src("core/src/index.ts") },
      { find: /^@slipway\/core\/lite$/, replacement: src("core/src/lite.ts") },
      { find: /^@slipway\/core\/synth$/, replacement: src("core/src/synth-entry.ts") },
    ],
  },
  test: {
    include: ["packages/*/test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
