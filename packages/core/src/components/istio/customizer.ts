import type { WorkloadCustomizer } from "../services/workload.js";

/**
 * The mesh needs nothing on a service's pods today, so this customizer never applies:
 * - enrolment is the namespace label `istio.io/dataplane-mode: ambient` (namespace customizer in
 *   index.ts), so every pod of an enrolled namespace is captured without a pod label;
 * - waypoint use is the namespace label `istio.io/use-waypoint` (waypoints are per namespace,
 *   `waypoint-for: service`; a pod label would select workload-addressed traffic instead);
 * - AuthorizationPolicies select the pods by the service's selector labels, which the model
 *   already carries, and live in the `istio-policies` Application, not the service's own.
 * Per-service waypoint use (a label on the Service, not the namespace) needs the WorkloadModel
 * to expose Service labels; until then it stays here as the seam.
 *
 * Import only types from services/workload.ts at the top level (workload.ts imports this file: a
 * value used at module evaluation would be a cycle).
 */
export const meshCustomizer: WorkloadCustomizer = {
  id: "istio",
  applies: () => false,
  customize() {},
};
