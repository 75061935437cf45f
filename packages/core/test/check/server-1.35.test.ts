import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderCharts } from "../../src/check/charts.js";
import { checkInput } from "../../src/check/check.js";
import { buildCheckInput } from "../../src/check/input.js";
import { SchemaDir } from "../../src/check/schemas/schema-dir.js";
import { checkServer } from "../../src/check/server.js";
import { renderPlatform } from "../../src/synth.js";
import { KUBE_APISERVER, startApiServer, type TestApiServer } from "../helpers/apiserver.js";
import { exampleVariant } from "../helpers/example-variant.js";
import { CHARTS_DIR, tool } from "../helpers/tools.js";
import { SCHEMA_DIR } from "./helpers.js";

/**
 * `kubernetesVersion: "1.35"` end to end: the example platform rendered for 1.35 against the 1.35
 * core schemas and a real kube-apiserver v1.35.4 (tools/kube135), its charts rendered with
 * `--kube-version 1.35` as Argo CD on that cluster would. The EKS variant rides along: its gp3
 * StorageClass and NLB Service are accepted by the same server.
 */
const VERSION = "1.35";

let kube: TestApiServer;
beforeAll(async () => {
  kube = await startApiServer(undefined, VERSION);
}, 120_000);
afterAll(async () => {
  await kube?.stop();
});

const text = (d: {
  code: string;
  location?: { file: string };
  path: readonly (string | number)[];
  message: string;
}) => `${d.code} ${d.location?.file} ${d.path.join(".")}: ${d.message}`;

describe(`the example rendered for Kubernetes ${VERSION}`, () => {
  it("talks to the kube-apiserver of that version", async () => {
    const r = await kube.get("/version");
    expect(JSON.parse(r.body).gitVersion).toBe(KUBE_APISERVER[VERSION]?.gitVersion);
  });

  for (const [name, cluster] of Object.entries({
    k3s: { kubernetesVersion: VERSION },
    eks: {
      kubernetesVersion: VERSION,
      distribution: "eks",
      aws: {
        region: "eu-west-1",
        ingress: {
          type: "nlb",
          certificateArn:
            "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        },
        vaultIam: { mode: "irsa", roleArn: "arn:aws:iam::123456789012:role/vault-unseal" },
      },
    },
  })) {
    it(`${name}: passes the ${VERSION} schemas and server-side dry-run, charts included`, async () => {
      const session = renderPlatform(exampleVariant(cluster));
      expect(session.spec.platform.cluster.kubernetesVersion).toBe(VERSION);
      const files = [...session.files];
      // Pod Security labels pin the cluster's minor.
      const ns = files.find((f) => f.path === "k8s/helm/manifests/namespaces/namespace-blog.yaml");
      expect(ns?.content).toContain(`pod-security.kubernetes.io/enforce-version: v${VERSION}`);
      const input = buildCheckInput(files, session.apps);
      const schemas = await checkInput(input, { schemaDir: SCHEMA_DIR, kubernetesVersion: VERSION });
      expect(schemas.diagnostics.filter((d) => d.severity === "error").map(text)).toEqual([]);
      const charts = await renderCharts(
        input,
        { helm: tool("helm"), chartsDir: CHARTS_DIR, offline: true },
        VERSION,
        new SchemaDir(SCHEMA_DIR, VERSION),
      );
      expect(charts.findings.map((f) => `${f.diagnostic.code} ${f.file}`)).toEqual([]);
      const r = await checkServer(input, {
        server: kube.server,
        mode: "scratch",
        schemaDir: SCHEMA_DIR,
        kubernetesVersion: VERSION,
        extra: charts,
      });
      expect(r.diagnostics.filter((d) => d.severity === "error").map(text)).toEqual([]);
      expect(r.stats.applied).toBeGreaterThanOrEqual(input.objects.length + charts.objects.length);
      console.info(
        `${name} on kube-apiserver ${KUBE_APISERVER[VERSION]?.gitVersion} (ready in ${kube.startMs} ms): ${r.stats.applied} applies in ${r.stats.ms} ms`,
      );
    }, 240_000);
  }
});
