import { RETAIN_SYNC_OPTIONS, SYNC_OPTIONS_ANNOTATION } from "../../components/argocd/contract.js";
import { definePolicy, objectFinding } from "../policy.js";
import { statefulNamespaces } from "./stateful.js";

/** `Prune=false,Delete=false` in any order, among other sync options. */
export function retains(annotation: string | undefined): boolean {
  const options = new Set((annotation ?? "").split(",").map((s) => s.trim()));
  return options.has("Prune=false") && options.has("Delete=false");
}

/**
 * H1 (the namespace-prune cascade): a namespace that holds state is rendered as a Namespace object
 * annotated `argocd.argoproj.io/sync-options: Prune=false,Delete=false`, so neither disabling its
 * component (the Namespace leaves the tree: prune) nor deleting its Application (cascade) deletes
 * it, its PersistentVolumeClaims and so their volumes.
 */
export const statefulNamespaceRetained = definePolicy({
  id: "stateful-namespace-retained",
  description:
    "Namespaces that hold state are never pruned nor deleted by Argo CD (Prune=false,Delete=false)",
  chartOutput: true,
  *check(input) {
    for (const s of statefulNamespaces(input).values()) {
      if (!s.namespace) {
        yield objectFinding(
          this.id,
          s.evidence,
          ["metadata"],
          `namespace ${s.name} holds state (${s.reason}) but the tree renders no Namespace object for it`,
          `Declare the namespace (ctx.plan.namespace) so that it is rendered with ${SYNC_OPTIONS_ANNOTATION}: ${RETAIN_SYNC_OPTIONS}.`,
        );
        continue;
      }
      const value = s.namespace.object.metadata.annotations?.[SYNC_OPTIONS_ANNOTATION];
      if (retains(value)) continue;
      yield objectFinding(
        this.id,
        s.namespace,
        value === undefined ? ["metadata"] : ["metadata", "annotations", SYNC_OPTIONS_ANNOTATION],
        `Namespace ${s.name} holds state (${s.reason}) but Argo CD may prune or delete it${value === undefined ? "" : ` (sync options: ${value})`}`,
        `Annotate it ${SYNC_OPTIONS_ANNOTATION}: ${RETAIN_SYNC_OPTIONS} (the component declares the namespace with the label slipway.dev/stateful: "true"): disabling a component must never delete its data.`,
      );
    }
  },
});
