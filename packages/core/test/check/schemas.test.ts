import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkInput } from "../../src/check/check.js";
import { buildCheckInput } from "../../src/check/input.js";
import { InputError } from "../../src/diagnostics.js";
import type { OutputFile } from "../../src/render/files.js";
import type { RenderedApp } from "../../src/render/render.js";
import { toYaml } from "../../src/render/yaml.js";
import { crdFixture, renderedApp, SCHEMA_DIR, yamlFile } from "./helpers.js";

/** Schema findings only (no policies), as `code path` strings, in a stable order. */
async function schemaFindings(
  files: OutputFile[],
  opts: { offline?: boolean; apps?: RenderedApp[]; kubernetesVersion?: string } = {},
) {
  const { diagnostics } = await checkInput(buildCheckInput(files, opts.apps ?? []), {
    ...(opts.offline ? {} : { schemaDir: SCHEMA_DIR }),
    kubernetesVersion: opts.kubernetesVersion ?? "1.32",
    policies: [],
  });
  return diagnostics;
}
const codes = (ds: readonly { code: string; path: readonly (string | number)[] }[]) =>
  ds.map((d) => `${d.code} ${d.path.join(".")}`);

const route = (extra: Record<string, unknown> = {}, apiVersion = "gateway.networking.k8s.io/v1") => ({
  apiVersion,
  kind: "HTTPRoute",
  metadata: { name: "blog", namespace: "blog", labels: { "app.kubernetes.io/name": "blog" } },
  spec: {
    parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "main", namespace: "gateway" }],
    hostnames: ["blog.example.com"],
    rules: [
      {
        matches: [{ path: { type: "PathPrefix", value: "/" } }],
        backendRefs: [{ group: "", kind: "Service", name: "blog", port: 8080, weight: 1, ...extra }],
      },
    ],
  },
});

const externalSecret = (apiVersion = "external-secrets.io/v1", refreshInterval: unknown = "1h") => ({
  apiVersion,
  kind: "ExternalSecret",
  metadata: { name: "blog", namespace: "blog" },
  spec: {
    refreshInterval,
    secretStoreRef: { kind: "ClusterSecretStore", name: "vault-backend" },
    target: { name: "blog", creationPolicy: "Owner" },
    data: [{ secretKey: "API_KEY", remoteRef: { key: "blog/api", property: "key" } }],
  },
});

const deployment = (container: Record<string, unknown> = {}, replicas: unknown = 1) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "blog", namespace: "blog" },
  spec: {
    replicas,
    selector: { matchLabels: { app: "blog" } },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
    template: {
      metadata: { labels: { app: "blog" } },
      spec: { containers: [{ name: "app", image: "ghcr.io/o/blog:1.0.0", ...container }] },
    },
  },
});

