import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests import workspace packages from source, so a test run never sees a stale build;
// CLI tests spawn the built binary, which is why `npm test` builds first.
export default defineConfig({
  resolve: {
    alias: {
      "@slipway/core": fileURLToPath(new URL("./packages/core/src/index.ts", import.meta.url)),
    },
  },
  test: {
    include: ["packages/*/test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
