import { z } from "zod";
import { diag, InputError } from "../../diagnostics.js";
import { withTraefikAwsValues } from "../../render/aws.js";
import { app, type ConfigOf, defineComponent } from "../../render/component.js";
import type { K8sObject } from "../../render/k8s.js";
import type { HostnameDecl, Plan } from "../../render/plan.js";
import { budgetEntry, type Resources, resourcesValue } from "../../render/resources.js";
import { GATEWAY, GATEWAY_API_GROUP, httpRoute, referenceGrant, TRAEFIK_APP } from "./contract.js";

/** Traefik's chart; a constant, not user config: upgrading it is a code change with reviewed values. */
export const TRAEFIK_CHART = {
  repoURL: "https://traefik.github.io/charts",
  chart: "traefik",
  version: "41.3.0",
  schemaRef: "helm-traefik/41.3.0",
} as const;

/**
 * Gateway API CRDs (standard channel). Traefik's chart stopped shipping them (chart v40, traefik-helm-chart
 * PR #1850), so they are their own Application, synced straight from the upstream repository's tag.
 */
export const GATEWAY_API_CRDS = {
  repoURL: "https://github.com/kubernetes-sigs/gateway-api.git",
  version: "v1.6.1",
  path: "config/crd/standard",
  app: "gateway-api-crds",
} as const;

const TRAEFIK_RESOURCES: Resources = {
  requests: { cpu: "100m", memory: "64Mi" },
  limits: { cpu: "500m", memory: "192Mi" },
};

/**
 * Every hostname is served by exactly one backend. Service subdomains are checked against each
 * other when the spec loads; here, after every component declared its hostnames, a service may
 * still collide with a component's (e.g. a service with subdomain `argocd`).
 */
function assertUniqueHostnames(hostnames: readonly HostnameDecl[]): void {
  const seen = new Map<string, HostnameDecl>();
  const problems = [];
  for (const h of hostnames) {
    const prev = seen.get(h.host);
    if (!prev) {
      seen.set(h.host, h);
      continue;
    }
    const svc = [h, prev].find((d) => d.owner.startsWith("service:"));
    problems.push(
      diag(
        "SW_SPEC_DUPLICATE_SUBDOMAIN",
        `hostname '${h.host}' is claimed by both ${prev.owner} and ${h.owner}`,
        {
          path: svc ? ["spec", "subdomain"] : ["spec", "components"],
          hint: "Each hostname routes to one backend: change the service's subdomain or the component's hostname.",
        },
      ),
    );
  }
  if (problems.length > 0) throw new InputError(problems);
}

/** Namespaces that hold an HTTPRoute: the gateway's own (component routes) and each routed service's. */
function routeNamespaces(plan: Plan): Set<string> {
  const out = new Set<string>([GATEWAY.namespace]);
  for (const h of plan.hostnames) if (h.owner.startsWith("service:")) out.add(h.namespace);
  return out;
}

function gatewayClass(): K8sObject {
  return {
    apiVersion: `${GATEWAY_API_GROUP}/v1`,
    kind: "GatewayClass",
    metadata: { name: GATEWAY.className },
    spec: { controllerName: "traefik.io/gateway-controller" },
  };
}

function gatewayObject(): K8sObject {
  return {
    apiVersion: `${GATEWAY_API_GROUP}/v1`,
    kind: "Gateway",
    metadata: { name: GATEWAY.name, namespace: GATEWAY.namespace },
    spec: {
      gatewayClassName: GATEWAY.className,
      listeners: [
        {
          name: GATEWAY.listener,
          // Traefik binds listeners to its entry points by container port, not the Service port.
          port: GATEWAY.listenerPort,
          protocol: "HTTP",
          // A label selector rather than `All`: only namespaces the platform routes into may attach,
          // so a workload cannot claim another hostname by writing its own HTTPRoute.
          allowedRoutes: {
            namespaces: {
              from: "Selector",
              selector: { matchLabels: { [GATEWAY.routesLabel.key]: GATEWAY.routesLabel.value } },
            },
            kinds: [{ group: GATEWAY_API_GROUP, kind: "HTTPRoute" }],
          },
        },
      ],
    },
  };
}

/** Traefik values: only what differs from the chart's defaults, each for a reason. */
function traefikValues(replicas: number) {
  return {
    deployment: { replicas },
    // The platform routes with Gateway API only; no IngressClass, no Ingress watching.
    ingressClass: { enabled: false },
    providers: { kubernetesIngress: { enabled: false }, kubernetesGateway: { enabled: true } },
    // GatewayClass and Gateway are rendered by Slipway with every defaulted field explicit.
    gateway: { enabled: false },
    gatewayClass: { enabled: false },
    ports: {
      // cloudflared forwards X-Forwarded-Proto: https from the edge; Traefik keeps it only from trusted
      // peers. The Service is ClusterIP, so every peer is a pod: trust the private ranges, not the world.
      web: { forwardedHeaders: { trustedIPs: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] } },
      // TLS ends at Cloudflare's edge; cloudflared reaches the plain `web` entry point in-cluster.
      websecure: { expose: { default: false } },
    },
    service: { spec: { type: "ClusterIP" } },
    resources: resourcesValue(TRAEFIK_RESOURCES),
  };
}

