// The argocd component's public module: the annotations and labels Argo CD and `check` read,
// and the names `bootstrap` installs Argo CD with (docs/adr/0016-module-boundaries.md).

/**
 * Label a component puts on a namespace it declares when the namespace holds state that must
 * outlive the component (a PersistentVolumeClaim, Vault's raft data): the Namespace then gets
 * {@link RETAIN_SYNC_OPTIONS}, and `check` asks for a backup of it.
 */
export const STATEFUL_LABEL = "slipway.dev/stateful";

/**
 * Argo CD neither prunes (`Prune=false`: the object left the tree) nor deletes (`Delete=false`: its
 * Application is deleted, cascading) an object annotated so: disabling a component or deleting
 * the `namespaces` Application leaves the namespace, and every PVC in it, in place.
 */
export const RETAIN_SYNC_OPTIONS = "Prune=false,Delete=false";

export const SYNC_OPTIONS_ANNOTATION = "argocd.argoproj.io/sync-options";

/** Pod Security Admission label prefix: `<prefix>enforce`, `<prefix>enforce-version`, … */
export const PSA_PREFIX = "pod-security.kubernetes.io/";

export const PSA_MODES = ["enforce", "audit", "warn"] as const;

/** Where the root app-of-apps is written; applied once by `slipway bootstrap`, never by Argo CD. */
export const ROOT_APP_PATH = "argocd/root.yaml";

/** argo-helm's argo-cd chart; a constant (upgrades are reviewed code changes, not config). */
export const ARGOCD_CHART = {
  repoURL: "https://argoproj.github.io/argo-helm",
  chart: "argo-cd",
  version: "10.1.1",
  schemaRef: "helm-argo-cd/10.1.1",
} as const;

/** Argo CD's Application and Helm release name; the release name makes the server Service `argocd-server`. */
export const ARGOCD_APP = "argocd";

/** Keys of the `argocd-oidc` Secret, referenced from `oidc.config` as `$argocd-oidc:<key>`. */
export const ARGOCD_OIDC_KEYS = { id: "client_id", secret: "client_secret" } as const;

/** Argo CD only resolves `$<secret>:<key>` in Secrets carrying this label (util/settings). */
export const ARGOCD_SECRET_LABELS = { "app.kubernetes.io/part-of": "argocd" } as const;
