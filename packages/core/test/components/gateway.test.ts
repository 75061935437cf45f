import { describe, expect, it } from "vitest";
import {
  backendAppProtocol,
  GATEWAY,
  httpRoute,
  referenceGrant,
} from "../../src/components/gateway/contract.js";
import { GATEWAY_API_CRDS, TRAEFIK_CHART } from "../../src/components/gateway/index.js";
import { InputError } from "../../src/diagnostics.js";
import type { AnyComponent } from "../../src/render/component.js";
import type { K8sObject } from "../../src/render/k8s.js";
import {
  declaring,
  renderComponents,
  type ServiceSpecs,
  serverDefaulted,
} from "../helpers/component-fixture.js";
import { chartValidator, crdValidator, helmMerge, validationErrors } from "../helpers/strict-schema.js";

const GW = "gateway-api/v1.6.1";
const CRD = {
  HTTPRoute: `${GW}/gateway.networking.k8s.io_httproutes.yaml`,
  Gateway: `${GW}/gateway.networking.k8s.io_gateways.yaml`,
  GatewayClass: `${GW}/gateway.networking.k8s.io_gatewayclasses.yaml`,
  ReferenceGrant: `${GW}/gateway.networking.k8s.io_referencegrants.yaml`,
} as const;

/** A platform with the given services (name → spec), rendered in memory. */
const render = (services: ServiceSpecs = {}, extra: readonly AnyComponent[] = []) =>
  renderComponents({}, extra, services);

const svc = (extra: Record<string, unknown> = {}) => ({
  image: "ghcr.io/example/app:1.0.0",
  port: 8080,
  ...extra,
});

describe("httpRoute()", () => {
  const route = httpRoute({
    name: "blog",
    namespace: "blog",
    hostnames: ["blog.example.dev"],
    backend: { name: "blog", namespace: "blog", port: 80 },
  });

  it("writes parentRefs, matches and backendRefs with every defaultable field", () => {
    const spec = route.spec as {
      parentRefs: Record<string, unknown>[];
      rules: { matches: unknown[]; backendRefs: Record<string, unknown>[] }[];
    };
    expect(spec.parentRefs).toEqual([
      {
        group: "gateway.networking.k8s.io",
        kind: "Gateway",
        name: "platform",
        namespace: "traefik",
        sectionName: "web",
      },
    ]);
    expect(spec.rules[0]?.matches).toEqual([{ path: { type: "PathPrefix", value: "/" } }]);
    expect(spec.rules[0]?.backendRefs).toEqual([
      { group: "", kind: "Service", name: "blog", namespace: "blog", port: 80, weight: 1 },
    ]);
  });

  it("is unchanged by the v1.6.1 CRD's defaults (so Argo CD never sees a drift)", () => {
    expect(serverDefaulted(CRD.HTTPRoute, route)).toEqual({ spec: route.spec });
  });

  it("(the defaulting harness does fill what a hand-written route leaves out)", () => {
    const bare = structuredClone(route) as K8sObject & { spec: any };
    delete bare.spec.rules[0].backendRefs[0].weight;
    delete bare.spec.rules[0].matches;
    delete bare.spec.parentRefs[0].group;
    expect(serverDefaulted(CRD.HTTPRoute, bare)).toEqual({ spec: route.spec });
  });

  it("validates strictly against the HTTPRoute CRD", () => {
    expect(validationErrors(crdValidator(CRD.HTTPRoute, route.apiVersion, route.kind), route)).toEqual([]);
  });

  it("maps h2c hostnames to the Gateway API appProtocol for HTTP/2 cleartext", () => {
    expect(backendAppProtocol("h2c")).toBe("kubernetes.io/h2c");
    expect(backendAppProtocol("http")).toBe("http");
  });

  it("ReferenceGrant is the v1beta1 storage version and names only the given Services", () => {
    const grant = referenceGrant("zitadel", ["zitadel", "zitadel-login", "zitadel"]);
    expect(grant.apiVersion).toBe("gateway.networking.k8s.io/v1beta1");
    expect(grant.spec).toEqual({
      from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "traefik" }],
      to: [
        { group: "", kind: "Service", name: "zitadel" },
        { group: "", kind: "Service", name: "zitadel-login" },
      ],
    });
    expect(validationErrors(crdValidator(CRD.ReferenceGrant, grant.apiVersion, grant.kind), grant)).toEqual(
      [],
    );
    expect(serverDefaulted(CRD.ReferenceGrant, grant)).toEqual({ spec: grant.spec });
  });
});

