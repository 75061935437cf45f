export { formatApply, formatPlan, formatStatus } from "./format.js";
export type {
  Action,
  BootstrapPlan,
  BootstrapStep,
  BootstrapTool,
  Check,
  KvSecret,
  Probe,
} from "./plan.js";
export { bootstrapPlan, kvSecrets, vaultInitFile } from "./plan.js";
export type { ApplyReport, BootstrapEnv, StatusReport, StepState, StepStatus } from "./run.js";
export { bootstrapApply, bootstrapStatus } from "./run.js";
