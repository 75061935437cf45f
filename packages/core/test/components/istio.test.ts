import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments, stringify } from "yaml";
import { check } from "../../src/check/index.js";
import { ISTIO_POLICIES_APP } from "../../src/components/istio/index.js";
import { GATEWAY_PRINCIPAL, NEVER_ENROLLED } from "../../src/components/istio/mesh.js";
import { ISTIO_CHARTS, PROFILE_KEYS } from "../../src/components/istio/values.js";
import { InputError } from "../../src/diagnostics.js";
import type { K8sObject } from "../../src/render/k8s.js";
import {
  renderFile,
  type ServiceSpecs,
  serverDefaulted,
  writePlatform,
} from "../helpers/component-fixture.js";
import { diagnosticsOf } from "../helpers/diagnostics.js";
import { crdValidator, SCHEMA_DIR, validationErrors } from "../helpers/strict-schema.js";

const ISTIO_CRDS = "istio/1.30.3/crd-all.gen.yaml";
const GATEWAY_CRD = "gateway-api/v1.6.1/gateway.networking.k8s.io_gateways.yaml";

/** A platform with the mesh on (and what it needs), the given components and services. */
function render(services: ServiceSpecs, componentConfig: Record<string, unknown> = {}, distribution = "k3s") {
  const config = writePlatform(
    {
      "cert-manager": { enabled: true },
      otel: { enabled: true },
      istio: { enabled: true },
      ...componentConfig,
    },
    services,
  );
  if (distribution !== "k3s") {
    const doc = parse(readFileSync(config, "utf8"));
    doc.spec.cluster.distribution = distribution;
    writeFileSync(config, stringify(doc));
  }
  return renderFile(config);
}

const svc = (extra: Record<string, unknown> = {}) => ({
  image: "ghcr.io/example/app:1.0.0",
  port: 8080,
  ...extra,
});

/** blog (routed) is called by api; api (L7, waypoint) is called by blog; worker is plain. */
const SERVICES = {
  blog: svc({ subdomain: "blog", mesh: { callers: ["api"] } }),
  api: svc({ mesh: { l7: true, callers: ["blog"] } }),
  worker: svc(),
};

const chartDefaults = (schemaRef: string): Record<string, unknown> => {
  const doc = parseAllDocuments(readFileSync(join(SCHEMA_DIR, schemaRef, "values.yaml"), "utf8"))[0]?.toJS();
  return (doc as { _internal_defaults_do_not_set: Record<string, unknown> })._internal_defaults_do_not_set;
};

const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Keys of `values` that the chart's values.yaml does not have. Descends while the default is a
 * non-empty map; stops at free-form maps (`env: {}`), at Kubernetes `resources` (limits are not
 * in the defaults but are plain ResourceRequirements) and at `meshConfig` (the MeshConfig API,
 * which values.yaml points to rather than lists).
 */
function unknownKeys(
  values: Record<string, unknown>,
  defaults: Record<string, unknown>,
  prefix = "",
): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (PROFILE_KEYS.includes(path)) continue;
    if (!(k in defaults)) {
      out.push(path);
      continue;
    }
    const d = defaults[k];
    if (k === "resources" || k === "meshConfig") continue;
    if (isMap(v) && isMap(d) && Object.keys(d).length > 0) out.push(...unknownKeys(v, d, path));
  }
  return out;
}

