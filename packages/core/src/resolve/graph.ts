import type { LoadedSpec } from "../config/load.js";
import { locateInFile } from "../config/source.js";
import { diag, InputError } from "../diagnostics.js";
import type { AnyComponent } from "../render/component.js";

export interface GraphNode {
  /** Component id, or `service:<name>`. */
  readonly id: string;
  readonly kind: "component" | "service";
  /** Nodes this one syncs after. */
  readonly deps: readonly string[];
}

export interface ResolvedGraph {
  /** Enabled nodes in topological order (ties broken by id, so the order is stable). */
  readonly order: readonly GraphNode[];
  /** Depth of each node: 0 for nodes without dependencies. */
  readonly level: ReadonlyMap<string, number>;
  /** Argo CD sync wave of each node: level × 10, leaving 0–9 for Applications inside a component. */
  readonly wave: ReadonlyMap<string, number>;
}

export const WAVE_STRIDE = 10;

/** Builds the dependency graph of enabled components and services. */
export function buildGraph(spec: LoadedSpec, components: readonly AnyComponent[]): ResolvedGraph {
  const enabled = (id: string) => spec.platform.components[id]?.enabled === true;
  const nodes: GraphNode[] = [];
  for (const c of components) {
    if (!enabled(c.id)) continue;
    const deps = [...c.dependsOn, ...(c.after ?? []).filter(enabled)];
    nodes.push({ id: c.id, kind: "component", deps: [...new Set(deps)] });
  }
  const servicesComponent = components.find((c) => c.id === "services");
  const serviceBase: readonly string[] = Object.freeze(
    servicesComponent && enabled("services") ? ["services"] : [],
  );
  for (const s of spec.services) {
    nodes.push({
      id: `service:${s.name}`,
      kind: "service",
      // Most services depend on nothing but the services component: one shared list for them.
      deps:
        s.dependsOn.length === 0 ? serviceBase : [...serviceBase, ...s.dependsOn.map((d) => `service:${d}`)],
    });
  }
  return resolveOrder(nodes, spec);
}

/** Kahn's algorithm with a sorted ready set; a leftover node means a cycle, reported with its path. */
export function resolveOrder(nodes: readonly GraphNode[], spec?: LoadedSpec): ResolvedGraph {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const indegree = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const n of nodes) {
    indegree.set(n.id, 0);
    dependents.set(n.id, []);
  }
  for (const n of nodes) {
    for (const d of n.deps) {
      if (!byId.has(d)) continue; // disabled optional dependency; required ones were checked in spec rules
      indegree.set(n.id, (indegree.get(n.id) ?? 0) + 1);
      dependents.get(d)?.push(n.id);
    }
  }
  const ready = nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  ready.sort();
  const order: GraphNode[] = [];
  const level = new Map<string, number>();
  while (ready.length > 0) {
    const id = ready.shift() as string;
    const n = byId.get(id) as GraphNode;
    order.push(n);
    const lv = Math.max(-1, ...n.deps.filter((d) => byId.has(d)).map((d) => level.get(d) ?? 0)) + 1;
    level.set(id, lv);
    for (const m of dependents.get(id) ?? []) {
      const left = (indegree.get(m) ?? 0) - 1;
      indegree.set(m, left);
      if (left === 0) insertSorted(ready, m);
    }
  }
  if (order.length < nodes.length) {
    const cycle = findCycle(
      nodes.filter((n) => !level.has(n.id)),
      byId,
    );
    const first = cycle[0] ?? "";
    const svc = first.startsWith("service:")
      ? spec?.services.find((s) => `service:${s.name}` === first)
      : undefined;
    const location = svc ? locateInFile(svc.file, ["spec", "dependsOn"]) : undefined;
    throw new InputError([
      diag("SW_DEP_CYCLE", `dependency cycle: ${cycle.join(" → ")}`, {
        path: svc ? ["spec", "dependsOn"] : [],
        ...(location ? { location } : {}),
        hint: "Remove one of the dependencies so the graph has an order.",
      }),
    ]);
  }
  const wave = new Map([...level].map(([id, lv]) => [id, lv * WAVE_STRIDE]));
  return { order, level, wave };
}

function insertSorted(arr: string[], v: string): void {
  let i = 0;
  while (i < arr.length && (arr[i] as string) < v) i++;
  arr.splice(i, 0, v);
}

function findCycle(stuck: readonly GraphNode[], byId: ReadonlyMap<string, GraphNode>): string[] {
  const stuckIds = new Set(stuck.map((n) => n.id));
  const start = [...stuckIds].sort()[0];
  if (start === undefined) return [];
  // Walk dependencies inside the stuck set until a node repeats.
  const seen = new Map<string, number>();
  const path: string[] = [];
  let cur: string | undefined = start;
  while (cur !== undefined && !seen.has(cur)) {
    seen.set(cur, path.length);
    path.push(cur);
    cur = [...(byId.get(cur)?.deps ?? [])].sort().find((d) => stuckIds.has(d));
  }
  if (cur === undefined) return path;
  return [...path.slice(seen.get(cur)), cur];
}
