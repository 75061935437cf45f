import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests import workspace packages from source, so a test run never sees a stale build;
// CLI tests spawn the built binary, which is why `npm test` builds first.
const src = (p: string) => fileURLToPath(new URL(`./packages/${p}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@slipway\/core$/, replacement: src("core/src/index.ts") },
      { find: /^@slipway\/core\/lite$/, replacement: src("core/src/lite.ts") },
    ],
  },
  test: {
    include: ["packages/*/test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
