import type { ResolvedGraph } from "./graph.js";

/** One node of {@link GraphJson}: an enabled component or a service (`service:<name>`). */
export interface GraphJsonNode {
  readonly id: string;
  readonly kind: "component" | "service";
  /** Argo CD sync wave of the node's Applications (its band start). */
  readonly wave: number;
  /** Ids of the nodes this one syncs after, sorted; only nodes present in the graph. */
  readonly dependsOn: readonly string[];
}

/**
 * The stable JSON shape of `slipway graph --format json`. `nodes` are in sync order (topological,
 * ties by id); `edges` run from a dependency to its dependent (`from` syncs before `to`), sorted
 * by `from`, then `to`.
 *
 * @example
 * { "nodes": [{ "id": "argocd", "kind": "component", "wave": 0, "dependsOn": [] }, …],
 *   "edges": [{ "from": "argocd", "to": "vault" }, …] }
 */
export interface GraphJson {
  readonly nodes: readonly GraphJsonNode[];
  readonly edges: readonly { readonly from: string; readonly to: string }[];
}

export type GraphFormat = "mermaid" | "dot" | "json";
export const GRAPH_FORMATS: readonly GraphFormat[] = ["mermaid", "dot", "json"];

export function graphToJson(graph: ResolvedGraph): GraphJson {
  const present = new Set(graph.order.map((n) => n.id));
  const nodes = graph.order.map((n) => ({
    id: n.id,
    kind: n.kind,
    wave: graph.wave.get(n.id) ?? 0,
    dependsOn: [...new Set(n.deps.filter((d) => present.has(d)))].sort(),
  }));
  const edges = nodes
    .flatMap((n) => n.dependsOn.map((d) => ({ from: d, to: n.id })))
    .sort((a, b) => cmp(a.from, b.from) || cmp(a.to, b.to));
  return { nodes, edges };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Nodes grouped by wave, waves ascending, nodes in sync order inside a wave. */
function byWave(g: GraphJson): [number, GraphJsonNode[]][] {
  const waves = new Map<number, GraphJsonNode[]>();
  for (const n of g.nodes) {
    const list = waves.get(n.wave) ?? [];
    list.push(n);
    waves.set(n.wave, list);
  }
  return [...waves].sort((a, b) => a[0] - b[0]);
}

/**
 * A Mermaid `flowchart`: one subgraph per sync wave, arrows from a dependency to its dependent.
 * Node ids are generated (`n0`, `n1`, …) so any component or service name is safe; names are
 * quoted labels. Services are drawn as stadiums, components as boxes.
 */
export function graphToMermaid(graph: ResolvedGraph): string {
  const g = graphToJson(graph);
  const ids = new Map(g.nodes.map((n, i) => [n.id, `n${i}`]));
  const label = (s: string) => `"${s.replace(/"/g, "#quot;")}"`;
  const lines = ["flowchart LR"];
  for (const [wave, nodes] of byWave(g)) {
    lines.push(`  subgraph wave_${wave}[${label(`wave ${wave}`)}]`);
    for (const n of nodes) {
      const id = ids.get(n.id) as string;
      lines.push(n.kind === "service" ? `    ${id}([${label(n.id)}])` : `    ${id}[${label(n.id)}]`);
    }
    lines.push("  end");
  }
  for (const e of g.edges) lines.push(`  ${ids.get(e.from)} --> ${ids.get(e.to)}`);
  return `${lines.join("\n")}\n`;
}

/**
 * A Graphviz `digraph`: one `cluster_wave_<n>` subgraph per sync wave, edges from a dependency to
 * its dependent. Every id is a quoted string, so names need no further care.
 */
export function graphToDot(graph: ResolvedGraph): string {
  const g = graphToJson(graph);
  const q = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  const lines = ["digraph slipway {", "  rankdir=LR;", "  node [shape=box];"];
  for (const [wave, nodes] of byWave(g)) {
    lines.push(`  subgraph ${q(`cluster_wave_${wave}`)} {`, `    label=${q(`wave ${wave}`)};`);
    for (const n of nodes)
      lines.push(n.kind === "service" ? `    ${q(n.id)} [shape=ellipse];` : `    ${q(n.id)};`);
    lines.push("  }");
  }
  for (const e of g.edges) lines.push(`  ${q(e.from)} -> ${q(e.to)};`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

/** The graph in one of {@link GRAPH_FORMATS}; json is two-space indented with a trailing newline. */
export function formatGraph(graph: ResolvedGraph, format: GraphFormat): string {
  switch (format) {
    case "mermaid":
      return graphToMermaid(graph);
    case "dot":
      return graphToDot(graph);
    case "json":
      return `${JSON.stringify(graphToJson(graph), null, 2)}\n`;
  }
}
