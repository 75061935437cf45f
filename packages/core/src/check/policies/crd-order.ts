import { apiGroup } from "../../render/k8s.js";
import type { RenderedApp } from "../../render/render.js";
import { isRecord } from "../input.js";
import { definePolicy, describe, objectFinding } from "../policy.js";

const SKIP_DRY_RUN = "SkipDryRunOnMissingResource=true";

/**
 * A custom resource whose CRD another Application installs (its AppSpec lists the group in `crds`,
 * or a CustomResourceDefinition of the group is rendered into its directory)
 * must sync in a later wave than that Application, or carry
 * `argocd.argoproj.io/sync-options: SkipDryRunOnMissingResource=true`: otherwise Argo CD's dry run
 * fails on the unknown kind and the whole Application never syncs on a fresh cluster.
 */
export const crdOrder = definePolicy({
  id: "crd-order",
  description: "Custom resources sync after the Application that installs their CRD",
  chartOutput: true,
  *check(input) {
    const installers = new Map<string, RenderedApp[]>();
    const add = (g: string, a: RenderedApp) => {
      const list = installers.get(g) ?? [];
      if (!list.includes(a)) installers.set(g, [...list, a]);
    };
    for (const a of input.apps) for (const g of a.spec.crds ?? []) add(g, a);
    // A CRD rendered into an Application's directory is installed by that Application too.
    for (const o of input.objects) {
      const spec = o.object.spec;
      if (
        o.object.kind === "CustomResourceDefinition" &&
        o.app &&
        isRecord(spec) &&
        typeof spec.group === "string"
      ) {
        add(spec.group, o.app);
      }
    }
    if (installers.size === 0) return;
    for (const o of input.objects) {
      const group = apiGroup(o.object.apiVersion);
      const by = installers.get(group);
      const app = o.app;
      if (!by || !app) continue;
      // An Application deploying to Argo CD's own cluster (a remote Argo CD's cluster Secret) finds
      // the CRDs that cluster has; what the platform's Applications install is on the other one.
      const here = app.spec.argocdCluster === true;
      const early = by.filter(
        (i) =>
          i.spec.name !== app.spec.name && i.wave >= app.wave && (i.spec.argocdCluster === true) === here,
      );
      if (early.length === 0 || skipsDryRun(o.object.metadata.annotations, app)) continue;
      const first = early[0] as RenderedApp;
      yield objectFinding(
        this.id,
        o,
        ["apiVersion"],
        `${describe(o, input.namespaceOf(o))} (${group}) is in Application ${app.spec.name} at sync wave ${app.wave}, not after ${first.spec.name} (wave ${first.wave}) which installs its CRD`,
        `Make ${app.spec.name} depend on the component that installs ${group}, or annotate the object with argocd.argoproj.io/sync-options: ${SKIP_DRY_RUN}.`,
      );
    }
  },
});

function skipsDryRun(annotations: Record<string, string> | undefined, app: RenderedApp): boolean {
  const a = annotations?.["argocd.argoproj.io/sync-options"] ?? "";
  if (a.split(",").some((s) => s.trim() === SKIP_DRY_RUN)) return true;
  return (app.spec.syncOptions ?? []).includes(SKIP_DRY_RUN);
}
