import type { ServiceSpec } from "../../config/schema.js";
import { diag, InputError } from "../../diagnostics.js";
import type { K8sObject } from "../../render/k8s.js";
import { GATEWAY, GATEWAY_API_GROUP, TRAEFIK_APP } from "../gateway/contract.js";
import { OBSERVABILITY_NAMESPACE } from "../observability/contract.js";
import { selectorLabels } from "../services/contract.js";
import { ISTIO_NAMESPACE } from "./contract.js";
import { TRACING_PROVIDER, TRUST_DOMAIN } from "./values.js";

/** The namespace label that puts every pod of a namespace in the ambient data plane. */
export const AMBIENT_LABEL = { key: "istio.io/dataplane-mode", value: "ambient" } as const;

/** The label that sends a namespace's Service traffic through a waypoint (value: the waypoint's name). */
export const USE_WAYPOINT_LABEL = "istio.io/use-waypoint";

/**
 * The per-namespace waypoint: a Gateway of class `istio-waypoint` (istiod creates the class and
 * deploys an Envoy, Deployment and ServiceAccount named after the Gateway). `waypoint-for:
 * service` makes it handle traffic addressed to Services, which is what `use-waypoint` on the
 * namespace selects; traffic to a pod IP goes straight to the pod's ztunnel.
 */
export const WAYPOINT = {
  name: "waypoint",
  className: "istio-waypoint",
  forLabel: { key: "istio.io/waypoint-for", value: "service" },
  listener: { name: "mesh", port: 15008, protocol: "HBONE" },
} as const;

/** How namespaces join the mesh: only service namespaces, or every namespace but the system ones. */
export type Enrolment = "workloads" | "all-but-system";

/**
 * Never enrolled, whatever `enrol` says. Kubernetes' own; istio-system (the mesh's control
 * plane and node agents); monitoring (the collectors scrape pods across the cluster from outside
 * the mesh, and the seed keeps system namespaces out); cert-manager (istio-csr is the mesh's CA:
 * ztunnel needs it before it can carry anything, so it cannot sit behind ztunnel itself).
 */
export const NEVER_ENROLLED: readonly string[] = [
  "cert-manager",
  ISTIO_NAMESPACE,
  "kube-node-lease",
  "kube-public",
  "kube-system",
  OBSERVABILITY_NAMESPACE,
];

/** `<trust domain>/ns/<ns>/sa/<sa>`: an AuthorizationPolicy principal. */
export const principal = (namespace: string, serviceAccount: string) =>
  `${TRUST_DOMAIN}/ns/${namespace}/sa/${serviceAccount}`;

/**
 * Traefik's identity: the chart names its ServiceAccount after the release (`serviceAccount.name`
 * empty → fullname `traefik`), in the gateway namespace.
 */
export const GATEWAY_PRINCIPAL = principal(GATEWAY.namespace, TRAEFIK_APP);

/** Who is in the mesh and how, decided once from the services and the declared namespaces. */
export interface MeshLayout {
  /** Namespaces labelled `istio.io/dataplane-mode: ambient`. */
  readonly enrolled: ReadonlySet<string>;
  /** Namespaces with `PeerAuthentication` STRICT: enrolled namespaces that hold services. */
  readonly strict: ReadonlySet<string>;
  /** Namespaces with a waypoint (some service there has `mesh.l7: true`). */
  readonly waypoints: ReadonlySet<string>;
}

/**
 * The layout. Service namespaces are always enrolled and STRICT (they exist to be in the mesh).
 * The gateway namespace is enrolled, but not STRICT, when an enrolled service is routed: under
 * STRICT an enrolled pod accepts only HBONE, so Traefik must send through its ztunnel, while
 * Traefik's own clients (cloudflared) stay plaintext outside the mesh. With `all-but-system`,
 * platform namespaces are enrolled too (mTLS between mesh members) but stay PERMISSIVE, so
 * non-mesh clients (kubelet is exempt anyway; Prometheus scrapes) keep working.
 */
export function meshLayout(input: {
  readonly enrol: Enrolment;
  readonly services: readonly ServiceSpec[];
  /** Every declared namespace. */
  readonly namespaces: Iterable<string>;
  readonly gatewayEnabled: boolean;
}): MeshLayout {
  const never = new Set(NEVER_ENROLLED);
  const serviceNs = new Set(input.services.map((s) => s.namespace).filter((n) => !never.has(n)));
  const enrolled = new Set(serviceNs);
  if (input.enrol === "all-but-system") for (const n of input.namespaces) if (!never.has(n)) enrolled.add(n);
  if (input.gatewayEnabled && input.services.some((s) => s.host && serviceNs.has(s.namespace))) {
    enrolled.add(GATEWAY.namespace);
  }
  const waypoints = new Set(
    input.services.filter((s) => s.mesh.l7 && serviceNs.has(s.namespace)).map((s) => s.namespace),
  );
  return { enrolled, strict: serviceNs, waypoints };
}

/**
 * Mesh features only work inside the mesh: a service asking for L7 or callers in a namespace that
 * is never enrolled (istio-system, cert-manager, kube-*) would get policies nothing enforces.
 */
