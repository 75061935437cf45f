import type { CheckInput, RenderedObject } from "../input.js";
import { isRecord } from "../input.js";

/**
 * Service namespaces and the services in each: the destinations of Applications in the `workloads`
 * project (one Application per service, named after it). Shared by the tenancy policies.
 */
export function serviceNamespaces(input: CheckInput): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const a of input.apps) {
    if (a.spec.project !== "workloads") continue;
    out.set(a.spec.namespace, [...(out.get(a.spec.namespace) ?? []), a.spec.name]);
  }
  return out;
}

/** Objects of `kind` by namespace. */
export function byNamespace(input: CheckInput, kind: string): Map<string, RenderedObject[]> {
  const out = new Map<string, RenderedObject[]>();
  for (const o of input.objects) {
    if (o.object.kind !== kind) continue;
    const ns = input.namespaceOf(o);
    if (ns === undefined) continue;
    out.set(ns, [...(out.get(ns) ?? []), o]);
  }
  return out;
}

/** `obj.a.b.c`, or undefined when any step is missing. */
export function at(obj: unknown, ...path: (string | number)[]): unknown {
  let v: unknown = obj;
  for (const p of path) {
    if (typeof p === "number") v = Array.isArray(v) ? v[p] : undefined;
    else v = isRecord(v) ? v[p] : undefined;
  }
  return v;
}

export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
