import type { BudgetEntry } from "../../render/component.js";
import { budgetEntry, type Resources, resourcesValue } from "../../render/resources.js";

/** argo-helm's argocd-image-updater chart. */
export const IMAGE_UPDATER_CHART = {
  repoURL: "https://argoproj.github.io/argo-helm",
  chart: "argocd-image-updater",
  version: "1.2.4",
  schemaRef: "helm-argocd-image-updater/1.2.4",
} as const;

/** Image Updater's Application and release. */
export const IMAGE_UPDATER_APP = "argocd-image-updater";
/** The Application that owns every Namespace object. */
export const NAMESPACES_APP = "namespaces";
/** The Service the UI hostname routes to (`<release>-server`, plain HTTP on 80 in insecure mode). */
export const ARGOCD_SERVER_SERVICE = "argocd-server";

/**
 * Argo CD does not assess the health of Application resources by default (since 1.8), so an
 * app-of-apps treats a child as healthy the moment it exists and sync waves between children do
 * not wait. This is the upstream-documented health check that restores it.
 */
export const APPLICATION_HEALTH_LUA = `hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
`;

/** Requests and limits for each Argo CD workload, sized for one small node (a few dozen Applications). */
const SIZES = {
  controller: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
  server: { requests: { cpu: "25m", memory: "64Mi" }, limits: { cpu: "250m", memory: "256Mi" } },
  repoServer: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
  applicationSet: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "128Mi" } },
  redis: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "128Mi" } },
  // Init containers and the one-shot secret Job: they do not run alongside, so they are not budgeted.
  initContainer: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
} as const satisfies Record<string, Resources>;

const IMAGE_UPDATER_SIZE: Resources = {
  requests: { cpu: "10m", memory: "32Mi" },
  limits: { cpu: "100m", memory: "128Mi" },
};

/** Values for the argo-cd chart: only what differs from its defaults, each for a reason. */
export function argocdValues(
  host: string,
  sso?: { cm: Record<string, unknown>; rbac: Record<string, unknown> },
): Record<string, unknown> {
  return {
    global: { domain: host },
    configs: {
      cm: {
        "resource.customizations.health.argoproj.io_Application": APPLICATION_HEALTH_LUA,
        ...sso?.cm,
      },
      // TLS ends at Cloudflare's edge; the gateway speaks plain HTTP to the server.
      params: { "server.insecure": true },
      // SSO (spec.access.argocd, ADR 0012): group-based RBAC, deny by default.
      ...(sso ? { rbac: sso.rbac } : {}),
    },
    // Single sign-on talks to the platform's OIDC provider directly (sso.ts), not through Dex.
    dex: { enabled: false },
    // Nothing to notify yet; one controller fewer on a small node.
    notifications: { enabled: false },
    controller: { resources: resourcesValue(SIZES.controller) },
    server: { resources: resourcesValue(SIZES.server) },
    repoServer: {
      resources: resourcesValue(SIZES.repoServer),
      copyutil: { resources: resourcesValue(SIZES.initContainer) },
    },
    applicationSet: { resources: resourcesValue(SIZES.applicationSet) },
    redis: { resources: resourcesValue(SIZES.redis) },
    redisSecretInit: { resources: resourcesValue(SIZES.initContainer) },
  };
}

/** Budget lines of the long-running Argo CD workloads (one replica each, the chart's default). */
export function argocdBudget(): BudgetEntry[] {
  return [
    budgetEntry("argocd-application-controller", 1, SIZES.controller),
    budgetEntry("argocd-server", 1, SIZES.server),
    budgetEntry("argocd-repo-server", 1, SIZES.repoServer),
    budgetEntry("argocd-applicationset-controller", 1, SIZES.applicationSet),
    budgetEntry("argocd-redis", 1, SIZES.redis),
  ];
}

/** Values for the argocd-image-updater chart: resources only; its configuration lives in ImageUpdater objects. */
export function imageUpdaterValues(): Record<string, unknown> {
  return { resources: resourcesValue(IMAGE_UPDATER_SIZE) };
}

/** Budget line of the Image Updater controller. */
export function imageUpdaterBudget(): BudgetEntry[] {
  return [budgetEntry("argocd-image-updater", 1, IMAGE_UPDATER_SIZE)];
}