export function assertEnrolled(services: readonly ServiceSpec[], layout: MeshLayout): void {
  const problems = [];
  const byName = new Map(services.map((s) => [s.name, s]));
  for (const s of services) {
    const wants = s.mesh.l7 || s.mesh.callers.length > 0;
    if (wants && !layout.strict.has(s.namespace)) {
      problems.push(
        diag(
          "SW_MESH_NOT_ENROLLED",
          `service '${s.name}' uses mesh features, but its namespace '${s.namespace}' is never enrolled in the mesh`,
          {
            path: s.namespace !== s.name ? ["spec", "namespace"] : ["metadata", "name"],
            hint: `Move the service out of ${NEVER_ENROLLED.join(", ")}, or drop spec.mesh.`,
          },
        ),
      );
    }
    for (const [i, c] of s.mesh.callers.entries()) {
      const caller = byName.get(c);
      if (caller && !layout.enrolled.has(caller.namespace)) {
        problems.push(
          diag(
            "SW_MESH_NOT_ENROLLED",
            `service '${s.name}' allows caller '${c}', whose namespace '${caller.namespace}' is not in the mesh (it has no identity to allow)`,
            { path: ["spec", "mesh", "callers", i], hint: `Move '${c}' to a namespace of its own.` },
          ),
        );
      }
    }
  }
  if (problems.length > 0) throw new InputError(problems);
}

const LABELS = { "app.kubernetes.io/managed-by": "slipway", "slipway.dev/component": "istio" } as const;

/** Namespace-wide STRICT mTLS: the pods accept only HBONE (mTLS) from mesh members. */
export function peerAuthentication(namespace: string): K8sObject {
  return {
    apiVersion: "security.istio.io/v1",
    kind: "PeerAuthentication",
    // `default` is the conventional name of the namespace-wide policy (no selector).
    metadata: { name: "default", namespace, labels: { ...LABELS } },
    spec: { mtls: { mode: "STRICT" } },
  };
}

/** The namespace's waypoint Gateway, with the listener's defaulted `allowedRoutes` written out (no diff). */
export function waypointGateway(namespace: string): K8sObject {
  return {
    apiVersion: `${GATEWAY_API_GROUP}/v1`,
    kind: "Gateway",
    metadata: {
      name: WAYPOINT.name,
      namespace,
      labels: { ...LABELS, [WAYPOINT.forLabel.key]: WAYPOINT.forLabel.value },
    },
    spec: {
      gatewayClassName: WAYPOINT.className,
      listeners: [
        {
          name: WAYPOINT.listener.name,
          port: WAYPOINT.listener.port,
          protocol: WAYPOINT.listener.protocol,
          allowedRoutes: { namespaces: { from: "Same" } },
        },
      ],
    },
  };
}

/**
 * AuthorizationPolicies for a service that declares `mesh.callers`: ALLOW from exactly those
 * callers (their ServiceAccount is named after the service), plus Traefik when the service has a
 * route. Without callers nothing is rendered (no policy = allow all mesh traffic).
 *
 * Enforcement points: the destination ztunnel always (selector policy, L4 identity). With a
 * waypoint, traffic addressed to the Service arrives at ztunnel from the waypoint's identity, so
 * the ztunnel policy allows the waypoint too and a second policy attached to the Service
 * (`targetRefs`) makes the waypoint enforce the caller list (where L7 rules can be added later).
 * Callers that reach a pod IP directly (Traefik balances over endpoints) still meet the ztunnel
 * policy with the same list: bypassing the waypoint skips L7 features, not authorization.
 */
export function authorizationPolicies(
  s: ServiceSpec,
  services: ReadonlyMap<string, ServiceSpec>,
  layout: MeshLayout,
): K8sObject[] {
  if (s.mesh.callers.length === 0) return [];
  const callers = s.mesh.callers.map((c) => principal(services.get(c)?.namespace ?? c, c));
  if (s.host && layout.enrolled.has(GATEWAY.namespace)) callers.push(GATEWAY_PRINCIPAL);
  const allowed = [...new Set(callers)].sort();
  const waypoint = layout.waypoints.has(s.namespace);
  const labels = { ...LABELS, "slipway.dev/service": s.name };
  const rules = (principals: string[]) => [{ from: [{ source: { principals } }] }];
  const ztunnel: K8sObject = {
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: { name: `${s.name}-ztunnel`, namespace: s.namespace, labels },
    spec: {
      selector: { matchLabels: selectorLabels(s) },
      action: "ALLOW",
      rules: rules(waypoint ? [...allowed, principal(s.namespace, WAYPOINT.name)].sort() : allowed),
    },
  };
  if (!waypoint) return [ztunnel];
  const attached: K8sObject = {
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: { name: `${s.name}-waypoint`, namespace: s.namespace, labels },
    spec: {
      targetRefs: [{ group: "", kind: "Service", name: s.name }],
      action: "ALLOW",
      rules: rules(allowed),
    },
  };
  return [ztunnel, attached];
}

/** Mesh-wide tracing (root namespace, no selector) through the OTel extension provider. */
export function telemetry(samplingPercentage: number): K8sObject {
  return {
    apiVersion: "telemetry.istio.io/v1",
    kind: "Telemetry",
    metadata: { name: "mesh-default", namespace: ISTIO_NAMESPACE, labels: { ...LABELS } },
    spec: {
      tracing: [{ providers: [{ name: TRACING_PROVIDER }], randomSamplingPercentage: samplingPercentage }],
    },
  };
}
