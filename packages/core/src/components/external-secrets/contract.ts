// The external-secrets component's public module: the ExternalSecret and SecretStore builders every
// component renders its credentials with, and where ESO runs (docs/adr/0016-module-boundaries.md).
import type { K8sObject } from "../../render/k8s.js";
import { VAULT } from "../vault/contract.js";

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
  /** Store it reads through. @default the platform's `vault-backend` ClusterSecretStore */
  readonly store?: SecretStoreRef;
  /** `spec.target.template`: the Secret's labels and templated data (the entries are its inputs). */
  readonly template?: Record<string, unknown>;
}

/** `spec.secretStoreRef` of an ExternalSecret. */
export interface SecretStoreRef {
  readonly kind: "SecretStore" | "ClusterSecretStore";
  readonly name: string;
}

/** The platform's store: only platform namespaces may use it (its `conditions`). */
export const PLATFORM_STORE: SecretStoreRef = { kind: "ClusterSecretStore", name: VAULT.clusterSecretStore };

/**
 * An ExternalSecret over a Vault store (the platform's `vault-backend` ClusterSecretStore unless
 * `store` names a service's own SecretStore): the only way a credential reaches a pod. Entries are sorted by secret key so output is stable whatever the
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
      secretStoreRef: {
        kind: (spec.store ?? PLATFORM_STORE).kind,
        name: (spec.store ?? PLATFORM_STORE).name,
      },
      target: {
        name: spec.target ?? spec.name,
        // Owner: the Secret goes away with the ExternalSecret, so pruning leaves nothing behind.
        creationPolicy: "Owner",
        deletionPolicy: "Retain",
        ...(spec.template ? { template: spec.template } : {}),
      },
      data,
    },
  };
}

/** What a service's SecretStore needs: where it is, and the Vault role and service account it logs in as. */
export interface ServiceSecretStoreSpec {
  readonly name: string;
  readonly namespace: string;
  readonly vaultRole: string;
  readonly serviceAccount: string;
  readonly labels?: Record<string, string>;
}

/**
 * A namespaced SecretStore over Vault KV v2 that logs in with Kubernetes auth as the service's own
 * service account (a token ESO requests for Vault's audience; the pod never mounts one). The role
 * is bound to exactly that account and namespace, and its policy reads only the service's paths,
 * so an ExternalSecret in this namespace reaches nothing else in Vault.
 */
export function serviceSecretStore(spec: ServiceSecretStoreSpec): K8sObject {
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "SecretStore",
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      ...(spec.labels ? { labels: spec.labels } : {}),
    },
    spec: { provider: vaultProvider(spec.vaultRole, { name: spec.serviceAccount }) },
  };
}

/**
 * The `provider` of a store over Vault KV v2 that logs in with Kubernetes auth as `account`, with
 * a token minted for Vault's audience only (the account's own API-server token never leaves it).
 */
export function vaultProvider(
  role: string,
  account: { name: string; namespace?: string },
): Record<string, unknown> {
  return {
    vault: {
      server: VAULT.address,
      path: VAULT.kvMount,
      version: "v2",
      auth: {
        kubernetes: {
          mountPath: VAULT.kubernetesAuthPath,
          role,
          serviceAccountRef: { ...account, audiences: [VAULT.kubernetesAuthAudience] },
        },
      },
    },
  };
}

/** Where ESO runs and the service account it logs in to Vault with. */
export const ESO = {
  namespace: "external-secrets",
  serviceAccount: "external-secrets",
  /** Vault policy and Kubernetes auth role of the ClusterSecretStore. */
  vaultRole: "external-secrets",
} as const;
