import { isRecord, type RenderedObject } from "../input.js";
import { definePolicy, describe, objectFinding } from "../policy.js";

/** Argo CD's cascade-delete finalizer, and its `/foreground` and `/background` forms. */
export const CASCADE_FINALIZER = "resources-finalizer.argocd.argoproj.io";
const isCascade = (f: unknown) =>
  typeof f === "string" && (f === CASCADE_FINALIZER || f.startsWith(`${CASCADE_FINALIZER}/`));

/** Kinds whose deletion deletes data: a Namespace takes its volumes with it, a claim its volume. */
const DESTRUCTIVE = new Set(["Namespace", "PersistentVolumeClaim"]);

/** The Application (by name) that deploys an object: a chart's, or the one whose manifests directory holds it. */
const applicationOf = (o: RenderedObject) => o.chart?.application ?? o.app?.spec.name;

/**
 * H2: no cascade-delete finalizer on an Application that manages Argo CD itself (it deploys the
 * `argo-cd` chart: deleting it would delete the controller mid-deletion and leave every other
 * Application orphaned) or that deploys Namespaces or PersistentVolumeClaims (deleting it would
 * delete the data).
 */
export const noCascadeFinalizer = definePolicy({
  id: "no-cascade-finalizer",
  description:
    "No cascade-delete finalizer on Argo CD's own Application nor on one deploying Namespaces or volumes",
  chartOutput: true,
  *check(input) {
    const destructive = new Map<string, RenderedObject>();
    for (const o of input.objects) {
      const a = applicationOf(o);
      if (a !== undefined && DESTRUCTIVE.has(o.object.kind) && !destructive.has(a)) destructive.set(a, o);
    }
    for (const o of input.objects) {
      if (o.object.kind !== "Application" || !o.object.apiVersion.startsWith("argoproj.io/")) continue;
      const f = o.object.metadata.finalizers;
      const finalizers: readonly unknown[] = Array.isArray(f) ? f : [];
      const index = finalizers.findIndex(isCascade);
      if (index < 0) continue;
      const name = o.object.metadata.name;
      const spec = isRecord(o.object.spec) ? o.object.spec : {};
      const sources = [...(Array.isArray(spec.sources) ? spec.sources : []), spec.source].filter(isRecord);
      const why = sources.some((s) => s.chart === "argo-cd")
        ? "it deploys Argo CD itself (chart argo-cd)"
        : destructive.has(name)
          ? `it deploys ${describe(destructive.get(name) as RenderedObject)}`
          : undefined;
      if (why === undefined) continue;
      yield objectFinding(
        this.id,
        o,
        ["metadata", "finalizers", index],
        `Application ${name} has the cascade-delete finalizer ${String(finalizers[index])} although ${why}`,
        "Drop the finalizer (AppSpec finalizer: false): deleting this Application must leave what it deployed in place; remove those objects by hand when you mean to (docs/runbooks/restore.md).",
      );
    }
  },
});
