// The gateway component's public module: how other components attach routes to the platform
// gateway, without pulling the gateway's rendering code (docs/adr/0016-module-boundaries.md).
import type { K8sObject } from "../../render/k8s.js";
import type { HostnameDecl } from "../../render/plan.js";

/**
 * The contract other components use to attach routes to the platform gateway. Kept apart from
 * the component so that importing it does not pull the gateway's rendering code.
 */
export const GATEWAY = {
  namespace: "traefik",
  name: "platform",
  /** Listener for plain HTTP inside the cluster: TLS ends at Cloudflare's edge. */
  listener: "web",
  className: "traefik",
  /** In-cluster address cloudflared forwards to. */
  serviceHost: "traefik.traefik.svc.cluster.local",
  servicePort: 80,
  /** Traefik's `web` entry point (container port); Gateway listeners name entry-point ports, not Service ports. */
  listenerPort: 8000,
  /**
   * Namespace label the `web` listener selects routes by. Only namespaces that host a declared
   * hostname carry it, so a stray HTTPRoute elsewhere cannot claim a hostname on the gateway.
   */
  routesLabel: { key: "gateway.slipway.dev/routes", value: "platform" },
} as const;

/** An explicit parentRef (every field the API server would default is written out). */
export function gatewayParentRef(): Record<string, unknown> {
  return {
    group: "gateway.networking.k8s.io",
    kind: "Gateway",
    name: GATEWAY.name,
    namespace: GATEWAY.namespace,
    sectionName: GATEWAY.listener,
  };
}

/** Gateway API group; HTTPRoute is served as v1, ReferenceGrant is stored as v1beta1 (v1.6.1). */
export const GATEWAY_API_GROUP = "gateway.networking.k8s.io";

export interface HttpRouteSpec {
  /** Route name (usually the backend Service's). */
  readonly name: string;
  /** Namespace the route lives in; the backend may be elsewhere (then a ReferenceGrant is needed). */
  readonly namespace: string;
  readonly hostnames: readonly string[];
  readonly backend: { readonly name: string; readonly namespace: string; readonly port: number };
  readonly labels?: Record<string, string>;
}

/**
 * An HTTPRoute on the platform gateway's `web` listener with every field the API server would
 * default written out (values from the v1.6.1 CRD's `default:`s). A defaulted field inside a list
 * item (parentRefs, rules, matches, backendRefs) makes Argo CD see the live list differ from Git and
 * keeps the Application OutOfSync forever; writing the defaults makes desired equal live.
 *
 * @example
 * httpRoute({ name: "blog", namespace: "blog", hostnames: ["blog.example.com"],
 *   backend: { name: "blog", namespace: "blog", port: 80 } })
 */
export function httpRoute(spec: HttpRouteSpec): K8sObject {
  return {
    apiVersion: `${GATEWAY_API_GROUP}/v1`,
    kind: "HTTPRoute",
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      ...(spec.labels ? { labels: { ...spec.labels } } : {}),
    },
    spec: {
      parentRefs: [gatewayParentRef()],
      hostnames: [...spec.hostnames],
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: "/" } }],
          backendRefs: [
            {
              group: "",
              kind: "Service",
              name: spec.backend.name,
              // Not defaulted by the API server, but explicit so a reader (and `slipway check`) sees
              // at once whether the route crosses namespaces.
              namespace: spec.backend.namespace,
              port: spec.backend.port,
              weight: 1,
            },
          ],
        },
      ],
    },
  };
}

/**
 * A ReferenceGrant in `namespace` letting HTTPRoutes in the gateway namespace reach exactly the
 * named Services there. Written as v1beta1, the storage version, so the live object reads back
 * as written.
 */
export function referenceGrant(namespace: string, services: readonly string[]): K8sObject {
  const names = [...new Set(services)].sort();
  return {
    apiVersion: `${GATEWAY_API_GROUP}/v1beta1`,
    kind: "ReferenceGrant",
    metadata: { name: `httproutes-from-${GATEWAY.namespace}`, namespace },
    spec: {
      from: [{ group: GATEWAY_API_GROUP, kind: "HTTPRoute", namespace: GATEWAY.namespace }],
      to: names.map((name) => ({ group: "", kind: "Service", name })),
    },
  };
}

/**
 * The Service port `appProtocol` that makes the gateway speak the hostname's protocol to its
 * backend: Gateway API's standard `kubernetes.io/h2c` for HTTP/2 cleartext (gRPC, ZITADEL's API),
 * plain `http` otherwise. Components owning a Service behind an h2c hostname set this on its port.
 */
export function backendAppProtocol(protocol: HostnameDecl["protocol"]): string {
  return protocol === "h2c" ? "kubernetes.io/h2c" : "http";
}

/** The Traefik Application; its release name makes the Service `traefik`, which GATEWAY.serviceHost names. */
export const TRAEFIK_APP = "traefik";
