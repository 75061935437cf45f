export { components } from "./components/index.js";
export type { Diagnostic, Severity, SourceLocation } from "./diagnostics.js";
export { ConflictError, diag, formatPath, InputError, NotFoundError, SlipwayError } from "./diagnostics.js";
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
export { FileSet, sha256 } from "./render/files.js";
export type { K8sObject, ObjectMeta } from "./render/k8s.js";
export { Plan } from "./render/plan.js";
export type { RenderedApp, RenderSession } from "./render/render.js";
export { render } from "./render/render.js";
export { toYaml, toYamlStream } from "./render/yaml.js";
export type { GraphNode, ResolvedGraph } from "./resolve/graph.js";
export { buildGraph, resolveOrder, WAVE_STRIDE } from "./resolve/graph.js";
export type { LoadedSpec } from "./spec/load.js";
export { loadSpec } from "./spec/load.js";
export type { PlatformSpec, ServiceSpec } from "./spec/schema.js";
export { API_VERSION, platformSchema, serviceSchema } from "./spec/schema.js";
export { parseSource, readSource, type SourceFile } from "./spec/source.js";
export type { Prepared, SynthOptions } from "./synth.js";
export { prepare, renderPlatform, synth } from "./synth.js";
export type { ChangeKind, FileChange, WriteOptions, WriteResult } from "./write/write.js";
export { writeTree } from "./write/write.js";
