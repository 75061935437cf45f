import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiServer, type TestApiServer } from "../../core/test/helpers/apiserver.js";
import { CHARTS_DIR, tool } from "../../core/test/helpers/tools.js";
import { repo, slipway } from "./_slipway.js";

const SCHEMAS = process.env.SLIPWAY_SCHEMA_DIR ?? join(repo, "../shared/upstream");

interface ServerJson {
  ok: boolean;
  errors: number;
  diagnostics: { code: string; severity: string; file: string | null }[];
  server: { applied: number; rejected: number; unknownKinds: number } | null;
  stats: { objects: number; charts?: { objects: number } };
}

/**
 * `slipway check --server` end to end: the built binary, a kubeconfig with a token and a CA, and a
 * real kube-apiserver that has none of the platform's namespaces or CRDs yet, as before a first sync.
 */
describe("slipway check --server", () => {
  let kube: TestApiServer;
  let dir: string;
  beforeAll(async () => {
    kube = await startApiServer();
    dir = mkdtempSync(join(tmpdir(), "slipway-check-server-"));
    const cluster = {
      server: kube.server.url,
      "certificate-authority-data": Buffer.from(kube.server.ca ?? "").toString("base64"),
    };
    // Contexts: homelab (admin token, the CA), stranger (an unknown token), untrusted (no CA).
    writeFileSync(
      join(dir, "kubeconfig"),
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        "current-context": "homelab",
        contexts: [
          { name: "homelab", context: { cluster: "c", user: "u" } },
          { name: "stranger", context: { cluster: "c", user: "stranger" } },
          { name: "untrusted", context: { cluster: "no-ca", user: "u" } },
        ],
        clusters: [
          { name: "c", cluster },
          { name: "no-ca", cluster: { server: kube.server.url } },
        ],
        users: [
          { name: "u", user: { token: kube.server.token } },
          { name: "stranger", user: { token: "not-a-token-the-server-knows" } },
        ],
      }),
    );
  }, 120_000);
  afterAll(async () => {
    await kube?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("dry-runs the example platform: no errors; what the sync creates first is info; nothing written", async () => {
    const r = slipway([
      "check",
      "--config",
      join(repo, "examples/homelab/platform.yaml"),
      "--schemas",
      SCHEMAS,
      "--server",
      "--kubeconfig",
      join(dir, "kubeconfig"),
      // The charts' output is sent too.
      "--render-charts",
      "--charts",
      CHARTS_DIR,
      "--helm",
      tool("helm"),
      "--format",
      "json",
    ]);
    expect(r.stderr).toBe("");
    const j = JSON.parse(r.stdout) as ServerJson;
    expect(j.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(r.code).toBe(0);
    // Every object is sent, but those of kinds whose CRDs are not installed yet (info, counted apart).
    expect((j.server?.applied ?? 0) + (j.server?.unknownKinds ?? 0)).toBe(
      j.stats.objects + (j.stats.charts?.objects ?? 0),
    );
    expect(j.stats.charts?.objects).toBeGreaterThan(0);
    expect(j.diagnostics.some((d) => d.code === "SW_CHECK_SERVER_NOT_YET" && d.severity === "info")).toBe(
      true,
    );
    expect((await kube.get("/api/v1/namespaces/blog")).status).toBe(404);
  }, 120_000);

  // The connection is the user's input: a bad one is exit 2 with a code, never findings about the tree.
  for (const [context, code] of [
    ["nope", "SW_KUBECONFIG"],
    ["stranger", "SW_CHECK_SERVER_FORBIDDEN"],
    ["untrusted", "SW_CHECK_SERVER_UNREACHABLE"],
  ] as const) {
    it(`context ${context}: exit 2, ${code}`, () => {
      const r = slipway([
        "check",
        "--config",
        join(repo, "examples/homelab/platform.yaml"),
        "--server",
        "--kubeconfig",
        join(dir, "kubeconfig"),
        "--context",
        context,
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(code);
    });
  }
});
