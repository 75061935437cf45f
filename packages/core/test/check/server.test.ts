import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderCharts } from "../../src/check/charts.js";
import { checkInput } from "../../src/check/check.js";
import { buildCheckInput, parseYamlDocuments } from "../../src/check/input.js";
import { apiServerFromKubeconfig } from "../../src/check/kubeconfig.js";
import { SchemaDir } from "../../src/check/schemas/schema-dir.js";
import { checkServer, fieldPath } from "../../src/check/server.js";
import type { K8sObject } from "../../src/render/k8s.js";
import { renderPlatform } from "../../src/synth.js";
import { startApiServer, type TestApiServer, writeKubeconfig } from "../helpers/apiserver.js";
import { CHARTS_DIR, tool } from "../helpers/tools.js";
import { crdFixture, SCHEMA_DIR, yamlFile } from "./helpers.js";

/**
 * The server stage against a real etcd + kube-apiserver (tools/build.sh kube, the platform's
 * Kubernetes version): one server for the file, CRDs and Namespaces created for real, every
 * object sent with server-side apply in dry-run.
 */
const EXAMPLE = join(import.meta.dirname, "../../../../examples/homelab");
const example = renderPlatform(join(EXAMPLE, "platform.yaml"));
const kubernetesVersion = example.spec.platform.cluster.kubernetesVersion;
const files = [...example.files];
const namespaceFile = (name: string) =>
  files.filter((f) => f.path === `k8s/helm/manifests/namespaces/namespace-${name}.yaml`);

let kube: TestApiServer;
beforeAll(async () => {
  kube = await startApiServer(undefined, kubernetesVersion);
}, 120_000);
afterAll(async () => {
  await kube?.stop();
});

const where = (d: { code: string; location?: { file: string }; path: readonly (string | number)[] }) =>
  `${d.code} ${d.location?.file} ${d.path.join(".")}`;