describe("gateway component", () => {
  const h2c = declaring({
    hostnames: [
      {
        host: "auth.example.dev",
        namespace: "zitadel",
        service: "zitadel",
        port: 8080,
        public: true,
        protocol: "h2c",
        owner: "zitadel",
      },
    ],
  });
  const { session, files, read } = render({ blog: svc({ subdomain: "blog" }), worker: svc() });
  const withComponentHost = render({ blog: svc({ subdomain: "blog" }) }, [h2c]);
  const waveOf = (name: string) =>
    Number(
      read<K8sObject>(`argocd/applications/${name}.yaml`).metadata.annotations?.[
        "argocd.argoproj.io/sync-wave"
      ],
    );

  it("installs the Gateway API CRDs from the upstream tag, server-side, before Traefik", () => {
    const crds = read<K8sObject & { spec: Record<string, any> }>(
      `argocd/applications/${GATEWAY_API_CRDS.app}.yaml`,
    );
    expect(crds.spec.source).toEqual({
      repoURL: "https://github.com/kubernetes-sigs/gateway-api.git",
      targetRevision: "v1.6.1",
      path: "config/crd/standard",
    });
    expect(crds.spec.syncPolicy.syncOptions).toContain("ServerSideApply=true");
    // CRDs outlive the Application: neither pruned nor cascade-deleted with it.
    expect(crds.spec.syncPolicy.automated.prune).toBe(false);
    expect(crds.metadata.finalizers).toBeUndefined();
    expect(crds.spec.project).toBe("platform");
    expect(waveOf("gateway-api-crds")).toBeLessThan(waveOf("traefik"));
    expect(
      validationErrors(crdValidator("argo-cd/v3.5.1/application-crd.yaml", crds.apiVersion, crds.kind), crds),
    ).toEqual([]);
  });

  it("registers Traefik's chart repository and the Gateway API repository as sources", () => {
    expect([...session.plan.sourceRepos]).toEqual(
      expect.arrayContaining([TRAEFIK_CHART.repoURL, GATEWAY_API_CRDS.repoURL]),
    );
  });

  it("Traefik values enable the Gateway provider, a ClusterIP Service and validate against the chart schema", () => {
    const values = read<Record<string, any>>("k8s/helm/values/traefik.yaml");
    expect(values.providers.kubernetesGateway.enabled).toBe(true);
    expect(values.gateway.enabled).toBe(false);
    expect(values.gatewayClass.enabled).toBe(false);
    expect(values.service.spec.type).toBe("ClusterIP");
    expect(values.resources.requests).toBeDefined();
    expect(values.resources.limits).toBeDefined();
    const { validate, defaults } = chartValidator(TRAEFIK_CHART.schemaRef);
    expect(validationErrors(validate, helmMerge(defaults, values))).toEqual([]);
    const merged = helmMerge(defaults, values) as Record<string, any>;
    // The `web` entry point is the port Gateway listeners name and the Service exposes on 80.
    expect(merged.ports.web.port).toBe(GATEWAY.listenerPort);
    expect(merged.ports.web.exposedPort).toBe(GATEWAY.servicePort);
  });

  it("the Traefik Service is where the tunnel expects it: release `traefik` in GATEWAY.namespace", () => {
    const a = read<K8sObject & { spec: any }>("argocd/applications/traefik.yaml");
    expect(a.spec.destination.namespace).toBe(GATEWAY.namespace);
    expect(a.spec.sources[0].helm.releaseName).toBe("traefik");
    // The chart names its Service after the release when the release name contains "traefik".
    expect(GATEWAY.serviceHost).toBe(`traefik.${GATEWAY.namespace}.svc.cluster.local`);
  });

  it("Traefik's Application declares the CRD groups its chart installs and budgets its pod", () => {
    const traefik = session.apps.find((a) => a.spec.name === "traefik");
    expect(traefik?.spec.crds).toEqual(["traefik.io", "hub.traefik.io"]);
    expect(traefik?.spec.helm?.schemaRef).toBe("helm-traefik/41.3.0");
    expect(traefik?.spec.budget?.[0]?.requests.cpuMillis).toBe(100);
  });

  it("renders GatewayClass and Gateway per the ref contract, valid and unchanged by CRD defaults", () => {
    const gc = read("k8s/helm/manifests/traefik/gatewayclass-traefik.yaml");
    const gw = read<K8sObject & { spec: any }>("k8s/helm/manifests/traefik/gateway-platform.yaml");
    expect(gc.metadata.name).toBe(GATEWAY.className);
    expect(gw.metadata).toMatchObject({ name: GATEWAY.name, namespace: GATEWAY.namespace });
    expect(gw.spec.gatewayClassName).toBe(GATEWAY.className);
    const [listener] = gw.spec.listeners;
    expect(listener).toMatchObject({ name: GATEWAY.listener, protocol: "HTTP", port: 8000 });
    expect(listener.allowedRoutes.namespaces).toEqual({
      from: "Selector",
      selector: { matchLabels: { [GATEWAY.routesLabel.key]: GATEWAY.routesLabel.value } },
    });
    for (const [o, crd] of [
      [gc, CRD.GatewayClass],
      [gw, CRD.Gateway],
    ] as const) {
      expect(validationErrors(crdValidator(crd, o.apiVersion, o.kind), o)).toEqual([]);
      expect(serverDefaulted(crd, o)).toEqual({ spec: o.spec });
    }
  });

  it("labels exactly the namespaces that hold routes, so service routes attach", () => {
    const label = (ns: string) =>
      read(`k8s/helm/manifests/namespaces/namespace-${ns}.yaml`).metadata.labels?.[GATEWAY.routesLabel.key];
    expect(label("traefik")).toBe(GATEWAY.routesLabel.value);
    expect(label("blog")).toBe(GATEWAY.routesLabel.value);
    expect(label("worker")).toBeUndefined();
    expect(label("argocd")).toBeUndefined();
  });

  it("routes component hostnames from the gateway namespace with a ReferenceGrant in each backend namespace", () => {
    const argocdRoute = read<K8sObject & { spec: any }>("k8s/helm/manifests/traefik/httproute-argocd.yaml");
    expect(argocdRoute.metadata.namespace).toBe("traefik");
    expect(argocdRoute.spec.hostnames).toEqual(["argocd.example.dev"]);
    expect(argocdRoute.spec.rules[0].backendRefs[0]).toMatchObject({
      name: "argocd-server",
      namespace: "argocd",
    });
    const grant = read<K8sObject & { spec: any }>(
      "k8s/helm/manifests/traefik/referencegrant-argocd-httproutes-from-traefik.yaml",
    );
    expect(grant.metadata.namespace).toBe("argocd");
    expect(grant.spec.to).toEqual([{ group: "", kind: "Service", name: "argocd-server" }]);

    const zitadel = withComponentHost.read<K8sObject & { spec: any }>(
      "k8s/helm/manifests/traefik/httproute-auth.yaml",
    );
    expect(zitadel.spec.rules[0].backendRefs[0]).toMatchObject({
      name: "zitadel",
      namespace: "zitadel",
      port: 8080,
    });
    expect(
      withComponentHost.files.has(
        "k8s/helm/manifests/traefik/referencegrant-zitadel-httproutes-from-traefik.yaml",
      ),
    ).toBe(true);
  });

  it("leaves service routes to the services component: none in the gateway, no ReferenceGrant for them", () => {
    const gatewayFiles = [...files.keys()].filter((p) => p.startsWith("k8s/helm/manifests/traefik/"));
    expect(gatewayFiles.some((p) => p.includes("blog"))).toBe(false);
    expect([...files.keys()].some((p) => p.includes("referencegrant-blog"))).toBe(false);
  });

  it("rejects a service subdomain that collides with a component's hostname", () => {
    let error: unknown;
    try {
      render({ ui: svc({ subdomain: "argocd" }) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).diagnostics.map((d) => [d.code, d.path])).toEqual([
      ["SW_SPEC_DUPLICATE_SUBDOMAIN", ["spec", "subdomain"]],
    ]);
  });
});
