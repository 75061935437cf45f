import { resolve as resolvePath } from "node:path";
import { components as defaultComponents } from "./components/index.js";
import { type LoadedSpec, loadSpec } from "./config/load.js";
import type { AnyComponent } from "./render/component.js";
import { type RenderSession, render } from "./render/render.js";
import { buildGraph, type ResolvedGraph } from "./resolve/graph.js";
import { validateRegistry } from "./resolve/registry.js";
import { type AppRow, appRows, tallyAppFiles } from "./write/summary.js";
import { type WriteOptions, type WriteResult, writeTree } from "./write/write.js";

export interface SynthOptions
  extends Pick<WriteOptions, "dryRun" | "diff" | "conflicts" | "force" | "listChanges"> {
  /** Path to platform.yaml. */
  readonly config: string;
  /** Output root; defaults to the directory holding platform.yaml (the platform repository). */
  readonly out?: string;
  readonly components?: readonly AnyComponent[];
}

/** What {@link synth} did: the write step's result, the Applications it rendered, and the session. */
export interface SynthResult extends WriteResult {
  /** The rendered Applications in sync-wave order, with how many files each owns. */
  readonly apps: readonly AppRow[];
  readonly session: RenderSession & Prepared;
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

/**
 * load → validate → resolve → render → write: the one pipeline behind `slipway synth` (the CLI
 * adds only its arguments, output and exit codes). Files stream from render into the write step,
 * counted per Application on the way.
 */
export function synth(opts: SynthOptions): SynthResult {
  const session = renderPlatform(opts.config, opts.components);
  const counts = new Map<string, number>();
  const { config: _config, out, components: _components, ...write } = opts;
  const result = writeTree(out ?? session.spec.root, tallyAppFiles(session.files, counts), write);
  return { ...result, apps: appRows(session.apps, counts), session };
}
