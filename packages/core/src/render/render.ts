import type { LoadedSpec } from "../config/load.js";
import type { ResolvedGraph } from "../resolve/graph.js";
import { renderApp } from "./apps.js";
import {
  type AnyComponent,
  type AppSpec,
  componentConfig,
  type PlanContext,
  type RenderContext,
} from "./component.js";
import { assertSafePath, type OutputFile } from "./files.js";
import { Plan } from "./plan.js";

/** The parts of an AppSpec that checks, budgets and summaries read; the rest is in its files. */
export type RenderedAppSpec = Pick<
  AppSpec,
  | "name"
  | "project"
  | "namespace"
  | "helm"
  | "git"
  | "crds"
  | "budget"
  | "syncOptions"
  | "prune"
  | "finalizer"
  | "argocdCluster"
>;

/** What one rendered Application was, kept beside the files for budget and checks. */
export interface RenderedApp {
  /** What of the AppSpec is not in its files' objects (read those from the rendered files). */
  readonly spec: RenderedAppSpec;
  readonly owner: string;
  readonly wave: number;
}

export interface RenderSession {
  /**
   * Files in contribution order. Iterate once. A path rendered twice is a bug in a component:
   * writeTree (`SW_WRITE_DUPLICATE_PATH`) and buildCheckInput (`SW_RENDER_PATH_CONFLICT`) refuse it.
   */
  readonly files: Iterable<OutputFile>;
  /** Filled while `files` is iterated. */
  readonly apps: RenderedApp[];
  readonly plan: Plan;
}

/**
 * Runs the plan phase for every enabled component, then yields their contributions as files, one
 * at a time: a consumer (the write step) writes each and keeps only its path and digest.
 */
export function render(
  spec: LoadedSpec,
  graph: ResolvedGraph,
  components: readonly AnyComponent[],
): RenderSession {
  const byId = new Map(components.map((c) => [c.id, c]));
  const plan = new Plan();
  const existing = spec.platform.cluster.existing;
  for (const name of existing.namespaces)
    plan.existing.push({ kind: "Namespace", name, declaredBy: "spec.cluster.existing" });
  for (const o of existing.objects) plan.existing.push({ ...o, declaredBy: "spec.cluster.existing" });
  const isEnabled = (id: string) => spec.platform.components[id]?.enabled === true;
  const baseCtx = (c: AnyComponent): PlanContext<unknown> => ({
    id: c.id,
    platform: spec.platform,
    services: spec.services,
    config: spec.platform.components[c.id],
    plan,
    isEnabled,
  });
  const enabledComponents = graph.order
    .filter((n) => n.kind === "component")
    .map((n) => byId.get(n.id) as AnyComponent);
  for (const c of enabledComponents) c.plan?.(baseCtx(c));

  const apps: RenderedApp[] = [];
  function* files(): Generator<OutputFile> {
    // Each path is checked here; that no path comes twice is checked by the consumer, which keeps
    // every path anyway (writeTree, buildCheckInput).
    const claim = (f: OutputFile) => {
      assertSafePath(f);
      return f;
    };
    for (const c of enabledComponents) {
      const wave = graph.wave.get(c.id) ?? 0;
      const ctx: RenderContext<unknown> = {
        ...baseCtx(c),
        wave,
        waveOf: (node) => graph.wave.get(node) ?? 0,
        configOf: (id) => componentConfig(spec.platform, id),
      };
      for (const contribution of c.contribute(ctx)) {
        if (contribution.type === "file") {
          yield claim({ path: contribution.path, content: contribution.content, owner: c.id });
        } else {
          const a = contribution.app;
          const appWave = a.wave ?? wave + (a.order ?? 0);
          // Keep what describes the Application, not its objects, labels or image pins: those are
          // in the files, and one summary per service is kept to the end of the run.
          apps.push({ spec: summarize(a), owner: c.id, wave: appWave });
          for (const f of renderApp(a, spec.platform, appWave, c.id)) yield claim(f);
        }
      }
    }
  }
  return { files: files(), apps, plan };
}

const SUMMARY_KEYS = [
  "helm",
  "git",
  "crds",
  "budget",
  "syncOptions",
  "prune",
  "finalizer",
  "argocdCluster",
] as const;

function summarize(a: AppSpec): RenderedAppSpec {
  const summary: { -readonly [K in keyof RenderedAppSpec]: RenderedAppSpec[K] } = {
    name: a.name,
    project: a.project,
    namespace: a.namespace,
  };
  for (const k of SUMMARY_KEYS) if (a[k] !== undefined) Object.assign(summary, { [k]: a[k] });
  return summary;
}