describe("checkServer against kube-apiserver", () => {
  // First, while the server is empty, as a user's cluster before the platform's first sync.
  it("on a user's cluster (dry-run, kubeconfig) writes nothing: what the sync creates first is info", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slipway-kubeconfig-"));
    try {
      const path = join(dir, "config");
      // A client certificate this time (the CLI's test uses a token).
      writeKubeconfig(path, kube, {
        "client-certificate-data": Buffer.from(kube.client.cert).toString("base64"),
        "client-key-data": Buffer.from(kube.client.key).toString("base64"),
      });
      const input = buildCheckInput(files, example.apps);
      const server = apiServerFromKubeconfig({ path });
      expect(server.token).toBeUndefined();
      const r = await checkServer(input, {
        server,
        mode: "dry-run",
        schemaDir: SCHEMA_DIR,
        kubernetesVersion,
      });
      expect(r.diagnostics.filter((d) => d.severity === "error").map(where)).toEqual([]);
      const notYet = r.diagnostics.filter((d) => d.code === "SW_CHECK_SERVER_NOT_YET");
      expect(notYet.length).toBeGreaterThan(0);
      expect(notYet.every((d) => d.severity === "info")).toBe(true);
      // Namespaces and CRDs were dry-run only: none exists afterwards.
      expect(r.stats.namespacesCreated + r.stats.crdsInstalled).toBe(0);
      expect((await kube.get("/api/v1/namespaces/blog")).status).toBe(404);
      expect((await kube.get("/apis/gateway.networking.k8s.io/v1")).status).toBe(404);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("accepts the example platform's whole tree and what its charts render", async () => {
    const input = buildCheckInput(files, example.apps);
    // As Argo CD would deploy it: the charts rendered with the tree's values, their CRDs installed.
    const charts = await renderCharts(
      input,
      { helm: tool("helm"), chartsDir: CHARTS_DIR, offline: true },
      kubernetesVersion,
      new SchemaDir(SCHEMA_DIR, kubernetesVersion),
    );
    expect(charts.findings.map((f) => `${f.diagnostic.code} ${f.file}`)).toEqual([]);
    const r = await checkServer(input, {
      server: kube.server,
      mode: "scratch",
      schemaDir: SCHEMA_DIR,
      kubernetesVersion,
      extra: charts,
    });
    const text = (d: (typeof r.diagnostics)[number]) => `${where(d)}: ${d.message}`;
    expect(r.diagnostics.filter((d) => d.severity === "error").map(text)).toEqual([]);
    // Slipway's own files get no warning either: no value the server would store differently.
    // (Upstream charts may: istio-cni still uses the deprecated AppArmor annotation.)
    expect(r.diagnostics.filter((d) => !d.location?.file.startsWith("helm:")).map(text)).toEqual([]);
    expect(r.stats.applied).toBeGreaterThanOrEqual(input.objects.length + charts.objects.length);
    expect(r.stats.crdsInstalled).toBeGreaterThan(0);
    expect(r.stats.namespacesCreated).toBeGreaterThan(0);
    console.info(
      `kube-apiserver ready in ${kube.startMs} ms; ${input.objects.length} objects of the tree and ${charts.objects.length} of ${charts.stats.rendered} charts (helm ${charts.stats.ms} ms), ${r.stats.crdsInstalled} CRDs, ${r.stats.namespacesCreated} namespaces, ${r.stats.applied} applies in ${r.stats.ms} ms`,
    );
  }, 180_000);

  it("rejects an HTTPRoute that breaks a CEL rule the schema check cannot evaluate", async () => {
    // A Service backendRef without a port: structurally valid, refused by the CRD's
    // x-kubernetes-validations rule "Must have port for Service reference".
    const route: K8sObject = {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: "portless", namespace: "blog" },
      spec: {
        parentRefs: [{ name: "platform", namespace: "traefik", sectionName: "web" }],
        rules: [{ backendRefs: [{ kind: "Service", name: "blog" }] }],
      },
    };
    const path = "k8s/helm/manifests/blog/httproute-portless.yaml";
    const input = buildCheckInput(
      [
        ...files.filter((f) => f.path.startsWith("k8s/helm/manifests/namespaces/")),
        yamlFile(path, [route], "blog"),
      ],
      example.apps,
    );

    const schema = await checkInput(input, { schemaDir: SCHEMA_DIR, kubernetesVersion, policies: [] });
    expect(schema.diagnostics.filter((d) => d.location?.file === path)).toEqual([]);

    const r = await checkServer(input, {
      server: kube.server,
      mode: "scratch",
      schemaDir: SCHEMA_DIR,
      kubernetesVersion,
    });
    expect(r.diagnostics.filter((d) => d.severity === "error").map(where)).toEqual([
      `SW_CHECK_SERVER_REJECTED ${path} spec.rules.0.backendRefs.0`,
    ]);
  }, 60_000);

  it("rejects an unknown field with the server's strict decoding, at its path", async () => {
    const cm: K8sObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "typo", namespace: "blog" },
      data: { a: "b" },
      dataa: { c: "d" },
    };
    const path = "k8s/helm/manifests/blog/configmap-typo.yaml";
    const input = buildCheckInput([...namespaceFile("blog"), yamlFile(path, [cm], "blog")], example.apps);
    const r = await checkServer(input, { server: kube.server, mode: "scratch", kubernetesVersion });
    expect(r.diagnostics.filter((d) => d.severity === "error").map(where)).toEqual([
      `SW_CHECK_SERVER_REJECTED ${path} dataa`,
    ]);
  }, 60_000);
});

describe("checkServer with objects from outside the tree (a chart's helm template output)", () => {
  it("installs their CRDs first and sends their objects: a CEL rule of a chart's CRD rejects", async () => {
    const crd: K8sObject = crdFixture("charts.example.com", "Widget", {
      properties: { min: { type: "integer" }, max: { type: "integer" } },
      "x-kubernetes-validations": [{ rule: "self.min <= self.max", message: "min must not exceed max" }],
    });
    const widget: K8sObject = {
      apiVersion: "charts.example.com/v1",
      kind: "Widget",
      metadata: { name: "w", namespace: "blog" },
      spec: { min: 3, max: 1 },
    };
    const file = (template: string, objects: K8sObject[]) =>
      yamlFile(`helm:blog/${template}`, objects, "blog");
    const chartFiles = [file("crds/widgets.yaml", [crd]), file("templates/widget.yaml", [widget])];
    const objects = chartFiles.map((f, i) => ({
      file: f.path,
      doc: 0,
      object: i === 0 ? crd : widget,
      owner: "blog",
    }));
    const input = buildCheckInput(namespaceFile("blog"), example.apps);
    const r = await checkServer(input, {
      server: kube.server,
      mode: "scratch",
      kubernetesVersion,
      extra: { objects, files: chartFiles },
    });
    expect(r.stats.crdsInstalled).toBe(1);
    expect(r.diagnostics.map(where)).toEqual([
      "SW_CHECK_SERVER_REJECTED helm:blog/templates/widget.yaml spec",
    ]);
  }, 60_000);
});

