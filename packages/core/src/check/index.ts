export { type Arch, archDiagnostics, archFindings, IMAGE_ARCHES, publishedArches } from "./arch.js";
export type {
  Budget,
  BudgetComponent,
  BudgetSession,
  BudgetWorkload,
  Resources,
  Unbounded,
} from "./budget.js";
export { budgetDiagnostics, budgetOf, computeBudget } from "./budget.js";
export type { ChartOptions, ChartRender, ChartStats } from "./charts.js";
export { renderCharts } from "./charts.js";
export type { CheckOptions, CheckResult, CheckSession, CheckStats } from "./check.js";
export { check, checkInput } from "./check.js";
export type { ChartOrigin, CheckInput, ParsedFile, RenderedObject } from "./input.js";
export { buildCheckInput, parseYamlDocuments } from "./input.js";
export { apiServerFromKubeconfig } from "./kubeconfig.js";
export type { Finding } from "./locate.js";
export { placeholderDiagnostics } from "./placeholders.js";
export { policies } from "./policies/index.js";
export type { Policy } from "./policy.js";
export { definePolicy, objectFinding, policyCode, policyDiag } from "./policy.js";
export { mergeHelmValues } from "./schemas/helm-values.js";
export { SCHEMA_FILES } from "./schemas/manifest.js";
export type { PullOptions, PullResult, SchemaSource } from "./schemas/pull.js";
export {
  PULL_MARKER,
  pullSchemas,
  resolveSchemaDir,
  schemaCacheDir,
  schemaSetId,
  UPSTREAM_BASE,
} from "./schemas/pull.js";
export { SchemaDir } from "./schemas/schema-dir.js";
export type { SchemaFile } from "./schemas/schema-file.js";
export type { JsonSchema, SchemaFinding } from "./schemas/structural.js";
export { validateStructural } from "./schemas/structural.js";
export type {
  ApiServer,
  ServerCheckOptions,
  ServerCheckResult,
  ServerCheckStats,
} from "./server.js";
export { checkServer } from "./server.js";
export type { TerraformCheckOptions, TerraformCheckResult, TerraformRoot } from "./terraform.js";
export { checkTerraform } from "./terraform.js";
