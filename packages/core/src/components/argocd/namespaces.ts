import { ARGOCD_NAMESPACE } from "../../render/apps.js";
import type { K8sObject } from "../../render/k8s.js";
import type { NamespaceDecl } from "../../render/plan.js";
import {
  PSA_MODES,
  PSA_PREFIX,
  RETAIN_SYNC_OPTIONS,
  STATEFUL_LABEL,
  SYNC_OPTIONS_ANNOTATION,
} from "./contract.js";

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/**
 * The Pod Security level a namespace enforces: what its component declares (the label
 * `pod-security.kubernetes.io/enforce` on `ctx.plan.namespace`, as its charts need, checked by
 * `pod-security-standards` with `check --render-charts`), else `restricted`.
 */
export function podSecurityLevel(ns: NamespaceDecl): PodSecurityLevel {
  const declared = ns.labels[`${PSA_PREFIX}enforce`];
  if (declared === "privileged" || declared === "baseline" || declared === "restricted") return declared;
  return "restricted";
}

/** Whether a namespace holds state: its component declares {@link STATEFUL_LABEL}. */
export function isStateful(ns: NamespaceDecl): boolean {
  return ns.labels[STATEFUL_LABEL] === "true";
}

/**
 * Pod Security Admission labels: the same level enforced, audited and warned about, each pinned
 * to the cluster's Kubernetes minor (`v1.32`) so a cluster upgrade never tightens a level silently.
 */
export function podSecurityLabels(
  level: PodSecurityLevel,
  kubernetesVersion: string,
): Record<string, string> {
  const version = `v${kubernetesVersion.split(".").slice(0, 2).join(".")}`;
  const out: Record<string, string> = {};
  for (const mode of PSA_MODES) {
    out[`${PSA_PREFIX}${mode}`] = level;
    out[`${PSA_PREFIX}${mode}-version`] = version;
  }
  return out;
}

/**
 * One Namespace per resolved declaration (customizers already applied), labelled with its Pod
 * Security level. The Argo CD namespace and every stateful namespace are never pruned nor deleted
 * with the Application: removing the first takes Argo CD down mid-operation, the others their data.
 */
export function* namespaceObjects(
  namespaces: Iterable<NamespaceDecl>,
  kubernetesVersion: string,
): Generator<K8sObject> {
  for (const ns of namespaces) {
    const annotations: Record<string, string> = { ...ns.annotations };
    const stateful = isStateful(ns);
    if (ns.name === ARGOCD_NAMESPACE || stateful) annotations[SYNC_OPTIONS_ANNOTATION] = RETAIN_SYNC_OPTIONS;
    yield {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: ns.name,
        labels: {
          "app.kubernetes.io/managed-by": "slipway",
          "slipway.dev/project": ns.project,
          ...ns.labels,
          ...(stateful ? { [STATEFUL_LABEL]: "true" } : {}),
          ...podSecurityLabels(podSecurityLevel(ns), kubernetesVersion),
        },
        ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      },
    };
  }
}
