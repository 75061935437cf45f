// The istio component's public module: the mesh's namespace and the footprint services are
// budgeted for (docs/adr/0016-module-boundaries.md).
import type { Resources } from "../../render/resources.js";

/** Where the control plane, CNI agent and ztunnel run (the charts' `global.istioNamespace` default). */
export const ISTIO_NAMESPACE = "istio-system";

/**
 * Reservations for a small node, each container's actual footprint plus headroom (upstream
 * defaults are for production clusters: istiod asks for 500m/2Gi, ztunnel 200m/512Mi). Limits
 * give room for bursts (config pushes, certificate rotation) without letting a leak take the node.
 */
export const ISTIO_RESOURCES = {
  istiod: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
  cni: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
  ztunnel: { requests: { cpu: "20m", memory: "48Mi" }, limits: { memory: "256Mi" } },
  /** Every waypoint istiod deploys (`global.waypoint.resources`): one Envoy per namespace that asks for L7. */
  waypoint: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } },
} as const satisfies Record<string, Resources>;
