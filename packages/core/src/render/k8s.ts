/**
 * Kubernetes objects are plain data. Key order is not meaningful here: the emitter orders keys
 * (apiVersion, kind, metadata first, then sorted), so builders can be written naturally.
 */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** Kinds that are cluster-scoped among those Slipway renders; used for file naming and checks. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  "Namespace",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleBinding",
  "ClusterIssuer",
  "ClusterSecretStore",
  "ClusterExternalSecret",
  "GatewayClass",
  "StorageClass",
  "PriorityClass",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
]);

/** `group/version` → group ("" for core). */
export function apiGroup(apiVersion: string): string {
  const i = apiVersion.indexOf("/");
  return i < 0 ? "" : apiVersion.slice(0, i);
}
