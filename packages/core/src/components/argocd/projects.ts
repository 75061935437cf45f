import { IN_CLUSTER_SERVER, type PlatformSpec } from "../../config/schema.js";
import { ARGOCD_NAMESPACE, argocdIsRemote, clusterDestination } from "../../render/apps.js";
import type { K8sObject } from "../../render/k8s.js";
import type { NamespaceDecl } from "../../render/plan.js";

/** The cluster Argo CD runs in, as it names it: where Applications and AppProjects live. */
export const IN_CLUSTER = IN_CLUSTER_SERVER;

const managedBy = { "app.kubernetes.io/managed-by": "slipway", "slipway.dev/component": "argocd" };

/** Projects sync before every Application (wave 0 and up) that names them. */
const PROJECT_WAVE = "-1";

function sorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

function project(name: string, spec: Record<string, unknown>): K8sObject {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AppProject",
    metadata: {
      name,
      namespace: ARGOCD_NAMESPACE,
      labels: managedBy,
      annotations: { "argocd.argoproj.io/sync-wave": PROJECT_WAVE },
      // A project cannot be deleted while Applications still name it.
      finalizers: ["resources-finalizer.argocd.argoproj.io"],
    },
    spec,
  };
}

/** Kinds only the platform deploys into service namespaces. */
const WORKLOAD_GUARDRAIL_KINDS = [
  { group: "networking.k8s.io", kind: "NetworkPolicy" },
  { group: "", kind: "ResourceQuota" },
  { group: "", kind: "LimitRange" },
  { group: "external-secrets.io", kind: "SecretStore" },
  { group: "external-secrets.io", kind: "ClusterSecretStore" },
  { group: "cert-manager.io", kind: "Issuer" },
  { group: "cert-manager.io", kind: "Certificate" },
  { group: "cert-manager.io", kind: "CertificateRequest" },
  { group: "security.istio.io", kind: "PeerAuthentication" },
];

const destinations = (namespaces: Iterable<string>, cluster: { server: string } | { name: string }) =>
  sorted(namespaces).map((namespace) => ({ ...cluster, namespace }));

/**
 * AppProjects `platform` and `workloads`, rendered from the plan so nothing is edited by hand:
 * the platform project may pull from the platform repository and exactly the chart repositories
 * components declared, deploy to platform namespaces and create cluster-scoped objects; the
 * workloads project pulls only from the platform repository (services are plain manifests),
 * deploys only to service namespaces and creates nothing cluster-scoped.
 */
export function appProjects(
  platform: PlatformSpec,
  namespaces: readonly NamespaceDecl[],
  chartRepos: ReadonlySet<string>,
  extraDestinations: ReadonlySet<string> = new Set(),
): K8sObject[] {
  const of = (p: NamespaceDecl["project"]) => namespaces.filter((n) => n.project === p).map((n) => n.name);
  const target = clusterDestination(platform);
  const here = { server: IN_CLUSTER };
  // With Argo CD on another cluster, the platform project also reaches Argo CD's own namespace
  // there (the cluster Secret's ExternalSecret); in-cluster, `argocd` is one of the platform's.
  const platformDestinations = argocdIsRemote(platform)
    ? [
        // `argocd` on the target too: the `namespaces` Application (cluster-scoped Namespaces only)
        // keeps Argo CD's namespace as its destination namespace; nothing is deployed into it there.
        ...destinations([ARGOCD_NAMESPACE, ...of("platform"), ...extraDestinations], target),
        ...destinations([ARGOCD_NAMESPACE], here),
      ]
    : destinations([ARGOCD_NAMESPACE, ...of("platform"), ...extraDestinations], target);
  return [
    project("platform", {
      description: "Platform components: Argo CD, gateway, secrets, data, observability",
      sourceRepos: sorted([platform.git.repoURL, ...chartRepos]),
      destinations: platformDestinations,
      clusterResourceWhitelist: [{ group: "*", kind: "*" }],
    }),
    project("workloads", {
      description: "Onboarded services (services/*.yaml)",
      sourceRepos: [platform.git.repoURL],
      destinations: destinations(of("workloads"), target),
      // Empty: services create no cluster-scoped objects (namespaces come from the platform).
      clusterResourceWhitelist: [],
      // The guardrails of a service namespace are the platform's (the `services-tenancy`
      // Application, ADR 0008): a service's own Application may not add or replace its network
      // policies, quotas, secret stores or certificate issuers.
      namespaceResourceBlacklist: WORKLOAD_GUARDRAIL_KINDS,
    }),
    // The root app lives in `default` (the one project that exists on a fresh Argo CD); narrowing
    // it to exactly what the root needs stops anyone deploying anything else through it.
    project("default", {
      description: "Only the root app-of-apps: Applications and AppProjects from the platform repository",
      sourceRepos: [platform.git.repoURL],
      destinations: destinations([ARGOCD_NAMESPACE], here),
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [
        { group: "argoproj.io", kind: "Application" },
        { group: "argoproj.io", kind: "AppProject" },
      ],
    }),
  ];
}

/**
 * The root app-of-apps. It is in project `default` because that is the only project a fresh
 * Argo CD has (`platform` and `workloads` are among the things it creates), and it reads two
 * directories recursively: `argocd/projects` and `argocd/applications` — not `argocd/` itself, so it
 * does not manage itself. It has no resources finalizer: deleting the root must not cascade into
 * deleting the whole platform.
 */
export function rootApplication(platform: PlatformSpec): K8sObject {
  const dir = (path: string) => ({
    repoURL: platform.git.repoURL,
    targetRevision: platform.git.revision,
    path,
    directory: { recurse: true },
  });
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name: "root", namespace: ARGOCD_NAMESPACE, labels: managedBy },
    spec: {
      project: "default",
      sources: [dir("argocd/projects"), dir("argocd/applications")],
      destination: { server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        retry: { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "3m" } },
      },
    },
  };
}
