import type { WorkloadCustomizer } from "../services/workload.js";

/**
 * `database: {dynamic: true}` gets credentials from a VaultDynamicSecret instead of static ones.
 * Placeholder until the capability lands. Import only types from services/workload.ts at the top
 * level (workload.ts imports this file: a value used at module evaluation would be a cycle).
 */
export const dynamicDbCustomizer: WorkloadCustomizer = {
  id: "dynamic-db",
  applies: (_service, platform) => platform.components["dynamic-db"]?.enabled === true && false,
  customize() {},
};
