// Onboarding: a generated project becomes a repository and a service in the platform repository
// (clone, write, check, commit, push). It needs all of core (render, write, check), so it is its
// own package: generating a project (`@slipway/presets`) loads only the light core.

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
