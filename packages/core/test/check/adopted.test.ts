import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderCharts } from "../../src/check/charts.js";
import { checkInput } from "../../src/check/check.js";
import { buildCheckInput, parseYamlDocuments } from "../../src/check/input.js";
import { noExistingCollision } from "../../src/check/policies/no-existing-collision.js";
import { policyCode } from "../../src/check/policy.js";
import { SchemaDir } from "../../src/check/schemas/schema-dir.js";
import { checkServer } from "../../src/check/server.js";
import { checkTerraform } from "../../src/check/terraform.js";
import { renderPlatform } from "../../src/synth.js";
import { startApiServer, type TestApiServer } from "../helpers/apiserver.js";
import { CHARTS_DIR, tool } from "../helpers/tools.js";
import { SCHEMA_DIR } from "./helpers.js";

/**
 * Issue 12's "done when": a platform shaped like the owner's real topology (remote Argo CD, Cilium,
 * Loki/Tempo elsewhere, an existing collector, an existing tunnel with a wildcard, external-dns)
 * renders and passes every stage of `check` the example passes (schemas, policies, helm template,
 * kube-apiserver dry-run, OpenTofu), and nothing it renders replaces what exists (ADR 0013).
 */
const FIXTURE = join(import.meta.dirname, "../fixtures/adopted");
const session = renderPlatform(join(FIXTURE, "platform.yaml"));
const kubernetesVersion = session.spec.platform.cluster.kubernetesVersion;
const files = [...session.files];
const input = buildCheckInput(files, session.apps);
const text = (d: { code: string; location?: { file: string }; message: string }) =>
  `${d.code} ${d.location?.file}: ${d.message}`;
const objectsOf = (prefix: string) =>
  files.filter((f) => f.path.startsWith(prefix)).flatMap((f) => parseYamlDocuments(f.content)) as any[];

/** The fixture with `edit` applied to its platform.yaml text, in a new directory. */
function variant(edit: (yaml: string) => string) {
  const dir = mkdtempSync(join(tmpdir(), "slipway-adopted-"));
  cpSync(FIXTURE, dir, { recursive: true });
  const file = join(dir, "platform.yaml");
  writeFileSync(file, edit(readFileSync(file, "utf8")));
  try {
    const s = renderPlatform(file);
    return buildCheckInput([...s.files], s.apps);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const collisions = (i: ReturnType<typeof buildCheckInput>) =>
  [...noExistingCollision.check(i)].map((f) => `${f.file} ${f.diagnostic.path.join(".")}`).sort();

let kube: TestApiServer;
beforeAll(async () => {
  kube = await startApiServer();
}, 120_000);
afterAll(async () => {
  await kube?.stop();
});

describe("a platform adopted onto the owner's topology (test/fixtures/adopted)", () => {
  it("renders around what exists: no Argo CD, no collector, no records, the tunnel's rules kept", () => {
    const apps = objectsOf("argocd/applications/");
    expect(apps.map((a) => a.metadata.name)).not.toContain("argocd");
    for (const a of apps.filter((x) => x.metadata.name !== "argocd-cluster")) {
      expect(a.spec.destination.name).toBe("homelab");
    }
    expect(objectsOf("k8s/").filter((o) => o?.kind === "OpenTelemetryCollector")).toEqual([]);
    expect(files.some((f) => f.path === "k8s/helm/manifests/namespaces/namespace-monitoring.yaml")).toBe(
      false,
    );
    expect(files.some((f) => f.path === "cloudflare/terraform/dns.tf.json")).toBe(false);
    const tunnel = JSON.parse(
      files.find((f) => f.path === "cloudflare/terraform/tunnel.tf.json")?.content ?? "{}",
    );
    const ingress = tunnel.resource.cloudflare_zero_trust_tunnel_cloudflared_config.homelab.config.ingress;
    expect(ingress.slice(-2)).toEqual([
      { hostname: "*.meirong.dev", service: "http://ingress.ops.meirong.dev:80" },
      { service: "http_status:404" },
    ]);
    const cni = parseYamlDocuments(
      files.find((f) => f.path === "k8s/helm/values/istio-cni.yaml")?.content ?? "",
    )[0];
    expect(cni).toMatchObject({ cniConfDir: "/etc/cni/net.d", cniBinDir: "/opt/cni/bin" });
  });

  it("passes the schemas, every policy (no-existing-collision included) and helm template of every chart", async () => {
    const r = await checkInput(input, {
      schemaDir: SCHEMA_DIR,
      kubernetesVersion,
      charts: { helm: tool("helm"), chartsDir: CHARTS_DIR, offline: true },
    });
    expect(r.diagnostics.filter((d) => d.severity !== "info").map(text)).toEqual([]);
    expect(r.stats.policies).toContain("no-existing-collision");
    expect(r.stats.charts?.rendered).toBeGreaterThan(0);
  }, 180_000);

  it("is accepted by a real kube-apiserver (server-side apply, dry-run), with what its charts render", async () => {
    const charts = await renderCharts(
      input,
      { helm: tool("helm"), chartsDir: CHARTS_DIR, offline: true },
      kubernetesVersion,
      new SchemaDir(SCHEMA_DIR, kubernetesVersion),
    );
    const r = await checkServer(input, {
      server: kube.server,
      mode: "scratch",
      schemaDir: SCHEMA_DIR,
      kubernetesVersion,
      extra: charts,
    });
    expect(r.diagnostics.filter((d) => d.severity === "error").map(text)).toEqual([]);
    expect(r.stats.applied).toBeGreaterThanOrEqual(input.objects.length);
  }, 180_000);

  it("loads every Terraform root in OpenTofu, every reference resolved", async () => {
    const mirror = mkdtempSync(join(tmpdir(), "slipway-tf-mirror-"));
    try {
      const r = await checkTerraform(files, {
        tofu: tool("tofu"),
        tfrefs: tool("slipway-tfrefs"),
        providerMirror: mirror,
      });
      expect(r.diagnostics.filter((d) => d.severity === "error").map(text)).toEqual([]);
      for (const root of r.roots)
        expect(root).toMatchObject({ references: "ok", init: "providers-unavailable" });
    } finally {
      rmSync(mirror, { recursive: true, force: true });
    }
  }, 120_000);

  it("fails check when a change would collide with what exists (the policy's failing fixtures, rendered)", () => {
    expect(collisions(input)).toEqual([]);
    // Slipway's own collector: the operator would make Deployment and Service otel-collector.
    expect(collisions(variant((y) => y.replace("collector: existing", "collector: deploy")))).toEqual([
      "k8s/helm/manifests/otel/opentelemetrycollector-otel.yaml metadata.name",
      "k8s/helm/manifests/otel/opentelemetrycollector-otel.yaml metadata.name",
    ]);
    // DNS handed back to Slipway while the inventory says external-dns owns it is caught on the tree.
    const withRecord = buildCheckInput(
      [
        ...files,
        {
          path: "cloudflare/terraform/dns.tf.json",
          owner: "cloudflare",
          content: JSON.stringify({
            resource: { cloudflare_dns_record: { blog: { name: "blog.meirong.dev" } } },
          }),
        },
      ],
      session.apps,
    );
    expect(collisions(withRecord)).toEqual([
      "cloudflare/terraform/dns.tf.json resource.cloudflare_dns_record.blog",
    ]);
    expect(policyCode(noExistingCollision.id)).toBe("SW_POLICY_NO_EXISTING_COLLISION");
  });
});
