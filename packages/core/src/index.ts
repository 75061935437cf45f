export * from "./bootstrap/index.js";
export * from "./check/index.js";
export { components } from "./components/index.js";
export { type ObservabilityEndpoints, observabilityEndpoints } from "./components/observability/contract.js";
export { databaseVaultPath } from "./components/postgres/contract.js";
export { jsonSchemas, SCHEMA_FILES } from "./config/json-schema.js";
export type { LoadedSpec } from "./config/load.js";
export { loadSpec } from "./config/load.js";
export type { PlatformSpec, ServiceSpec } from "./config/schema.js";
export { API_VERSION, platformSchema, serviceSchema } from "./config/schema.js";
export { type ParsedSource, parseSource, readSource, type SourceFile } from "./config/source.js";
export type { Diagnostic, DiagOptions, Severity, SourceLocation } from "./diagnostics.js";
export {
  ConflictError,
  diag,
  formatPath,
  InputError,
  internalError,
  NotFoundError,
  SlipwayError,
  UnavailableError,
} from "./diagnostics.js";
export { errorReference } from "./docs/errors.js";
export { componentReference, specReference, undocumentedFields } from "./docs/reference.js";
export type {
  CatalogueCode,
  ErrorArea,
  ErrorCode,
  ErrorEntry,
  ErrorKind,
  PolicyCode,
  PolicyCodeOf,
  PolicyId,
} from "./errors.js";
export { ERROR_AREAS, ERROR_KINDS, ERRORS, errorDocs, isCatalogued } from "./errors.js";
export { type AdoptNote, type AdoptOptions, type AdoptResult, adoptFromManifests } from "./init/adopt.js";
export { type InitOptions, initPlatform, type StarterFile, starterFiles } from "./init/init.js";
export { ARGOCD_NAMESPACE, manifestFileName, paths, renderApp } from "./render/apps.js";
export type {
  AnyComponent,
  AppSpec,
  BudgetEntry,
  ComponentDefinition,
  Contribution,
  HelmSource,
  PlanContext,
  RenderContext,
} from "./render/component.js";
export { app, defineComponent, file } from "./render/component.js";
export type { OutputFile } from "./render/files.js";
export { RENDER_ROOTS } from "./render/files.js";
export type { K8sObject, ObjectMeta } from "./render/k8s.js";
export { Plan } from "./render/plan.js";
export type { RenderedApp, RenderSession } from "./render/render.js";
export { render } from "./render/render.js";
export { toYaml, toYamlStream } from "./render/yaml.js";
export type { GraphFormat, GraphJson, GraphJsonNode } from "./resolve/format.js";
export { formatGraph, GRAPH_FORMATS, graphToDot, graphToJson, graphToMermaid } from "./resolve/format.js";
export type { GraphNode, ResolvedGraph } from "./resolve/graph.js";
export { buildGraph, resolveOrder, WAVE_STRIDE } from "./resolve/graph.js";
export type { Prepared, SynthOptions, SynthResult } from "./synth.js";
export { prepare, renderPlatform, synth } from "./synth.js";
export { formatUnifiedDiff } from "./write/diff.js";
export type { Ownership } from "./write/ownership.js";
export { OWNERSHIP_FILE, readOwnership } from "./write/ownership.js";
export type { AppRow } from "./write/summary.js";
export { appRows, tallyAppFiles } from "./write/summary.js";
export type { ChangeKind, FileChange, WriteOptions, WriteResult } from "./write/write.js";
export { writeTree } from "./write/write.js";