describe("schema validation against the upstream CRDs (strict)", () => {
  it("accepts a valid HTTPRoute, ExternalSecret and Deployment", async () => {
    const ds = await schemaFindings([
      yamlFile("k8s/helm/manifests/blog/httproute-blog.yaml", [route()]),
      yamlFile("k8s/helm/manifests/blog/externalsecret-blog.yaml", [externalSecret()]),
      yamlFile("k8s/helm/manifests/blog/deployment-blog.yaml", [deployment()]),
    ]);
    expect(codes(ds)).toEqual([]);
  });

  it("reports an unknown field in an HTTPRoute, which the API server would silently drop", async () => {
    const ds = await schemaFindings([
      yamlFile("k8s/helm/manifests/blog/httproute-blog.yaml", [route({ prot: 80 })]),
    ]);
    expect(codes(ds)).toEqual(["SW_CHECK_UNKNOWN_FIELD spec.rules.0.backendRefs.0.prot"]);
    expect(ds[0]?.severity).toBe("error");
    // file:line:col of the offending key in the rendered file.
    expect(ds[0]?.location?.file).toBe("k8s/helm/manifests/blog/httproute-blog.yaml");
    expect(ds[0]?.location?.line).toBeGreaterThan(1);
  });

  it("reports an unknown field in metadata and an invalid label value", async () => {
    const r = route();
    const bad = {
      ...r,
      metadata: { ...r.metadata, labels: { version: "1.0+build" }, annotation: { a: "b" } },
    };
    const ds = await schemaFindings([yamlFile("x/route.yaml", [bad])]);
    expect(codes(ds).sort()).toEqual([
      "SW_CHECK_SCHEMA metadata.labels.version",
      "SW_CHECK_UNKNOWN_FIELD metadata.annotation",
    ]);
  });

  it("reports a wrong type in an ExternalSecret", async () => {
    const ds = await schemaFindings([yamlFile("x/es.yaml", [externalSecret(undefined, 3600)])]);
    expect(codes(ds)).toEqual(["SW_CHECK_SCHEMA spec.refreshInterval"]);
  });

  it("reports an apiVersion the CRD does not serve", async () => {
    const ds = await schemaFindings([yamlFile("x/es.yaml", [externalSecret("external-secrets.io/v1beta1")])]);
    expect(codes(ds)).toEqual(["SW_CHECK_NOT_SERVED apiVersion"]);
    const unknownVersion = await schemaFindings([
      yamlFile("x/r.yaml", [route({}, "gateway.networking.k8s.io/v9")]),
    ]);
    expect(codes(unknownVersion)).toEqual(["SW_CHECK_NOT_SERVED apiVersion"]);
  });

  it("reports a built-in apiVersion the platform's Kubernetes no longer serves, offline too", async () => {
    const cron = { apiVersion: "batch/v1beta1", kind: "CronJob", metadata: { name: "c" }, spec: {} };
    expect(codes(await schemaFindings([yamlFile("x/c.yaml", [cron])]))).toEqual([
      "SW_CHECK_NOT_SERVED apiVersion",
    ]);
    expect(codes(await schemaFindings([yamlFile("x/c.yaml", [cron])], { offline: true }))).toEqual([
      "SW_CHECK_NOT_SERVED apiVersion",
    ]);
  });

  it("accepts a served older version (HTTPRoute v1beta1)", async () => {
    const ds = await schemaFindings([yamlFile("x/r.yaml", [route({}, "gateway.networking.k8s.io/v1beta1")])]);
    expect(codes(ds)).toEqual([]);
  });

  it("reports an unknown field and a wrong type against the core strict schemas", async () => {
    const ds = await schemaFindings([yamlFile("x/d.yaml", [deployment({ imagePulPolicy: "Always" }, "2")])]);
    expect(codes(ds).sort()).toEqual([
      "SW_CHECK_SCHEMA spec.replicas",
      "SW_CHECK_UNKNOWN_FIELD spec.template.spec.containers.0.imagePulPolicy",
    ]);
  });

  it("picks the core schema set of spec.cluster.kubernetesVersion: a 1.33+ field is unknown to 1.32 only", async () => {
    // lifecycle.stopSignal (KEP-4960) is in the v1.35 Container schema and not in v1.32's.
    const d = deployment({ lifecycle: { stopSignal: "SIGTERM" } });
    const on132 = await schemaFindings([yamlFile("x/d.yaml", [d])], { kubernetesVersion: "1.32" });
    expect(codes(on132)).toEqual([
      "SW_CHECK_UNKNOWN_FIELD spec.template.spec.containers.0.lifecycle.stopSignal",
    ]);
    const on135 = await schemaFindings([yamlFile("x/d.yaml", [d])], { kubernetesVersion: "1.35" });
    expect(codes(on135)).toEqual([]);
    // Both sets reject what neither has.
    const typo = deployment({ imagePulPolicy: "Always" });
    expect(
      codes(await schemaFindings([yamlFile("x/d.yaml", [typo])], { kubernetesVersion: "1.35" })),
    ).toEqual(["SW_CHECK_UNKNOWN_FIELD spec.template.spec.containers.0.imagePulPolicy"]);
  });

  it("refuses a schema directory without the platform's Kubernetes version rather than fall back to the models", async () => {
    const err = await schemaFindings([yamlFile("x/d.yaml", [deployment()])], {
      kubernetesVersion: "1.33",
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    const ds = (err as InputError).diagnostics;
    expect(ds.map((x) => x.code)).toEqual(["SW_CHECK_SCHEMA_DIR"]);
    expect(ds[0]?.message).toContain("v1.33.0-standalone-strict");
  });

  it("uses the bundled models for core kinds in a directory with CRDs but no core sets (the schemas pull cache)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slipway-crds-only-"));
    try {
      cpSync(join(SCHEMA_DIR, "cert-manager"), join(dir, "cert-manager"), { recursive: true });
      const bad = { ...deployment(), spec: { ...deployment().spec, replicas: "two" } };
      const { diagnostics, stats } = await checkInput(buildCheckInput([yamlFile("x/d.yaml", [bad])], []), {
        schemaDir: dir,
        kubernetesVersion: "1.32",
        policies: [],
      });
      expect(diagnostics.map((d) => d.code)).toContain("SW_CHECK_SCHEMA");
      expect(stats.validated).toMatchObject({ core: 0, model: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("indexes a CRD file whose kind is quoted (the Keycloak operator's KeycloakRealmImport)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slipway-quoted-crd-"));
    try {
      const crd = toYaml(crdFixture("example.com", "Foo", { properties: { size: { type: "integer" } } }));
      writeFileSync(
        join(dir, "foo.yml"),
        crd.replace("kind: CustomResourceDefinition", 'kind: "CustomResourceDefinition"'),
      );
      const foo = {
        apiVersion: "example.com/v1",
        kind: "Foo",
        metadata: { name: "a", namespace: "x" },
        spec: { size: "big" },
      };
      const { diagnostics } = await checkInput(buildCheckInput([yamlFile("x/foo.yaml", [foo])], []), {
        schemaDir: dir,
        kubernetesVersion: "1.32",
        policies: [],
      });
      expect(diagnostics.map((d) => d.code)).toEqual(["SW_CHECK_SCHEMA"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("validates custom resources against CRDs rendered in the tree", async () => {
    const crd = crdFixture("example.com", "Foo", { properties: { size: { type: "integer" } } });
    const foo = (spec: unknown) => ({
      apiVersion: "example.com/v1",
      kind: "Foo",
      metadata: { name: "a" },
      spec,
    });
    const ds = await schemaFindings([
      yamlFile("x/crd.yaml", [crd]),
      yamlFile("x/ok.yaml", [foo({ size: 1 })]),
      yamlFile("x/bad.yaml", [foo({ sise: 1 })]),
    ]);
    expect(ds.map((d) => `${d.location?.file} ${d.code} ${d.path.join(".")}`)).toEqual([
      "x/bad.yaml SW_CHECK_UNKNOWN_FIELD spec.sise",
    ]);
  });

  it("warns once per kind that no schema covers", async () => {
    const foo = { apiVersion: "example.com/v1", kind: "Foo", metadata: { name: "a" } };
    const ds = await schemaFindings([
      yamlFile("x/a.yaml", [foo]),
      yamlFile("x/b.yaml", [{ ...foo, metadata: { name: "b" } }]),
    ]);
    expect(ds.map((d) => [d.code, d.severity, d.location?.file])).toEqual([
      ["SW_CHECK_NO_SCHEMA", "warning", "x/a.yaml"],
    ]);
  });

  it("validates every document of a multi-document file at its own position", async () => {
    const ds = await schemaFindings([yamlFile("x/two.yaml", [route(), route({ prot: 1 })])]);
    expect(codes(ds)).toEqual(["SW_CHECK_UNKNOWN_FIELD spec.rules.0.backendRefs.0.prot"]);
    // The finding is in the second document: below all lines of the first.
    const firstDocLines = toYaml(route()).split("\n").length;
    expect(ds[0]?.location?.line).toBeGreaterThan(firstDocLines);
  });
});

describe("offline validation with @kubernetes-models", () => {
  it("reports a wrong type in a core kind and a CRD kind without a schema directory", async () => {
    const ds = await schemaFindings(
      [
        yamlFile("x/d.yaml", [deployment({}, "two")]),
        yamlFile("x/es.yaml", [externalSecret(undefined, 3600)]),
      ],
      { offline: true },
    );
    expect(codes(ds).sort()).toEqual([
      "SW_CHECK_SCHEMA spec.refreshInterval",
      "SW_CHECK_SCHEMA spec.replicas",
    ]);
  });

  it("accepts valid objects and warns for kinds no package models", async () => {
    const foo = { apiVersion: "example.com/v1", kind: "Foo", metadata: { name: "a" } };
    const ds = await schemaFindings([yamlFile("x/d.yaml", [deployment()]), yamlFile("x/f.yaml", [foo])], {
      offline: true,
    });
    expect(codes(ds)).toEqual(["SW_CHECK_NO_SCHEMA kind"]);
  });
});

describe("Helm values against values.schema.json, merged over the chart defaults", () => {
  const traefik = (values: Record<string, unknown>) =>
    renderedApp({
      name: "traefik",
      namespace: "gateway",
      helm: {
        repoURL: "https://traefik.github.io/charts",
        chart: "traefik",
        version: "41.3.0",
        values,
        schemaRef: "helm-traefik/41.3.0",
      },
    });

  it("accepts valid values", async () => {
    const ds = await schemaFindings([], {
      apps: [traefik({ deployment: { replicas: 1 }, ports: { web: { port: 8000 } } })],
    });
    expect(codes(ds)).toEqual([]);
  });

  it("reports a typo in a key and a wrong type, at the path in the values file", async () => {
    const ds = await schemaFindings([], {
      apps: [traefik({ deploymnet: { replicas: 1 }, deployment: { replicas: "one" } })],
    });
    expect(codes(ds).sort()).toEqual(["SW_CHECK_VALUES deployment.replicas", "SW_CHECK_VALUES deploymnet"]);
    expect(ds.every((d) => d.location?.file === "k8s/helm/values/traefik.yaml")).toBe(true);
  });

  it("validates charts whose schema is a $ref to a definition (cert-manager) or draft-07 (vault)", async () => {
    const chart = (name: string, schemaRef: string, values: Record<string, unknown>) =>
      renderedApp({
        name,
        helm: { repoURL: "https://example.test", chart: name, version: "1", values, schemaRef },
      });
    const ds = await schemaFindings([], {
      apps: [
        chart("cert-manager", "helm-cert-manager/v1.21.1", { crds: { enabled: true }, replicaCont: 2 }),
        chart("vault", "helm-vault/0.34.1", {
          server: { ha: { enabled: "yes" } },
          injector: { enabled: false },
        }),
      ],
    });
    expect(ds.map((d) => `${d.location?.file} ${d.path.join(".")}`).sort()).toEqual([
      "k8s/helm/values/cert-manager.yaml replicaCont",
      "k8s/helm/values/vault.yaml server.ha.enabled",
    ]);
  });

  it("reads the rendered values file when there is one", async () => {
    const files = [yamlFile("k8s/helm/values/traefik.yaml", [{ deploymnet: {} }])];
    const ds = await schemaFindings(files, { apps: [traefik({})] });
    expect(codes(ds)).toEqual(["SW_CHECK_VALUES deploymnet"]);
    expect(ds[0]?.location).toMatchObject({ file: "k8s/helm/values/traefik.yaml", line: 1, col: 1 });
  });

  it("does not fail a chart without a schema, and names it in the stats", async () => {
    const app = renderedApp({
      name: "argocd",
      helm: {
        repoURL: "https://argoproj.github.io/argo-helm",
        chart: "argo-cd",
        version: "10.1.1",
        values: { x: 1 },
        schemaRef: "helm-argo-cd/10.1.1",
      },
    });
    const r = await checkInput(buildCheckInput([], [app]), {
      schemaDir: SCHEMA_DIR,
      kubernetesVersion: "1.32",
      policies: [],
    });
    expect(r.diagnostics).toEqual([]);
    expect(r.stats.valuesWithoutSchema).toEqual(["helm-argo-cd/10.1.1"]);
    expect(r.stats.valuesChecked).toBe(0);
  });

  it("warns when a schemaRef names nothing in the schema directory", async () => {
    const app = renderedApp({
      name: "x",
      helm: {
        repoURL: "https://example.test",
        chart: "x",
        version: "1",
        values: {},
        schemaRef: "helm-nope/1.0.0",
      },
    });
    const ds = await schemaFindings([], { apps: [app] });
    expect(ds.map((d) => [d.code, d.severity, d.location?.file])).toEqual([
      ["SW_CHECK_NO_SCHEMA", "warning", "k8s/helm/values/x.yaml"],
    ]);
  });
});
