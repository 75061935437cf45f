import { cpuMillis, memoryBytes } from "../config/primitives.js";
import type { BudgetEntry } from "./component.js";

/** Container resources as written into chart values and pod specs. */
export interface Resources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu?: string; readonly memory: string };
}

/**
 * The budget line of a chart workload, from the same `Resources` literal its values carry, so the
 * budget cannot drift from what the chart deploys. A missing CPU limit counts as the request
 * (the container may burst, but the budget reports what it reserves).
 */
export function budgetEntry(workload: string, replicas: number, r: Resources): BudgetEntry {
  return {
    workload,
    replicas,
    requests: {
      cpuMillis: cpuMillis(r.requests.cpu) * replicas,
      memoryBytes: memoryBytes(r.requests.memory) * replicas,
    },
    limits: {
      cpuMillis: cpuMillis(r.limits.cpu ?? r.requests.cpu) * replicas,
      memoryBytes: memoryBytes(r.limits.memory) * replicas,
    },
  };
}

/** A plain copy for values/pod specs (no readonly, no undefined keys). */
export function resourcesValue(r: Resources): Record<string, Record<string, string>> {
  return {
    requests: { cpu: r.requests.cpu, memory: r.requests.memory },
    limits: r.limits.cpu ? { cpu: r.limits.cpu, memory: r.limits.memory } : { memory: r.limits.memory },
  };
}
