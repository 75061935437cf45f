// The onboarding engine and the template export need all of core (render, write, check); they
// live behind `@slipway/presets/onboard` so that generating a project loads only the light core.

export {
  backstageTemplateFiles,
  presetSkeleton,
  softwareTemplate,
  TEMPLATE_DESCRIPTION_PATTERN,
  type TemplateExportFile,
} from "../template/backstage.js";
export {
  exportBackstageTemplates,
  exportTemplate,
  type TemplateExportResult,
} from "../template/export.js";
export {
  type BranchOnboardOptions,
  type BranchOnboardPlan,
  githubRepo,
  onboardOnBranch,
  type PlatformBranch,
} from "./branch.js";
export {
  type CommitIdentity,
  type OnboardOptions,
  type OnboardPlan,
  type OneTimeStep,
  onboard,
  type PlannedChange,
} from "./onboard.js";
