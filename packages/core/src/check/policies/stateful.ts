import { STATEFUL_LABEL } from "../../components/argocd/contract.js";
import { type CheckInput, isRecord, type RenderedObject } from "../input.js";

/** Why a namespace holds state: the first object that says so (a PVC, a StatefulSet's claim templates, the label). */
export interface StatefulNamespace {
  readonly name: string;
  readonly evidence: RenderedObject;
  readonly reason: string;
  /** The Namespace object, when the tree renders it. */
  readonly namespace?: RenderedObject;
}

/**
 * Namespaces that hold state: those labelled `slipway.dev/stateful: "true"`, and those where a
 * PersistentVolumeClaim or a StatefulSet with `volumeClaimTemplates` lives (with
 * `check --render-charts`, also those the charts render).
 */
export function statefulNamespaces(input: CheckInput): Map<string, StatefulNamespace> {
  const namespaces = new Map<string, RenderedObject>();
  for (const o of input.objects) {
    if (o.object.kind === "Namespace" && o.object.apiVersion === "v1")
      namespaces.set(o.object.metadata.name, o);
  }
  const out = new Map<string, StatefulNamespace>();
  const add = (name: string | undefined, evidence: RenderedObject, reason: string) => {
    if (name === undefined || out.has(name)) return;
    const ns = namespaces.get(name);
    out.set(name, { name, evidence, reason, ...(ns ? { namespace: ns } : {}) });
  };
  for (const o of input.objects) {
    const k = o.object.kind;
    if (k === "Namespace" && o.object.metadata.labels?.[STATEFUL_LABEL] === "true") {
      add(o.object.metadata.name, o, `it is labelled ${STATEFUL_LABEL}`);
    } else if (k === "PersistentVolumeClaim") {
      add(input.namespaceOf(o), o, `PersistentVolumeClaim ${o.object.metadata.name} lives there`);
    } else if (k === "StatefulSet") {
      const spec = o.object.spec;
      const claims =
        isRecord(spec) && Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : [];
      if (claims.length > 0) {
        add(input.namespaceOf(o), o, `StatefulSet ${o.object.metadata.name} claims volumes there`);
      }
    }
  }
  return out;
}
