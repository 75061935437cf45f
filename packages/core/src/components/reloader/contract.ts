// The reloader component's public module: how a workload asks Reloader to roll it, and what its
// Application ignores so a reload is not drift (docs/adr/0016-module-boundaries.md).

/** Stakater Reloader: roll the Deployment whenever the named Secret changes. */
export const RELOADER_ANNOTATION = "secret.reloader.stakater.com/reload";

/**
 * The pod-template annotation the `annotations` reload strategy writes on every reload (a JSON
 * naming the Secret or ConfigMap that changed). Argo CD must not treat it as drift.
 */
export const LAST_RELOADED_FROM_ANNOTATION = "reloader.stakater.com/last-reloaded-from";

/**
 * What an Application whose Deployment Reloader may roll declares, so the annotation a reload
 * writes is never drift: ignored in the diff and, with `RespectIgnoreDifferences=true`, left as it
 * is by a sync. Under Argo CD's default client-side diff a key absent from Git and from the
 * last-applied configuration is not drift anyway; this keeps it so under server-side diff/apply.
 */
export function reloadedDeploymentIgnore(name: string, namespace: string): Record<string, unknown> {
  const pointer = LAST_RELOADED_FROM_ANNOTATION.replace(/~/g, "~0").replace(/\//g, "~1");
  return {
    group: "apps",
    kind: "Deployment",
    name,
    namespace,
    jsonPointers: [`/spec/template/metadata/annotations/${pointer}`],
  };
}