describe("charts' output with Slipway's values, through the server", () => {
  // Defect found by this stage: the keycloakx chart sets KC_HTTP_ENABLED itself (proxy.http.enabled),
  // and Slipway's extraEnv set it again; server-side apply refuses a list with a duplicate key.
  it("keycloakx: the StatefulSet has no env var twice", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slipway-keycloak-"));
    try {
      const platform = readFileSync(join(EXAMPLE, "platform.yaml"), "utf8").replace(
        "provider: zitadel",
        "provider: keycloak",
      );
      expect(platform).toContain("provider: keycloak");
      writeFileSync(join(dir, "platform.yaml"), platform);
      cpSync(join(EXAMPLE, "services"), join(dir, "services"), { recursive: true });
      const session = renderPlatform(join(dir, "platform.yaml"));
      const treeFiles = [...session.files];
      const values = treeFiles.find((f) => f.path === "k8s/helm/values/keycloak.yaml");
      expect(values).toBeDefined();
      writeFileSync(join(dir, "values.yaml"), values?.content ?? "");
      const helm = spawnSync(
        tool("helm"),
        [
          "template",
          "keycloak",
          join(CHARTS_DIR, "keycloakx/7.1.11"),
          "-n",
          "keycloak",
          "-f",
          join(dir, "values.yaml"),
        ],
        { encoding: "utf8" },
      );
      expect(helm.stderr).toBe("");
      const objects = parseYamlDocuments(helm.stdout).filter(
        (o): o is K8sObject => (o as K8sObject | null)?.kind === "StatefulSet",
      );
      expect(objects.length).toBe(1);
      const file = yamlFile("helm:keycloak/keycloakx/templates/statefulset.yaml", objects, "identity");
      const input = buildCheckInput(
        treeFiles.filter((f) => f.path === "k8s/helm/manifests/namespaces/namespace-keycloak.yaml"),
        session.apps,
      );
      expect(input.objects.length).toBe(1);
      const r = await checkServer(input, {
        server: kube.server,
        mode: "scratch",
        kubernetesVersion,
        extra: {
          objects: objects.map((object, doc) => ({ file: file.path, doc, object, owner: "identity" })),
          files: [file],
        },
      });
      expect(r.diagnostics.filter((d) => d.severity === "error").map(where)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("checkServer, what the server stores", () => {
  it("warns where the server stores a value differently from the file (Argo CD would see a diff)", async () => {
    const deployment: K8sObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "quantities", namespace: "blog" },
      spec: {
        selector: { matchLabels: { app: "q" } },
        template: {
          metadata: { labels: { app: "q" } },
          spec: {
            // Pod Security restricted, as namespace blog enforces: otherwise the server warns about that too.
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "q",
                image: "busybox:1.37",
                resources: { requests: { cpu: "1000m", memory: "64Mi" } },
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
              },
            ],
          },
        },
      },
    };
    const path = "k8s/helm/manifests/blog/deployment-quantities.yaml";
    const input = buildCheckInput(
      [...namespaceFile("blog"), yamlFile(path, [deployment], "blog")],
      example.apps,
    );
    const r = await checkServer(input, { server: kube.server, mode: "scratch", kubernetesVersion });
    expect(r.diagnostics.map(where)).toEqual([
      `SW_CHECK_SERVER_NORMALIZED ${path} spec.template.spec.containers.0.resources.requests.cpu`,
    ]);
  }, 60_000);
});

describe("fieldPath", () => {
  const o = {
    spec: { containers: [{ name: "a" }, { name: "app", image: "x" }] },
    metadata: { annotations: { "a.b/c": "1" } },
  };
  it("reads the API server's and structured-merge-diff's notations", () => {
    expect(fieldPath("spec.containers[1].image", o)).toEqual(["spec", "containers", 1, "image"]);
    expect(fieldPath('.spec.containers[name="app"].image', o)).toEqual(["spec", "containers", 1, "image"]);
    expect(fieldPath("metadata.annotations[a.b/c]", o)).toEqual(["metadata", "annotations", "a.b/c"]);
  });
});
