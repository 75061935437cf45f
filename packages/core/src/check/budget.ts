import { relative } from "node:path";
import { cpuMillis, memoryBytes } from "../config/primitives.js";
import type { PlatformSpec } from "../config/schema.js";
import { locateInFile } from "../config/source.js";
import { type Diagnostic, diag } from "../diagnostics.js";
import type { OutputFile } from "../render/files.js";
import type { RenderedApp } from "../render/render.js";
import { buildCheckInput, type CheckInput, isRecord } from "./input.js";
import { BATCH_KINDS, containersOf, podTemplate, quantity } from "./workloads.js";

/** CPU in millicores and memory in bytes. */
export interface Resources {
  readonly cpuMillis: number;
  readonly memoryBytes: number;
}

/** Numbers of containers without a CPU limit and without a memory limit. */
export interface Unbounded {
  readonly cpu: number;
  readonly memory: number;
}

export interface BudgetWorkload {
  /** `Kind/name` for objects, the BudgetEntry's workload name for charts. */
  readonly workload: string;
  readonly app?: string;
  /** Pods counted: replicas, or nodes for a DaemonSet. */
  readonly replicas: number;
  readonly source: "object" | "chart";
  readonly requests: Resources;
  readonly limits: Resources;
  /** Containers without a CPU / memory limit: their usage is bounded only by the node. */
  readonly unbounded: Unbounded;
}

export interface BudgetComponent {
  readonly component: string;
  readonly requests: Resources;
  readonly limits: Resources;
  readonly unbounded: Unbounded;
  readonly workloads: readonly BudgetWorkload[];
}

export interface Budget {
  /** Steady-state workloads per component, sorted by component id. */
  readonly components: readonly BudgetComponent[];
  /** Jobs and CronJobs: they run to completion, so they are not added to the steady state. */
  readonly jobs: readonly (BudgetWorkload & { readonly component: string })[];
  readonly total: { readonly requests: Resources; readonly limits: Resources };
  readonly capacity: Resources;
  /** Per node, times the number of nodes. */
  readonly reserved: Resources;
  readonly allocatable: Resources;
  readonly nodes: number;
  /** Total requests fit the allocatable CPU and memory. */
  readonly fits: boolean;
}

/** The parts of a render session the budget reads; `files` is iterated once. */
export interface BudgetSession {
  readonly files: Iterable<OutputFile>;
  readonly apps: readonly RenderedApp[];
  readonly spec: { readonly platform: Pick<PlatformSpec, "cluster"> };
}

const ZERO: Resources = { cpuMillis: 0, memoryBytes: 0 };
const add = (a: Resources, b: Resources): Resources => ({
  cpuMillis: a.cpuMillis + b.cpuMillis,
  memoryBytes: a.memoryBytes + b.memoryBytes,
});
const times = (a: Resources, n: number): Resources => ({
  cpuMillis: a.cpuMillis * n,
  memoryBytes: a.memoryBytes * n,
});
const max = (a: Resources, b: Resources): Resources => ({
  cpuMillis: Math.max(a.cpuMillis, b.cpuMillis),
  memoryBytes: Math.max(a.memoryBytes, b.memoryBytes),
});

/**
 * Sums requests and limits per component: from the rendered workload objects (Deployment and
 * StatefulSet × replicas, DaemonSet × nodes) and from the AppSpecs' `budget` entries for charts,
 * against the nodes' capacity less `cluster.reserved` on each node.
 */
export function computeBudget(session: BudgetSession): Budget {
  return budgetOf(buildCheckInput(session.files, session.apps), session.spec.platform.cluster);
}

/**
 * `SW_BUDGET_DOES_NOT_FIT` at `spec.cluster.nodes` of the platform file when the total requests
 * exceed the allocatable CPU or memory: the scheduler would leave pods Pending, so `check` fails.
 */
export function budgetDiagnostics(budget: Budget, configFile: string): Diagnostic[] {
  if (budget.fits) return [];
  const short: string[] = [];
  if (budget.total.requests.cpuMillis > budget.allocatable.cpuMillis)
    short.push(`CPU ${budget.total.requests.cpuMillis}m requested of ${budget.allocatable.cpuMillis}m`);
  if (budget.total.requests.memoryBytes > budget.allocatable.memoryBytes)
    short.push(
      `memory ${Math.ceil(budget.total.requests.memoryBytes / 2 ** 20)}Mi requested of ${Math.floor(budget.allocatable.memoryBytes / 2 ** 20)}Mi`,
    );
  const file = relative(process.cwd(), configFile) || configFile;
  const path = ["spec", "cluster", "nodes"];
  return [
    diag("SW_BUDGET_DOES_NOT_FIT", `the platform does not fit its nodes: ${short.join(", ")} allocatable`, {
      path,
      location: locateInFile(file, path),
      hint: "add or enlarge nodes under spec.cluster.nodes, lower cluster.reserved, or disable components; `slipway budget` shows what each component requests",
    }),
  ];
}

