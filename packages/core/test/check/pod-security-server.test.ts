import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderCharts } from "../../src/check/charts.js";
import { buildCheckInput } from "../../src/check/input.js";
import { podSecurityStandards } from "../../src/check/policies/pod-security-standards.js";
import { SchemaDir } from "../../src/check/schemas/schema-dir.js";
import { checkServer } from "../../src/check/server.js";
import type { K8sObject } from "../../src/render/k8s.js";
import { renderPlatform } from "../../src/synth.js";
import { startApiServer, type TestApiServer } from "../helpers/apiserver.js";
import { CHARTS_DIR, tool } from "../helpers/tools.js";
import { SCHEMA_DIR, yamlFile } from "./helpers.js";

/**
 * The Pod Security labels Slipway puts on every namespace, judged by the real thing: a
 * kube-apiserver's PodSecurity admission, which warns (`warn` label) about every workload that
 * would break its namespace's level. On the example platform, with everything its charts render,
 * it has nothing to say; a pod that breaks `restricted` in a service namespace draws the warning,
 * and `check`'s own `pod-security-standards` finds the same pod.
 */
const example = renderPlatform(join(import.meta.dirname, "../../../../examples/homelab/platform.yaml"));
const kubernetesVersion = example.spec.platform.cluster.kubernetesVersion;
const files = [...example.files];
const podSecurityWarnings = (r: Awaited<ReturnType<typeof checkServer>>) =>
  r.diagnostics
    .filter((d) => d.code === "SW_CHECK_SERVER_WARNING" && d.message.includes("PodSecurity"))
    .map((d) => `${d.location?.file}: ${d.message}`);

let kube: TestApiServer;
beforeAll(async () => {
  kube = await startApiServer(undefined, kubernetesVersion);
}, 120_000);
afterAll(async () => {
  await kube?.stop();
});

describe("Pod Security labels under kube-apiserver's PodSecurity admission (issue 11, H5)", () => {
  it("no workload of the example platform, Slipway's or a chart's, breaks its namespace's level", async () => {
    const input = buildCheckInput(files, example.apps);
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
    expect(r.stats.namespacesCreated).toBeGreaterThan(10);
    expect(podSecurityWarnings(r)).toEqual([]);
  }, 180_000);

  it("with every namespace restricted, the server and check flag exactly the same workloads", async () => {
    // Every namespace labelled restricted: the charts that need more (Vault, Istio, Alloy) now break it.
    const strict = files.map((f) =>
      f.path.startsWith("k8s/helm/manifests/namespaces/")
        ? {
            ...f,
            content: f.content.replace(
              /(pod-security\.kubernetes\.io\/(enforce|audit|warn)): \w+$/gm,
              "$1: restricted",
            ),
          }
        : f,
    );
    const input = buildCheckInput(strict, example.apps);
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
    const server = new Set(podSecurityWarnings(r).map((w) => w.slice(0, w.indexOf(": "))));
    const ours = new Set(
      [...podSecurityStandards.check({ ...input, objects: [...input.objects, ...charts.objects] })].map(
        (f) => f.file,
      ),
    );
    expect(server.size).toBeGreaterThanOrEqual(4);
    expect([...ours].sort()).toEqual([...server].sort());
    console.info(
      `restricted everywhere: ${server.size} workloads refused by both kube-apiserver and check: ${[...server].sort().join(", ")}`,
    );
  }, 180_000);

  it("a pod breaking restricted in a service namespace draws the server's warning and check's finding", async () => {
    const deployment: K8sObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "rooted", namespace: "blog" },
      spec: {
        selector: { matchLabels: { app: "rooted" } },
        template: {
          metadata: { labels: { app: "rooted" } },
          spec: {
            containers: [
              {
                name: "rooted",
                image: "busybox:1.37",
                resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "16Mi" } },
              },
            ],
          },
        },
      },
    };
    const path = "k8s/helm/manifests/blog/deployment-rooted.yaml";
    const input = buildCheckInput(
      [
        ...files.filter((f) => f.path === "k8s/helm/manifests/namespaces/namespace-blog.yaml"),
        yamlFile(path, [deployment], "blog"),
      ],
      example.apps,
    );
    const r = await checkServer(input, { server: kube.server, mode: "scratch", kubernetesVersion });
    const warnings = podSecurityWarnings(r);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`restricted:v${kubernetesVersion}`);
    // The server names the same four controls check reports for this container.
    for (const control of ["allowPrivilegeEscalation", "capabilities", "runAsNonRoot", "seccompProfile"]) {
      expect(warnings[0]).toContain(control);
    }
    const ours = [...podSecurityStandards.check(input)].map((f) => f.diagnostic.path.at(-1));
    expect(ours.sort()).toEqual(["allowPrivilegeEscalation", "drop", "runAsNonRoot", "seccompProfile"]);
  }, 60_000);
});
