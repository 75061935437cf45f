import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  type ChartSource,
  chartSources,
  crdApiVersions,
  documents,
  helmError,
  helmTemplateArgs,
} from "../../src/check/charts.js";
import { type CheckResult, checkInput } from "../../src/check/check.js";
import { buildCheckInput } from "../../src/check/input.js";
import type { OutputFile } from "../../src/render/files.js";
import type { RenderedApp } from "../../src/render/render.js";
import { toYaml } from "../../src/render/yaml.js";
import { renderPlatform } from "../../src/synth.js";
import { CHARTS_DIR, tool } from "../helpers/tools.js";
import { renderedApp, SCHEMA_DIR, yamlFile } from "./helpers.js";

const REPO = "https://github.com/example/platform.git";

const errorsOf = (r: CheckResult) =>
  r.diagnostics
    .filter((d) => d.severity === "error")
    .map((d) => `${d.location?.file}:${d.location?.line} ${d.code} ${d.message}`);

describe("check --render-charts on examples/homelab (real helm, real charts)", () => {
  const session = renderPlatform(join(import.meta.dirname, "../../../../examples/homelab/platform.yaml"));
  const files = [...session.files];
  const kubernetesVersion = session.spec.platform.cluster.kubernetesVersion;
  let result: CheckResult;

  beforeAll(async () => {
    result = await checkInput(buildCheckInput(files, session.apps), {
      schemaDir: SCHEMA_DIR,
      kubernetesVersion,
      charts: { helm: tool("helm"), chartsDir: CHARTS_DIR, offline: true },
    });
  }, 300_000);

  it("renders every chart Application with helm template", () => {
    const chartApps = session.apps.filter((a) => a.spec.helm).map((a) => a.spec.name);
    expect(chartApps.length).toBeGreaterThan(10);
    const stats = result.stats.charts;
    expect(stats?.sources).toBe(chartApps.length);
    expect(stats?.applications.map((a) => a.name).sort()).toEqual([...chartApps].sort());
    for (const a of stats?.applications ?? []) expect(a.objects, a.name).toBeGreaterThan(0);
  });

  it("finds no error in what the charts render (schemas, strict CRDs, policies)", () => {
    expect(errorsOf(result)).toEqual([]);
    // Every kind a chart renders has a schema (CRDs the charts install count).
    expect(result.stats.unvalidatedKinds).toEqual([]);
  });
});

describe("check --render-charts failures", () => {
  const session = renderPlatform(join(import.meta.dirname, "../../../../examples/homelab/platform.yaml"));
  const all = [...session.files];
  const kubernetesVersion = session.spec.platform.cluster.kubernetesVersion;
  const only = (name: string) => ({
    files: all.filter((f) => f.path.includes(`/${name}.yaml`) || f.path.startsWith("argocd/projects/")),
    apps: session.apps.filter((a) => a.spec.name === name),
  });

  it("surfaces helm's error as a located diagnostic: Vault's config as a map (vault-helm 0.34 wants a string)", async () => {
    const { files, apps } = only("vault");
    const valuesPath = "k8s/helm/values/vault.yaml";
    const values = parse(files.find((f) => f.path === valuesPath)?.content ?? "") as {
      server: { ha: { raft: { config: unknown } } };
    };
    // What Slipway rendered before the fix: the chart's values.schema.json allows an object.
    values.server.ha.raft.config = { ui: true, storage: { raft: { path: "/vault/data" } } };
    const broken = files.map((f) => (f.path === valuesPath ? { ...f, content: toYaml(values) } : f));
    const r = await checkInput(buildCheckInput(broken, apps), {
      kubernetesVersion,
      charts: { helm: tool("helm"), chartsDir: CHARTS_DIR, offline: true },
    });
    const helm = r.diagnostics.filter((d) => d.code === "SW_CHECK_HELM_TEMPLATE");
    expect(helm.map((d) => [d.severity, d.location?.file, d.path])).toEqual([["error", valuesPath, []]]);
    expect(r.stats.charts).toMatchObject({ sources: 1, rendered: 0 });
  }, 120_000);
});