/** Routes for hostnames components declared, in the gateway namespace, plus a ReferenceGrant per backend namespace. */
function componentRoutes(hostnames: readonly HostnameDecl[], domain: string): K8sObject[] {
  const routes: K8sObject[] = [];
  const grants = new Map<string, string[]>();
  const own = [...hostnames]
    .filter((h) => !h.owner.startsWith("service:"))
    .sort((a, b) => (a.host < b.host ? -1 : 1));
  for (const h of own) {
    routes.push(
      httpRoute({
        name: h.host === domain ? "apex" : h.host.slice(0, -(domain.length + 1)).replace(/\./g, "-"),
        namespace: GATEWAY.namespace,
        hostnames: [h.host],
        backend: { name: h.service, namespace: h.namespace, port: h.port },
        labels: { "app.kubernetes.io/managed-by": "slipway", "slipway.dev/hostname-owner": h.owner },
      }),
    );
    if (h.namespace !== GATEWAY.namespace)
      grants.set(h.namespace, [...(grants.get(h.namespace) ?? []), h.service]);
  }
  const grantObjects = [...grants.keys()].sort().map((ns) => referenceGrant(ns, grants.get(ns) ?? []));
  return [...routes, ...grantObjects];
}

const config = z.strictObject({
  /** Traefik replicas; one is enough on a single node. */
  replicas: z
    .int()
    .min(1)
    .max(5)
    .default(1)
    .describe("Traefik replicas (1-5); one is enough on a single node"),
});

export const gateway = defineComponent({
  id: "gateway",
  description: "Traefik with the Gateway API provider, GatewayClass and Gateway",
  dependsOn: ["argocd"],
  after: [],
  enabledByDefault: true,
  namespaces: [GATEWAY.namespace],
  config,
  plan(ctx) {
    ctx.plan.sourceRepos.add(TRAEFIK_CHART.repoURL);
    ctx.plan.sourceRepos.add(GATEWAY_API_CRDS.repoURL);
    ctx.plan.namespace({
      name: GATEWAY.namespace,
      project: "platform",
      owner: ctx.id,
      labels: { [GATEWAY.routesLabel.key]: GATEWAY.routesLabel.value },
    });
    // Runs when namespaces resolve, after every component has declared its hostnames; the set is
    // computed once per hostname count so thousands of namespaces stay linear.
    const plan = ctx.plan;
    let cached: { count: number; namespaces: Set<string> } | undefined;
    plan.namespaceCustomizers.push((ns) => {
      if (cached?.count !== plan.hostnames.length) {
        cached = { count: plan.hostnames.length, namespaces: routeNamespaces(plan) };
      }
      if (cached.namespaces.has(ns.name)) ns.labels[GATEWAY.routesLabel.key] = GATEWAY.routesLabel.value;
    });
  },
  *contribute(ctx) {
    const { replicas } = ctx.config;
    assertUniqueHostnames(ctx.plan.hostnames);
    // No finalizer and no pruning: removing this Application (disabling the gateway) or a CRD
    // dropped upstream must not delete every route and gateway in the cluster.
    yield app({
      name: GATEWAY_API_CRDS.app,
      project: "platform",
      namespace: GATEWAY.namespace,
      order: 0,
      git: {
        repoURL: GATEWAY_API_CRDS.repoURL,
        revision: GATEWAY_API_CRDS.version,
        path: GATEWAY_API_CRDS.path,
      },
      crds: ["gateway.networking.k8s.io"],
      // The HTTPRoute CRD is larger than the last-applied annotation allows: apply server-side.
      syncOptions: ["ServerSideApply=true"],
      prune: false,
      finalizer: false,
    });
    yield app({
      name: TRAEFIK_APP,
      project: "platform",
      namespace: GATEWAY.namespace,
      order: 1,
      helm: { ...TRAEFIK_CHART, values: withTraefikAwsValues(traefikValues(replicas), ctx.platform) },
      manifests: [
        gatewayClass(),
        gatewayObject(),
        ...componentRoutes(ctx.plan.hostnames, ctx.platform.domain),
      ],
      crds: ["traefik.io", "hub.traefik.io"],
      budget: [budgetEntry("traefik", replicas, TRAEFIK_RESOURCES)],
    });
  },
});

declare module "../../render/component.js" {
  interface ComponentConfigs {
    gateway: ConfigOf<typeof config>;
  }
}
