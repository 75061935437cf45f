import type { WorkloadCustomizer } from "../services/workload.js";

/**
 * Mesh-enrolled services: waypoint use and AuthorizationPolicy from declared callers.
 * Placeholder until the capability lands. Import only types from services/workload.ts at the top
 * level (workload.ts imports this file: a value used at module evaluation would be a cycle).
 */
export const meshCustomizer: WorkloadCustomizer = {
  id: "istio",
  applies: (_service, platform) => platform.components["istio"]?.enabled === true && false,
  customize() {},
};
