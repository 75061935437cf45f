import { IN_CLUSTER_SERVER, type PlatformSpec } from "../config/schema.js";
import type { AppSpec } from "./component.js";
import type { OutputFile } from "./files.js";
import { CLUSTER_SCOPED_KINDS, type K8sObject } from "./k8s.js";
import { toYaml } from "./yaml.js";

/** Where Argo CD runs; Applications and AppProjects live here. */
export const ARGOCD_NAMESPACE = "argocd";

/**
 * The cluster an Application deploys to, as Argo CD names it: `destination.name` when the platform
 * gives the name its cluster Secret registers, else its API address (`https://kubernetes.default.svc`
 * when Argo CD runs in this cluster). Argo CD accepts one of the two, never both.
 */
export function clusterDestination(
  platform: Pick<PlatformSpec, "cluster">,
): { server: string } | { name: string } {
  const d = platform.cluster.destination;
  return d.name !== undefined ? { name: d.name } : { server: d.server };
}

/** Whether Argo CD runs in another cluster (it reaches this one at its API address). */
export const argocdIsRemote = (platform: Pick<PlatformSpec, "cluster">): boolean =>
  platform.cluster.destination.server !== IN_CLUSTER_SERVER;

export const paths = {
  application: (name: string) => `argocd/applications/${name}.yaml`,
  project: (name: string) => `argocd/projects/${name}.yaml`,
  values: (name: string) => `k8s/helm/values/${name}.yaml`,
  manifestsDir: (name: string) => `k8s/helm/manifests/${name}`,
  manifest: (app: string, file: string) => `k8s/helm/manifests/${app}/${file}`,
} as const;

/** `kind-name.yaml`, with the namespace when it differs from the app's, all lowercase. */
export function manifestFileName(o: K8sObject, appNamespace: string): string {
  const ns = o.metadata.namespace;
  const parts = [o.kind.toLowerCase()];
  if (ns && ns !== appNamespace && !CLUSTER_SCOPED_KINDS.has(o.kind)) parts.push(ns);
  parts.push(o.metadata.name);
  return `${parts.join("-")}.yaml`;
}

/**
 * Renders one AppSpec to its files, one at a time: the values file for a chart, one file per
 * manifest object (in the order the component gives them), a kustomization when asked, and the
 * Application last. `wave` is the final sync wave. Each manifest is serialized as it is reached,
 * so an Application of thousands of objects never has them all in memory at once.
 */
export function* renderApp(
  spec: AppSpec,
  platform: PlatformSpec,
  wave: number,
  owner: string,
): Generator<OutputFile> {
  const sources: Record<string, unknown>[] = [];
  if (spec.helm) {
    const h = spec.helm;
    sources.push({
      repoURL: h.repoURL,
      chart: h.chart,
      targetRevision: h.version,
      helm: {
        releaseName: h.releaseName ?? spec.name,
        valueFiles: [`$values/${paths.values(spec.name)}`],
      },
    });
    sources.push({ repoURL: platform.git.repoURL, targetRevision: platform.git.revision, ref: "values" });
    yield { path: paths.values(spec.name), content: toYaml(h.values), owner };
  }
  if (spec.git) {
    sources.push({ repoURL: spec.git.repoURL, targetRevision: spec.git.revision, path: spec.git.path });
  }
  /** File names of the manifests, for the kustomization; only counted without one. */
  const names: string[] = [];
  let manifests = 0;
  for (const o of spec.manifests ?? []) {
    const name = manifestFileName(o, spec.namespace);
    if (spec.kustomize) names.push(name);
    manifests++;
    yield { path: paths.manifest(spec.name, name), content: toYaml(o), owner };
  }
  if (manifests > 0) {
    sources.push({
      repoURL: platform.git.repoURL,
      targetRevision: platform.git.revision,
      path: paths.manifestsDir(spec.name),
    });
    if (spec.kustomize) {
      yield {
        path: paths.manifest(spec.name, "kustomization.yaml"),
        content: toYaml({
          apiVersion: "kustomize.config.k8s.io/v1beta1",
          kind: "Kustomization",
          resources: names.sort(),
          images: spec.kustomize.images.map((i) => ({ ...i })),
        }),
        owner,
      };
    }
  }
  const application: K8sObject = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: {
      name: spec.name,
      namespace: ARGOCD_NAMESPACE,
      labels: { "app.kubernetes.io/managed-by": "slipway", "slipway.dev/component": owner, ...spec.labels },
      annotations: { "argocd.argoproj.io/sync-wave": String(wave), ...spec.annotations },
      // Deleting the Application deletes what it deployed; without it, removed apps leave orphans.
      ...(spec.finalizer === false ? {} : { finalizers: ["resources-finalizer.argocd.argoproj.io"] }),
    },
    spec: {
      project: spec.project,
      ...(sources.length === 1 ? { source: sources[0] } : { sources }),
      // Objects of Argo CD's own namespace (the cluster Secret) go to the cluster Argo CD runs in.
      destination: {
        ...(spec.argocdCluster ? { server: IN_CLUSTER_SERVER } : clusterDestination(platform)),
        namespace: spec.namespace,
      },
      syncPolicy: {
        automated: { prune: spec.prune !== false, selfHeal: true },
        syncOptions: [...(spec.syncOptions ?? [])],
        retry: { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "3m" } },
      },
      ...(spec.ignoreDifferences ? { ignoreDifferences: spec.ignoreDifferences } : {}),
    },
  };
  yield { path: paths.application(spec.name), content: toYaml(application), owner };
}