describe("check --render-charts with fixture charts", () => {
  let dir: string;
  const charts = () => join(dir, "charts");

  /** A chart `<name>/<version>/` under the fixture charts directory. */
  function chart(name: string, version: string, templates: Record<string, string>, values = ""): void {
    const root = join(charts(), name, version);
    mkdirSync(join(root, "templates"), { recursive: true });
    writeFileSync(join(root, "Chart.yaml"), `apiVersion: v2\nname: ${name}\nversion: ${version}\n`);
    writeFileSync(join(root, "values.yaml"), values);
    for (const [f, text] of Object.entries(templates)) writeFileSync(join(root, "templates", f), text);
  }

  /** The files Slipway renders for one chart Application, with a permissive project. */
  function appFiles(
    name: string,
    chartName: string,
    version: string,
    values: Record<string, unknown>,
    helm: Record<string, unknown> = {},
  ): { files: OutputFile[]; app: RenderedApp } {
    const application = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      metadata: { name, namespace: "argocd" },
      spec: {
        project: "platform",
        destination: { server: "https://kubernetes.default.svc", namespace: name },
        sources: [
          {
            repoURL: "https://charts.example.com",
            chart: chartName,
            targetRevision: version,
            helm: { valueFiles: [`$values/k8s/helm/values/${name}.yaml`], ...helm },
          },
          { repoURL: REPO, targetRevision: "main", ref: "values" },
        ],
      },
    };
    return {
      files: [
        yamlFile(`argocd/applications/${name}.yaml`, [application]),
        { path: `k8s/helm/values/${name}.yaml`, content: toYaml(values), owner: name },
      ],
      app: renderedApp({ name, namespace: name }),
    };
  }

  const project = yamlFile("argocd/projects/platform.yaml", [
    {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "AppProject",
      metadata: { name: "platform", namespace: "argocd" },
      spec: {
        sourceRepos: ["https://charts.example.com", REPO],
        destinations: [
          { server: "https://kubernetes.default.svc", namespace: "demo" },
          { server: "https://kubernetes.default.svc", namespace: "widgets" },
        ],
        clusterResourceWhitelist: [{ group: "apiextensions.k8s.io", kind: "CustomResourceDefinition" }],
      },
    },
  ]);

  const run = (files: OutputFile[], apps: RenderedApp[]) =>
    checkInput(buildCheckInput([project, ...files], apps), {
      schemaDir: SCHEMA_DIR,
      kubernetesVersion: "1.32",
      charts: { helm: tool("helm"), chartsDir: charts(), offline: true, cacheDir: join(dir, "cache") },
    });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "slipway-charts-test-"));
    chart(
      "demo",
      "1.0.0",
      {
        "deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  selector:
    matchLabels: {app: demo}
  template:
    metadata:
      labels: {app: demo}
    spec:
      containers:
        - name: demo
          image: example/demo:1.0.0
          resources: {{ toJson .Values.resources }}
          {{- with .Values.extraField }}
          {{ . }}: true
          {{- end }}
`,
        "clusterrole.yaml": `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ .Release.Name }}
