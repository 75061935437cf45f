import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { expect } from "vitest";
import { describe, type GeneratedFile, generate } from "../../src/index.js";

/** Upstream schemas (see ../shared/upstream/README.md); `SLIPWAY_SCHEMA_DIR` overrides. */
export const SCHEMA_DIR =
  process.env.SLIPWAY_SCHEMA_DIR ?? join(import.meta.dirname, "../../../../../shared/upstream");

/** Every preset with a representative request, and one with every optional parameter set. */
export const SAMPLE_REQUESTS: readonly (readonly [string, Record<string, unknown>])[] = [
  ["spring-boot-postgres-oidc", { name: "notes", owner: "OctoCat" }],
  [
    "spring-boot-postgres-oidc",
    {
      name: "billing-api",
      owner: "acme-corp",
      description: `Bills & "invoices" <b>$HOME</b> \`x\``,
      groupId: "dev.acme",
      artifactId: "billing",
      packageName: "dev.acme.billing.api",
      javaVersion: "25",
      port: 9090,
      system: "payments",
      lifecycle: "production",
    },
  ],
  ["spring-boot-microservice", { name: "greeter", owner: "octocat" }],
  ["spring-boot-microservice", { name: "greeter-2", owner: "octocat", javaVersion: "25", port: "8081" }],
  ["static-frontend", { name: "site", owner: "octocat" }],
  ["static-frontend", { name: "docs-site", owner: "octocat", description: "<script>alert(1)</script>" }],
  ["node-service", { name: "demo", owner: "octocat" }],
  ["node-service", { name: "api-gw", owner: "Acme", description: 'Says "hi" \\ $x', port: 3000 }],
];

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => void;

/** Asserts that a parsed GitHub Actions workflow is valid against the pinned workflow schema. */
export function expectValidWorkflow(workflow: unknown): void {
  const schema = JSON.parse(
    readFileSync(join(SCHEMA_DIR, "github-workflow/3b6446ad/github-workflow.json"), "utf8"),
  );
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  expect(validate(workflow), JSON.stringify(validate.errors)).toBe(true);
}

export function generateSample(presetId: string, request: Record<string, unknown>): GeneratedFile[] {
  return generate(describe(presetId, request));
}

/** Writes files under a fresh temp directory (world-readable so an unprivileged nginx worker can read it). */
export function writeProject(files: readonly GeneratedFile[], prefix = "slipway-preset-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  for (const f of files) {
    const path = join(dir, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content, { mode: f.mode ?? 0o644 });
  }
  return dir;
}

export function fileOf(files: readonly GeneratedFile[], path: string): string {
  const f = files.find((x) => x.path === path);
  if (!f) throw new Error(`no ${path} among ${files.map((x) => x.path).join(", ")}`);
  return f.content;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls until `fn` resolves without throwing, or fails after `timeoutMs`. */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
