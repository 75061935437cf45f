/**
 * The contract for reading secrets from Vault's KV v2 mount: platform components through the
 * `vault-backend` ClusterSecretStore (usable only from platform namespaces), each service through a
 * SecretStore of its own namespace that logs in as the service and reads only the service's paths.
 */
export const VAULT = {
  namespace: "vault",
  address: "http://vault.vault.svc.cluster.local:8200",
  /** KV v2 mount holding every static secret Slipway references. */
  kvMount: "kv",
  /** Kubernetes auth mount path. */
  kubernetesAuthPath: "kubernetes",
  /** ESO ClusterSecretStore of platform components; its conditions admit only platform namespaces. */
  clusterSecretStore: "vault-backend",
  /**
   * Audience every Kubernetes auth role requires; clients request service account tokens for it
   * (ESO `serviceAccountRef.audiences`, cert-manager `serviceAccountRef.audiences`), so a token
   * minted for another audience cannot log in to Vault.
   */
  kubernetesAuthAudience: "vault",
} as const;

/** KV folder holding every service's secrets. */
export const SERVICE_SECRETS_FOLDER = "services/";

/** KV prefix of every secret a service owns (`services/<name>/`), as `spec.secrets[].key` is resolved. */
export const serviceSecretPrefix = (service: string) => `${SERVICE_SECRETS_FOLDER}${service}/`;

/** Vault KV path of a service's own static secrets (`<kvMount>/<path>`). */
export const serviceSecretPath = (service: string, key: string) => `${serviceSecretPrefix(service)}${key}`;

/** ACL paths of a KV v2 secret (or prefix ending in `*`): v2 puts data and metadata under separate paths. */
export function kvPolicyPaths(path: string): { data: string; metadata: string } {
  return { data: `${VAULT.kvMount}/data/${path}`, metadata: `${VAULT.kvMount}/metadata/${path}` };
}

/** Name of a service's SecretStore in its namespace (one per service: services may share a namespace). */
export const serviceSecretStore = (service: string) => `vault-${service}`;

/** Vault policy and Kubernetes auth role a service's SecretStore logs in with. */
export const serviceKvRole = (service: string) => `kv-${service}`;
