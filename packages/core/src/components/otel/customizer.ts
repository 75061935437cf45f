import type { WorkloadCustomizer } from "../services/workload.js";

/**
 * Every service gets OTEL_* env; `runtime: java` gets the Java agent injection annotation.
 * Placeholder until the capability lands. Import only types from services/workload.ts at the top
 * level (workload.ts imports this file: a value used at module evaluation would be a cycle).
 */
export const otelCustomizer: WorkloadCustomizer = {
  id: "otel",
  applies: (_service, platform) => platform.components["otel"]?.enabled === true && false,
  customize() {},
};
