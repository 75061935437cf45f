import type { WorkloadCustomizer } from "../services/workload.js";

/**
 * A service with `auth: oidc` gets OIDC_ISSUER_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET.
 * Placeholder until the capability lands. Import only types from services/workload.ts at the top
 * level (workload.ts imports this file: a value used at module evaluation would be a cycle).
 */
export const oidcCustomizer: WorkloadCustomizer = {
  id: "identity",
  applies: (_service, platform) => platform.components["identity"]?.enabled === true && false,
  customize() {},
};
