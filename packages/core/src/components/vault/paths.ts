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
  /**
   * Audience every Kubernetes auth role requires; clients request service account tokens for it
   * (ESO `serviceAccountRef.audiences`, cert-manager `serviceAccountRef.audiences`), so a token
   * minted for another audience cannot log in to Vault.
   */
  kubernetesAuthAudience: "vault",
} as const;

/** Vault KV path of a service's own static secrets (`<kvMount>/<path>`). */
export const serviceSecretPath = (service: string, key: string) => `services/${service}/${key}`;

/** ACL paths of a KV v2 secret (or prefix ending in `*`): v2 puts data and metadata under separate paths. */
export function kvPolicyPaths(path: string): { data: string; metadata: string } {
  return { data: `${VAULT.kvMount}/data/${path}`, metadata: `${VAULT.kvMount}/metadata/${path}` };
}