rules: []
`,
        "test.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: {{ .Release.Name }}-test
  annotations: {"helm.sh/hook": test}
spec:
  containers: [{name: t, image: "busybox:1"}]
`,
      },
      "resources: {}\n",
    );
    chart("widget-crds", "0.1.0", {
      "crd.yaml": `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: integer}
`,
      "widget.yaml": `{{- if .Capabilities.APIVersions.Has "example.com/v1/Widget" }}
apiVersion: example.com/v1
kind: Widget
metadata:
  name: default
spec:
  size: {{ .Values.size }}
{{- end }}
`,
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const resources = { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "32Mi" } };

  it("reports a schema finding in a chart's object at helm:<app>/<template>, naming the path", async () => {
    const { files, app } = appFiles("demo", "demo", "1.0.0", { resources, extraField: "bogus" });
    const r = await run(files, [app]);
    const found = r.diagnostics.filter((d) => d.code === "SW_CHECK_UNKNOWN_FIELD");
    expect(found.map((d) => [d.location?.file, d.path])).toEqual([
      ["helm:demo/demo/templates/deployment.yaml", ["spec", "template", "spec", "containers", 0, "bogus"]],
    ]);
    expect(found[0]?.location?.line).toBeGreaterThan(1);
  }, 60_000);

  it("runs the policies that apply to chart output: project resource lists and container resources", async () => {
    const { files, app } = appFiles("demo", "demo", "1.0.0", {});
    const r = await run(files, [app]);
    const at = (code: string) =>
      r.diagnostics.filter((d) => d.code === code).map((d) => [d.location?.file, d.path]);
    // The project whitelists CRDs only: the chart's ClusterRole would be refused at sync.
    expect(at("SW_POLICY_APP_PROJECT")).toEqual([["helm:demo/demo/templates/clusterrole.yaml", ["kind"]]]);
    // Values that set no resources leave the chart's container without them.
    expect(at("SW_POLICY_WORKLOAD_RESOURCES")).toEqual([
      [
        "helm:demo/demo/templates/deployment.yaml",
        ["spec", "template", "spec", "containers", 0, "resources"],
      ],
    ]);
    // Helm test hooks are skipped, as Argo CD ignores them.
    expect(r.stats.charts?.applications).toEqual([
      { name: "demo", chart: "demo", version: "1.0.0", objects: 2 },
    ]);
  }, 60_000);

  it("passes the CRDs the charts render as --api-versions (a second run for charts that ask)", async () => {
    const a = appFiles("widgets", "widget-crds", "0.1.0", { size: 3 });
    const r = await run(a.files, [a.app]);
    expect(errorsOf(r)).toEqual([]);
    // The Widget template renders only once example.com/v1/Widget is served.
    expect(r.stats.charts).toMatchObject({ runs: 2, applications: [{ name: "widgets", objects: 2 }] });
  }, 60_000);

  it("validates custom resources a chart renders against the CRD a chart renders", async () => {
    const a = appFiles("widgets", "widget-crds", "0.1.0", { size: "three" });
    const r = await run(a.files, [a.app]);
    const bad = r.diagnostics.filter((d) => d.code === "SW_CHECK_SCHEMA");
    expect(bad.map((d) => [d.location?.file, d.path])).toEqual([
      ["helm:widgets/widget-crds/templates/widget.yaml", ["spec", "size"]],
    ]);
  }, 60_000);

  it("reports a chart that is not available offline at the Application's source", async () => {
    const { files, app } = appFiles("demo", "demo", "9.9.9", { resources });
    const r = await run(files, [app]);
    const d = r.diagnostics.filter((x) => x.code === "SW_CHECK_HELM_CHART");
    expect(d.map((x) => [x.location?.file, x.path])).toEqual([
      ["argocd/applications/demo.yaml", ["spec", "sources", 0, "chart"]],
    ]);
  }, 60_000);

  it("reports a value file missing from the rendered tree at the Application's valueFiles entry", async () => {
    const { files, app } = appFiles("demo", "demo", "1.0.0", { resources });
    const r = await run(
      files.filter((f) => !f.path.startsWith("k8s/helm/values/")),
      [app],
    );
    const d = r.diagnostics.filter((x) => x.code === "SW_CHECK_HELM_VALUES");
    expect(d.map((x) => [x.location?.file, x.path])).toEqual([
      ["argocd/applications/demo.yaml", ["spec", "sources", 0, "helm", "valueFiles", 0]],
    ]);
    expect(r.stats.charts?.rendered).toBe(0);
  }, 60_000);

  it("refuses a helm that does not run and a charts directory that does not exist (exit 2)", async () => {
    const { files, app } = appFiles("demo", "demo", "1.0.0", { resources });
    const input = buildCheckInput(files, [app]);
    await expect(
      checkInput(input, {
        kubernetesVersion: "1.32",
        charts: { helm: join(dir, "no-helm"), chartsDir: charts() },
      }),
    ).rejects.toMatchObject({ kind: "input", diagnostics: [{ code: "SW_CHECK_HELM_MISSING" }] });
    await expect(
      checkInput(input, {
        kubernetesVersion: "1.32",
        charts: { helm: tool("helm"), chartsDir: join(dir, "nope") },
      }),
    ).rejects.toMatchObject({ kind: "input", diagnostics: [{ code: "SW_CHECK_CHARTS_DIR" }] });
  }, 60_000);
});

