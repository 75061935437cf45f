import { ARGOCD_NAMESPACE, paths } from "../../render/apps.js";
import { ROOT_APP_PATH } from "./projects.js";
import { ARGOCD_APP, ARGOCD_CHART } from "./values.js";

/**
 * The one imperative step of a Slipway platform, as a POSIX shell script to run from the root of
 * the rendered platform repository against a fresh cluster: install Argo CD from the same chart
 * and values file its own Application uses (so Argo CD adopts the release without a diff), then
 * apply the root app-of-apps. Everything after that is synced by Argo CD.
 */
export function bootstrapScript(): string {
  return [
    "#!/bin/sh",
    "# Slipway bootstrap: run once from the root of the platform repository, against a fresh cluster.",
    "# Afterwards Argo CD manages everything, itself included.",
    "set -eu",
    "",
    `helm upgrade --install ${ARGOCD_APP} ${ARGOCD_CHART.chart} \\`,
    `  --repo ${ARGOCD_CHART.repoURL} \\`,
    `  --version ${ARGOCD_CHART.version} \\`,
    `  --namespace ${ARGOCD_NAMESPACE} --create-namespace \\`,
    `  --values ${paths.values(ARGOCD_APP)} \\`,
    "  --wait --timeout 10m",
    "",
    `kubectl apply -f ${ROOT_APP_PATH}`,
    "",
  ].join("\n");
}
