import { type Diagnostic, diag } from "../diagnostics.js";
import type { ErrorCode } from "../errors.js";
import { IN_CLUSTER_SERVER, type PlatformSpec } from "./schema.js";
import { locateInFile } from "./source.js";

/**
 * Cross-field rules of the cluster's topology (ADR 0013): what the CNI needs for Istio ambient,
 * and where Argo CD runs. Each problem is located in platform.yaml.
 */
export function topologyRules(platform: PlatformSpec, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  // A path not written in the file is located at its nearest written ancestor.
  const report = (code: ErrorCode, message: string, path: string[], hint: string) => {
    out.push(diag(code, message, { path, location: locateInFile(file, path), hint }));
  };
  const cni = platform.cluster.cni;
  const cniPath = ["spec", "cluster", "cni"];
  if (cni.plugin === "other" && (cni.confDir === undefined || cni.binDir === undefined)) {
    report(
      "SW_TOPOLOGY_CNI_PATHS",
      "cni.plugin 'other' needs confDir and binDir",
      [...cniPath, "plugin"],
      "Set spec.cluster.cni.confDir and binDir to where your CNI keeps its config and plugins (istio-cni chains into them).",
    );
  }
  if (cni.plugin === "cilium" && platform.components.istio?.enabled === true) {
    // Slipway does not install Cilium: the user states the values it runs with, and a wrong or
    // missing one is refused here rather than found as pods that are never captured.
    const c = cni.cilium;
    const needed =
      "Cilium must run with `cni.exclusive: false` (else it deletes istio-cni's plugin config) and " +
      "`socketLB.hostNamespaceOnly: true` (else its socket load balancing bypasses ztunnel); set them in Cilium's " +
      "Helm values, then state them under spec.cluster.cni.cilium (docs/adr/0013-cluster-topology-and-cloudflare.md).";
    if (!c) {
      report(
        "SW_TOPOLOGY_CILIUM_PREREQUISITES",
        "Istio ambient on Cilium needs Cilium's exclusive and socketLB settings stated",
        [...cniPath, "plugin"],
        needed,
      );
    } else {
      if (c.exclusive !== false) {
        report(
          "SW_TOPOLOGY_CILIUM_PREREQUISITES",
          "Istio ambient needs Cilium with cni.exclusive: false",
          [...cniPath, "cilium", "exclusive"],
          needed,
        );
      }
      if (c.socketLBHostNamespaceOnly !== true) {
        report(
          "SW_TOPOLOGY_CILIUM_PREREQUISITES",
          "Istio ambient needs Cilium with socketLB.hostNamespaceOnly: true",
          [...cniPath, "cilium", "socketLBHostNamespaceOnly"],
          needed,
        );
      }
    }
  }
  const argocd = platform.components.argocd;
  const remote = platform.cluster.destination.server !== IN_CLUSTER_SERVER;
  if (remote && argocd?.enabled === true && argocd.mode !== "external") {
    report(
      "SW_TOPOLOGY_ARGOCD_REMOTE",
      "Argo CD reaches this cluster from another one, but is also to be installed here",
      ["spec", "components", "argocd", "mode"],
      "Set spec.components.argocd.mode: external (Argo CD runs where spec.cluster.destination is registered), or remove spec.cluster.destination.server.",
    );
  }
  return out;
}
