import { isRecord, type RenderedObject } from "./input.js";

/** Kinds whose pods run steadily (budgeted) and those that run to completion (reported apart). */
export const STEADY_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]);
export const BATCH_KINDS = new Set(["Job", "CronJob"]);

export interface PodTemplate {
  /** Path of the pod spec inside the object, e.g. `["spec","template","spec"]`. */
  readonly path: readonly (string | number)[];
  readonly spec: Record<string, unknown>;
}

/** The pod spec of a workload object, or undefined for other kinds. */
export function podTemplate(o: RenderedObject["object"]): PodTemplate | undefined {
  const spec = o.spec;
  if (!isRecord(spec)) return undefined;
  if (STEADY_KINDS.has(o.kind) || o.kind === "Job") {
    const t = isRecord(spec.template) ? spec.template.spec : undefined;
    return isRecord(t) ? { path: ["spec", "template", "spec"], spec: t } : undefined;
  }
  if (o.kind === "CronJob") {
    const jt = isRecord(spec.jobTemplate) ? spec.jobTemplate.spec : undefined;
    const t = isRecord(jt) && isRecord(jt.template) ? jt.template.spec : undefined;
    return isRecord(t) ? { path: ["spec", "jobTemplate", "spec", "template", "spec"], spec: t } : undefined;
  }
  return undefined;
}

export interface ContainerRef {
  readonly list: "containers" | "initContainers";
  readonly index: number;
  readonly path: readonly (string | number)[];
  readonly container: Record<string, unknown>;
}

export function containersOf(t: PodTemplate): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const list of ["initContainers", "containers"] as const) {
    const cs = t.spec[list];
    if (!Array.isArray(cs)) continue;
    cs.forEach((c, index) => {
      if (isRecord(c)) out.push({ list, index, path: [...t.path, list, index], container: c });
    });
  }
  return out;
}

/** `requests`/`limits` quantity of a container, if set. */
export function quantity(
  c: Record<string, unknown>,
  kind: "requests" | "limits",
  res: "cpu" | "memory",
): string | number | undefined {
  const r = isRecord(c.resources) ? c.resources[kind] : undefined;
  const q = isRecord(r) ? r[res] : undefined;
  return typeof q === "string" || typeof q === "number" ? q : undefined;
}

export { parseImage } from "../render/image.js";
