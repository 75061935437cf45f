import type { K8sObject } from "../../render/k8s.js";
import type { HostnameDecl } from "../../render/plan.js";
import { GATEWAY, gatewayParentRef } from "./ref.js";

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
