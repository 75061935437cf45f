import { resolve as resolvePath } from "node:path";
import { components as defaultComponents } from "./components/index.js";
import { type LoadedSpec, loadSpec } from "./config/load.js";
import type { AnyComponent } from "./render/component.js";
import { type RenderSession, render } from "./render/render.js";
import { buildGraph, type ResolvedGraph } from "./resolve/graph.js";
import { validateRegistry } from "./resolve/registry.js";
import { type WriteResult, writeTree } from "./write/write.js";

export interface SynthOptions {
  /** Path to platform.yaml. */
  readonly config: string;
  /** Output root; defaults to the directory holding platform.yaml (the platform repository). */
  readonly out?: string;
  /** Compute changes only (`synth --check`). */
  readonly dryRun?: boolean;
  readonly force?: boolean;
  readonly components?: readonly AnyComponent[];
}

export interface Prepared {
  readonly spec: LoadedSpec;
  readonly graph: ResolvedGraph;
  readonly components: readonly AnyComponent[];
}

/** spec → resolve: everything up to rendering. Throws InputError on invalid input. */
export function prepare(config: string, components: readonly AnyComponent[] = defaultComponents): Prepared {
  validateRegistry(components);
  const spec = loadSpec(resolvePath(config), components);
  const graph = buildGraph(spec, components);
  return { spec, graph, components };
}

/** prepare → render, without writing: the in-memory tree for check, diff and tests. */
export function renderPlatform(
  config: string,
  components?: readonly AnyComponent[],
): RenderSession & Prepared {
  const prepared = prepare(config, components);
  return { ...prepared, ...render(prepared.spec, prepared.graph, prepared.components) };
}

/** load → validate → resolve → render → write. */
export function synth(opts: SynthOptions): WriteResult & { session: RenderSession & Prepared } {
  const session = renderPlatform(opts.config, opts.components);
  const out = opts.out ?? session.spec.root;
  const result = writeTree(out, session.files, {
    ...(opts.dryRun !== undefined ? { dryRun: opts.dryRun } : {}),
    ...(opts.force !== undefined ? { force: opts.force } : {}),
  });
  return { ...result, session };
}
