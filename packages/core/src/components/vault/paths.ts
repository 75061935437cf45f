/** The contract for reading secrets: one ClusterSecretStore over Vault's KV v2 mount. */
export const VAULT = {
  namespace: "vault",
  address: "http://vault.vault.svc.cluster.local:8200",
  /** KV v2 mount holding every static secret Slipway references. */
  kvMount: "kv",
  /** Kubernetes auth mount path. */
  kubernetesAuthPath: "kubernetes",
  /** ESO ClusterSecretStore every ExternalSecret refers to. */
  clusterSecretStore: "vault-backend",
} as const;

/** Vault KV path of a service's own static secrets (`<kvMount>/<path>`). */
export const serviceSecretPath = (service: string, key: string) => `services/${service}/${key}`;