describe("helm template as Argo CD runs it", () => {
  const src: ChartSource = {
    application: "vault",
    at: { file: "argocd/applications/vault.yaml", doc: 0 },
    path: ["spec", "sources", 0],
    repoURL: "https://helm.releases.hashicorp.com",
    chart: "vault",
    version: "0.34.1",
    releaseName: "vault",
    namespace: "vault",
    helm: {
      parameters: [
        { name: "a.b", value: "1" },
        { name: "c", value: "x,y", forceString: true },
      ],
    },
    refs: new Map(),
  };

  it("passes release, namespace, versions, CRDs, value files in order, then parameters", () => {
    expect(
      helmTemplateArgs(src, "/charts/vault", ["/t/0.yaml", "/t/inline.yaml"], "1.32", ["example.com/v1"]),
    ).toEqual([
      "template",
      "vault",
      "/charts/vault",
      "--namespace",
      "vault",
      "--kube-version",
      "1.32",
      "--api-versions",
      "example.com/v1",
      "--include-crds",
      "--skip-tests",
      "--values",
      "/t/0.yaml",
      "--values",
      "/t/inline.yaml",
      "--set",
      "a.b=1",
      "--set-string",
      "c=x,y",
    ]);
  });

  it("honours skipCrds, skipSchemaValidation and the source's own kubeVersion and apiVersions", () => {
    const args = helmTemplateArgs(
      {
        ...src,
        helm: { skipCrds: true, skipSchemaValidation: true, kubeVersion: "1.31", apiVersions: ["x/v1"] },
      },
      "/c",
      [],
      "1.32",
      ["example.com/v1"],
    );
    expect(args).not.toContain("--include-crds");
    expect(args).toContain("--skip-schema-validation");
    expect(args.slice(args.indexOf("--kube-version"), args.indexOf("--kube-version") + 2)).toEqual([
      "--kube-version",
      "1.31",
    ]);
    expect(args.filter((_, i) => args[i - 1] === "--api-versions")).toEqual(["x/v1"]);
  });

  it("reads chart sources: release name defaults to the Application, namespace from the destination", () => {
    const input = buildCheckInput(
      [
        yamlFile("argocd/applications/a.yaml", [
          {
            apiVersion: "argoproj.io/v1alpha1",
            kind: "Application",
            metadata: { name: "a", namespace: "argocd" },
            spec: {
              destination: { namespace: "ns-a" },
              source: { repoURL: "https://c.example.com", chart: "c", targetRevision: "1.0.0" },
            },
          },
        ]),
      ],
      [],
    );
    expect(chartSources(input)).toMatchObject([
      {
        application: "a",
        chart: "c",
        version: "1.0.0",
        releaseName: "a",
        namespace: "ns-a",
        path: ["spec", "source"],
      },
    ]);
  });

  it("splits helm output by template and collects the API versions CRDs serve", () => {
    const out = [
      "---",
      "# Source: c/crds/crd.yaml",
      "apiVersion: apiextensions.k8s.io/v1",
      "kind: CustomResourceDefinition",
      "metadata: {name: ws.example.com}",
      "spec: {group: example.com, names: {kind: W}, versions: [{name: v1, served: true}, {name: v0, served: false}]}",
      "---",
      "# Source: c/templates/empty.yaml",
      "---",
      "# Source: c/templates/cm.yaml",
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata: {name: x}",
      "",
    ].join("\n");
    const docs = documents(out);
    expect(docs.map((d) => d.template)).toEqual(["c/crds/crd.yaml", "c/templates/cm.yaml"]);
    // Helm prints a crds/ file under one `# Source:` however many documents it holds.
    const crdsFile = documents("---\n# Source: c/crds/all.yaml\n---\nkind: A\n---\nkind: B\n");
    expect(crdsFile.map((d) => [d.template, (d.value as { kind: string }).kind])).toEqual([
      ["c/crds/all.yaml", "A"],
      ["c/crds/all.yaml", "B"],
    ]);
    expect([...crdApiVersions(docs.map((d) => d.value))]).toEqual(["example.com/v1", "example.com/v1/W"]);
  });

  it("takes the template out of helm's error", () => {
    expect(
      helmError(
        "Error: execution error at (vault/templates/_helpers.tpl:1168:4): structured server config is not supported\n\nUse --debug flag\n",
      ).template,
    ).toBe("vault/templates/_helpers.tpl");
  });
});