describe("istio component", () => {
  const tree = render(SERVICES);
  const apps = tree.session.apps.filter((a) => a.owner === "istio");
  const values = (app: string) => tree.read<Record<string, any>>(`k8s/helm/values/${app}.yaml`);
  const wave = (name: string) =>
    Number(
      tree.read(`argocd/applications/${name}.yaml`).metadata.annotations?.["argocd.argoproj.io/sync-wave"],
    );

  it("renders base → istiod → cni → ztunnel from the 1.30.3 charts, then the policies", () => {
    expect(apps.map((a) => a.spec.name)).toEqual([
      "istio-base",
      "istiod",
      "istio-cni",
      "ztunnel",
      ISTIO_POLICIES_APP,
    ]);
    const waves = apps.map((a) => wave(a.spec.name));
    expect(waves).toEqual([...waves].sort((a, b) => a - b));
    expect(new Set(waves).size).toBe(5);
    for (const a of apps.slice(0, 4)) {
      expect(a.spec.helm).toMatchObject({
        repoURL: "https://istio-release.storage.googleapis.com/charts",
        version: "1.30.3",
      });
      expect(a.spec.namespace).toBe("istio-system");
      expect(a.spec.project).toBe("platform");
    }
    expect(apps[0]?.spec.crds).toEqual([
      "networking.istio.io",
      "security.istio.io",
      "telemetry.istio.io",
      "extensions.istio.io",
    ]);
    // The CRDs outlive the Application.
    const base = tree.read("argocd/applications/istio-base.yaml");
    expect(base.spec.syncPolicy.automated.prune).toBe(false);
    expect(base.metadata.finalizers).toBeUndefined();
    expect(tree.session.plan.sourceRepos.has("https://istio-release.storage.googleapis.com/charts")).toBe(
      true,
    );
  });

  it("syncs after cert-manager, otel and the Gateway API CRDs", () => {
    const istioBase = wave("istio-base");
    for (const a of tree.session.apps.filter((x) => ["cert-manager", "otel"].includes(x.owner))) {
      expect(a.wave).toBeLessThan(istioBase);
    }
    expect(wave("gateway-api-crds")).toBeLessThan(wave(ISTIO_POLICIES_APP));
  });

  it("sets profile ambient and the K3s platform preset on every chart", () => {
    for (const c of Object.values(ISTIO_CHARTS)) {
      expect(values(c.app).profile).toBe("ambient");
      expect(values(c.app).global.platform).toBe("k3s");
    }
    const eks = render({}, {}, "eks");
    for (const c of Object.values(ISTIO_CHARTS)) {
      const v = eks.read<Record<string, any>>(`k8s/helm/values/${c.app}.yaml`);
      expect(v.profile).toBe("ambient");
      expect(v.global?.platform).toBeUndefined();
    }
  });

  it("takes the CA from istio-csr: istiod's CA off, istiod and ztunnel pointed at it", () => {
    expect(values("istiod").env).toEqual({ ENABLE_CA_SERVER: "false" });
    expect(values("istiod").global.caAddress).toBe("cert-manager-istio-csr.cert-manager.svc:443");
    expect(values("ztunnel").caAddress).toBe("cert-manager-istio-csr.cert-manager.svc:443");
    // The trust domain istio-csr signs for is the one the policies' principals use.
    expect(values("istiod").meshConfig.trustDomain).toBe("cluster.local");
  });

  it("sends waypoint traces to the OTel collector, only when otel is enabled", () => {
    expect(values("istiod").meshConfig.extensionProviders).toEqual([
      {
        name: "otel-tracing",
        opentelemetry: { service: "otel-collector.monitoring.svc.cluster.local", port: 4317 },
      },
    ]);
    const t = tree.read(`k8s/helm/manifests/${ISTIO_POLICIES_APP}/telemetry-mesh-default.yaml`);
    expect(t.metadata.namespace).toBe("istio-system");
    expect(t.spec.tracing).toEqual([{ providers: [{ name: "otel-tracing" }], randomSamplingPercentage: 10 }]);
    const off = render(SERVICES, { otel: { enabled: false } });
    expect(
      off.read<Record<string, any>>("k8s/helm/values/istiod.yaml").meshConfig.extensionProviders,
    ).toBeUndefined();
    expect(off.objects(`k8s/helm/manifests/${ISTIO_POLICIES_APP}/`).map((o) => o.kind)).not.toContain(
      "Telemetry",
    );
  });

  it("sets only keys the charts' values.yaml has (besides the profile keys)", () => {
    for (const c of Object.values(ISTIO_CHARTS)) {
      expect({ chart: c.chart, unknown: unknownKeys(values(c.app), chartDefaults(c.schemaRef)) }).toEqual({
        chart: c.chart,
        unknown: [],
      });
    }
  });

  it("(the key check does catch a misplaced key)", () => {
    expect(
      unknownKeys(
        { pilot: { env: {} }, global: { caAdress: "x" } },
        chartDefaults(ISTIO_CHARTS.istiod.schemaRef),
      ),
    ).toEqual(["pilot", "global.caAdress"]);
  });

  it("budgets istiod, one cni and one ztunnel pod per node, and each waypoint", () => {
    const budget = apps.flatMap((a) => (a.spec.budget ?? []).map((b) => `${b.workload}×${b.replicas}`));
    expect(budget).toEqual(["istiod×1", "istio-cni-node×1", "ztunnel×1", "waypoint/api×1"]);
    const ztunnel = apps.find((a) => a.spec.name === "ztunnel")?.spec.budget?.[0];
    expect(ztunnel?.requests.memoryBytes).toBeLessThanOrEqual(150 * 1024 * 1024);
    expect(values("ztunnel").resources).toEqual({
      requests: { cpu: "20m", memory: "48Mi" },
      limits: { memory: "256Mi" },
    });
  });

  describe("namespaces", () => {
    const ns = (name: string) =>
      tree.read(`k8s/helm/manifests/namespaces/namespace-${name}.yaml`).metadata.labels ?? {};

    it("enrols service namespaces and the gateway's, never system or other platform namespaces", () => {
      for (const n of ["blog", "api", "worker", "traefik"])
        expect(ns(n)["istio.io/dataplane-mode"]).toBe("ambient");
      for (const n of ["istio-system", "argocd", "vault", "cloudflare"]) {
        expect(ns(n)["istio.io/dataplane-mode"]).toBeUndefined();
      }
    });

    it("labels only namespaces with an L7 service to use their waypoint", () => {
      expect(ns("api")["istio.io/use-waypoint"]).toBe("waypoint");
      expect(ns("blog")["istio.io/use-waypoint"]).toBeUndefined();
    });

    it("with enrol: all-but-system, enrols platform namespaces too but never the system ones", () => {
      const all = render(SERVICES, { istio: { enabled: true, enrol: "all-but-system" } });
      const labels = (n: string) =>
        all.read(`k8s/helm/manifests/namespaces/namespace-${n}.yaml`).metadata.labels?.[
          "istio.io/dataplane-mode"
        ];
      for (const n of ["argocd", "vault", "cloudflare", "traefik", "blog"]) expect(labels(n)).toBe("ambient");
      for (const n of ["istio-system", "monitoring"]) expect(labels(n)).toBeUndefined();
      expect(NEVER_ENROLLED).toEqual(expect.arrayContaining(["kube-system", "monitoring", "istio-system"]));
      // Platform namespaces stay PERMISSIVE: STRICT only where services live.
      const pa = all
        .objects(`k8s/helm/manifests/${ISTIO_POLICIES_APP}/`)
        .filter((o) => o.kind === "PeerAuthentication");
      expect(pa.map((o) => o.metadata.namespace)).toEqual(["api", "blog", "worker"]);
    });
  });

  describe("istio-policies", () => {
    const objs = tree.objects(`k8s/helm/manifests/${ISTIO_POLICIES_APP}/`);
    const of = (kind: string) => objs.filter((o) => o.kind === kind);

    it("puts STRICT mTLS in every service namespace, not in the gateway's (cloudflared is outside the mesh)", () => {
      expect(of("PeerAuthentication").map((o) => [o.metadata.namespace, o.metadata.name, o.spec])).toEqual([
        ["api", "default", { mtls: { mode: "STRICT" } }],
        ["blog", "default", { mtls: { mode: "STRICT" } }],
        ["worker", "default", { mtls: { mode: "STRICT" } }],
      ]);
    });

    it("deploys a waypoint where a service asks for L7", () => {
      const [w, ...rest] = of("Gateway");
      expect(rest).toEqual([]);
      expect(w?.metadata).toMatchObject({
        name: "waypoint",
        namespace: "api",
        labels: { "istio.io/waypoint-for": "service" },
      });
      expect(w?.spec).toEqual({
        gatewayClassName: "istio-waypoint",
        listeners: [
          { name: "mesh", port: 15008, protocol: "HBONE", allowedRoutes: { namespaces: { from: "Same" } } },
        ],
      });
      // Nothing the API server would default is left out, so Argo CD sees no drift.
      expect(serverDefaulted(GATEWAY_CRD, w as K8sObject)).toEqual({ spec: w?.spec });
    });

    it("allows exactly the declared callers (and Traefik for a routed service) at ztunnel", () => {
      const blog = objs.find((o) => o.metadata.name === "blog-ztunnel");
      expect(blog?.metadata.namespace).toBe("blog");
      expect(blog?.spec).toEqual({
        selector: { matchLabels: { "app.kubernetes.io/instance": "blog", "app.kubernetes.io/name": "blog" } },
        action: "ALLOW",
        rules: [{ from: [{ source: { principals: ["cluster.local/ns/api/sa/api", GATEWAY_PRINCIPAL] } }] }],
      });
      expect(GATEWAY_PRINCIPAL).toBe("cluster.local/ns/traefik/sa/traefik");
      expect(objs.find((o) => o.metadata.name === "blog-waypoint")).toBeUndefined();
    });

    it("behind a waypoint: ztunnel also allows the waypoint, the waypoint enforces the callers on the Service", () => {
      const z = objs.find((o) => o.metadata.name === "api-ztunnel");
      expect(z?.spec.rules[0].from[0].source.principals).toEqual([
        "cluster.local/ns/api/sa/waypoint",
        "cluster.local/ns/blog/sa/blog",
      ]);
      const w = objs.find((o) => o.metadata.name === "api-waypoint");
      expect(w?.spec).toEqual({
        targetRefs: [{ group: "", kind: "Service", name: "api" }],
        action: "ALLOW",
        rules: [{ from: [{ source: { principals: ["cluster.local/ns/blog/sa/blog"] } }] }],
      });
    });

    it("renders no policy for a service without callers", () => {
      expect(objs.filter((o) => o.metadata.namespace === "worker").map((o) => o.kind)).toEqual([
        "PeerAuthentication",
      ]);
    });

    it("validates every object strictly against the Istio 1.30.3 and Gateway API v1.6.1 CRDs", () => {
      expect(objs.length).toBeGreaterThan(0);
      for (const o of objs) {
        const file = o.kind === "Gateway" ? GATEWAY_CRD : ISTIO_CRDS;
        // Istio's CRD schemas do not list apiVersion/kind, which the API machinery always accepts
        // (the helper closes the root; `slipway check` below validates the whole object).
        const { apiVersion: _a, kind: _k, ...body } = o;
        const errors = validationErrors(crdValidator(file, o.apiVersion, o.kind), body);
        expect({ o: `${o.kind}/${o.metadata.name}`, errors }).toEqual({
          o: `${o.kind}/${o.metadata.name}`,
          errors: [],
        });
      }
    });

    it("is left out when nothing is enrolled and otel is off", () => {
      const empty = render({}, { otel: { enabled: false } });
      expect(empty.session.apps.filter((a) => a.owner === "istio").map((a) => a.spec.name)).toEqual([
        "istio-base",
        "istiod",
        "istio-cni",
        "ztunnel",
      ]);
    });
  });

  it("slipway check reports nothing for the istio files", async () => {
    const result = await check(tree.session, { schemaDir: SCHEMA_DIR, kubernetesVersion: "1.32" });
    const mine = result.diagnostics.filter((d) =>
      /(^|\/)(istio-base|istiod|istio-cni|ztunnel|istio-policies)(\.yaml|\/)/.test(d.location?.file ?? ""),
    );
    expect(mine.map((d) => `${d.code} ${d.location?.file}: ${d.message}`)).toEqual([]);
    // Every kind rendered here had a schema (none fell through unvalidated).
    for (const k of ["PeerAuthentication", "AuthorizationPolicy", "Telemetry", "Gateway"]) {
      expect(result.stats.unvalidatedKinds.some((u) => u.endsWith(` ${k}`))).toBe(false);
    }
  });

  // Argo CD checks every object's namespace against the project's destinations.
  it("the platform AppProject allows the namespaces istio-policies deploys into", () => {
    const project = tree.read("argocd/projects/platform.yaml");
    const allowed = new Set((project.spec.destinations as { namespace: string }[]).map((d) => d.namespace));
    const used = new Set(
      tree.objects(`k8s/helm/manifests/${ISTIO_POLICIES_APP}/`).map((o) => o.metadata.namespace),
    );
    expect([...used].filter((n) => n !== undefined && !allowed.has(n))).toEqual([]);
  });

  it("rejects mesh features in a namespace that is never enrolled", () => {
    expect(() => render({ ca: svc({ namespace: "cert-manager", mesh: { l7: true } }) })).toThrow(InputError);
    // (A try/catch here passed silently when nothing was thrown.)
    expect(
      diagnosticsOf(() => render({ ca: svc({ namespace: "cert-manager", mesh: { l7: true } }) })),
    ).toEqual([
      // Never-enrolled namespaces are platform namespaces: the spec rejects them first.
      ["SW_SPEC_RESERVED_NAMESPACE", ["spec", "namespace"]],
    ]);
  });
});