/** {@link computeBudget} over an already collected input. */
export function budgetOf(input: CheckInput, cluster: PlatformSpec["cluster"]): Budget {
  const nodes = cluster.nodes.length;
  const byComponent = new Map<string, BudgetWorkload[]>();
  const jobs: (BudgetWorkload & { component: string })[] = [];
  const push = (component: string, w: BudgetWorkload) => {
    byComponent.set(component, [...(byComponent.get(component) ?? []), w]);
  };

  for (const o of input.objects) {
    const t = podTemplate(o.object);
    if (!t) continue;
    const pod = podResources(t);
    const spec = isRecord(o.object.spec) ? o.object.spec : {};
    const batch = BATCH_KINDS.has(o.object.kind);
    let replicas = 1;
    if (o.object.kind === "DaemonSet") replicas = nodes;
    else if (!batch && typeof spec.replicas === "number") replicas = spec.replicas;
    const w: BudgetWorkload = {
      workload: `${o.object.kind}/${o.object.metadata.name}`,
      ...(o.app ? { app: o.app.spec.name } : {}),
      replicas,
      source: "object",
      requests: times(pod.requests, replicas),
      limits: times(pod.limits, replicas),
      unbounded: { cpu: pod.unbounded.cpu * replicas, memory: pod.unbounded.memory * replicas },
    };
    if (batch) jobs.push({ ...w, component: o.owner });
    else push(o.owner, w);
  }
  for (const a of input.apps) {
    for (const e of a.spec.budget ?? []) {
      push(a.owner, {
        workload: e.workload,
        app: a.spec.name,
        replicas: e.replicas,
        source: "chart",
        requests: { ...e.requests },
        limits: { ...e.limits },
        unbounded: { cpu: 0, memory: 0 },
      });
    }
  }

  const components: BudgetComponent[] = [...byComponent.keys()].sort().map((component) => {
    const ws = byComponent.get(component) ?? [];
    return {
      component,
      requests: ws.reduce((s, w) => add(s, w.requests), ZERO),
      limits: ws.reduce((s, w) => add(s, w.limits), ZERO),
      unbounded: {
        cpu: ws.reduce((s, w) => s + w.unbounded.cpu, 0),
        memory: ws.reduce((s, w) => s + w.unbounded.memory, 0),
      },
      workloads: ws,
    };
  });
  const total = {
    requests: components.reduce((s, c) => add(s, c.requests), ZERO),
    limits: components.reduce((s, c) => add(s, c.limits), ZERO),
  };
  const capacity = cluster.nodes.reduce(
    (s, n) => add(s, { cpuMillis: cpuMillis(n.cpu), memoryBytes: memoryBytes(n.memory) }),
    ZERO,
  );
  const reserved = times(
    { cpuMillis: cpuMillis(cluster.reserved.cpu), memoryBytes: memoryBytes(cluster.reserved.memory) },
    nodes,
  );
  const allocatable = {
    cpuMillis: Math.max(0, capacity.cpuMillis - reserved.cpuMillis),
    memoryBytes: Math.max(0, capacity.memoryBytes - reserved.memoryBytes),
  };
  return {
    components,
    jobs,
    total,
    capacity,
    reserved,
    allocatable,
    nodes,
    fits:
      total.requests.cpuMillis <= allocatable.cpuMillis &&
      total.requests.memoryBytes <= allocatable.memoryBytes,
  };
}

/**
 * A pod's effective requests and limits as the scheduler sees them: the sum over its containers,
 * or the largest init container when that is larger (init containers run one at a time, first).
 */
function podResources(t: ReturnType<typeof podTemplate> & object): {
  requests: Resources;
  limits: Resources;
  unbounded: { cpu: number; memory: number };
} {
  let requests = ZERO;
  let limits = ZERO;
  let initRequests = ZERO;
  let initLimits = ZERO;
  const unbounded = { cpu: 0, memory: 0 };
  for (const c of containersOf(t)) {
    const r = {
      cpuMillis: toMillis(quantity(c.container, "requests", "cpu")),
      memoryBytes: toBytes(quantity(c.container, "requests", "memory")),
    };
    const lcpu = quantity(c.container, "limits", "cpu");
    const lmem = quantity(c.container, "limits", "memory");
    const l = { cpuMillis: toMillis(lcpu), memoryBytes: toBytes(lmem) };
    if (c.list === "initContainers") {
      initRequests = max(initRequests, r);
      initLimits = max(initLimits, l);
    } else {
      requests = add(requests, r);
      limits = add(limits, l);
      if (lcpu === undefined) unbounded.cpu++;
      if (lmem === undefined) unbounded.memory++;
    }
  }
  return { requests: max(requests, initRequests), limits: max(limits, initLimits), unbounded };
}

const toMillis = (q: string | number | undefined) => {
  const n = q === undefined ? 0 : cpuMillis(q);
  return Number.isFinite(n) ? n : 0;
};
const toBytes = (q: string | number | undefined) => {
  const n = q === undefined ? 0 : memoryBytes(q);
  return Number.isFinite(n) ? n : 0;
};
