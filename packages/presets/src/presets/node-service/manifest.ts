/**
 * The generated project's package.json, as data. Versions are exact: the bundled lockfile template
 * (`assets/node-service/package-lock.json`) was resolved from exactly these by
 * `scripts/update-node-lockfile.mjs`, and a test fails when the two disagree.
 */
export const NODE_SERVICE_DEPENDENCIES = {
  "@opentelemetry/api": "1.10.0",
  "@opentelemetry/sdk-node": "0.301.0",
  "openid-client": "6.9.0",
} as const;

export const NODE_SERVICE_DEV_DEPENDENCIES = {
  "@biomejs/biome": "2.6.8",
  "@types/node": "24.19.2",
  typescript: "7.0.2",
} as const;

/** The name the lockfile template is generated under; replaced by the project name at generation. */
export const LOCKFILE_TEMPLATE_NAME = "node-service-template";

export function nodeServicePackageJson(name: string): Record<string, unknown> {
  return {
    name,
    version: "0.1.0",
    private: true,
    type: "module",
    engines: { node: ">=24" },
    scripts: {
      build: "tsc -p tsconfig.build.json",
      start: "node dist/server.js",
      // Older Node fails on the TypeScript sources with errors that do not say why; say why first.
      predev: "node scripts/require-node.mjs",
      dev: "node --watch src/server.ts",
      pretest: "node scripts/require-node.mjs",
      test: 'node --test "test/**/*.test.ts"',
      lint: "biome check . && tsc -p tsconfig.json",
    },
    dependencies: { ...NODE_SERVICE_DEPENDENCIES },
    devDependencies: { ...NODE_SERVICE_DEV_DEPENDENCIES },
  };
}
