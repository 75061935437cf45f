import type { K8sObject } from "../../render/k8s.js";
import { VAULT } from "../vault/paths.js";

/** One key of the target Secret, read from a property of a Vault KV secret. */
export interface ExternalSecretEntry {
  /** Key in the Kubernetes Secret ESO writes. */
  readonly secretKey: string;
  /** KV path under the platform mount, e.g. `postgres/admin` (never prefixed with the mount). */
  readonly key: string;
  readonly property: string;
}

export interface ExternalSecretSpec {
  readonly name: string;
  readonly namespace: string;
  /** Name of the Secret ESO creates; defaults to `name`. */
  readonly target?: string;
  readonly data: readonly ExternalSecretEntry[];
  /** @default "1h" */
  readonly refreshInterval?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/**
 * An ExternalSecret over the platform's `vault-backend` ClusterSecretStore: the only way a
 * credential reaches a pod. Entries are sorted by secret key so output is stable whatever the
 * declaration order.
 */
export function externalSecret(spec: ExternalSecretSpec): K8sObject {
  const data = [...spec.data]
    .sort((a, b) => (a.secretKey < b.secretKey ? -1 : a.secretKey > b.secretKey ? 1 : 0))
    .map((d) => ({ secretKey: d.secretKey, remoteRef: { key: d.key, property: d.property } }));
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      ...(spec.labels ? { labels: spec.labels } : {}),
      ...(spec.annotations ? { annotations: spec.annotations } : {}),
    },
    spec: {
      refreshInterval: spec.refreshInterval ?? "1h",
      secretStoreRef: { kind: "ClusterSecretStore", name: VAULT.clusterSecretStore },
      target: {
        name: spec.target ?? spec.name,
        // Owner: the Secret goes away with the ExternalSecret, so pruning leaves nothing behind.
        creationPolicy: "Owner",
        deletionPolicy: "Retain",
      },
      data,
    },
  };
}
