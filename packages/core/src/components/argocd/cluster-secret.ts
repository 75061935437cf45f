import type { PlatformSpec } from "../../config/schema.js";
import { ARGOCD_NAMESPACE } from "../../render/apps.js";
import type { K8sObject } from "../../render/k8s.js";
import { externalSecret, type SecretStoreRef } from "../external-secrets/contract.js";

/** The label that makes a Secret in Argo CD's namespace a cluster registration (declarative setup). */
export const CLUSTER_SECRET_LABEL = { "argocd.argoproj.io/secret-type": "cluster" } as const;

export interface ClusterSecretConfig {
  readonly storeRef: SecretStoreRef;
  /** @default `argocd/clusters/<platform name>` */
  readonly key?: string | undefined;
}

/** The name this cluster is registered under in a remote Argo CD. */
export const registeredName = (platform: Pick<PlatformSpec, "name" | "cluster">): string =>
  platform.cluster.destination.name ?? platform.name;

/**
 * The ExternalSecret that registers this cluster with an Argo CD running elsewhere: ESO writes, in
 * Argo CD's namespace on that cluster, a Secret labelled `argocd.argoproj.io/secret-type: cluster`
 * with the cluster's name, API address and `config` (bearer token and CA from Vault, through ESO's
 * template engine). Nothing of the credential is in Git; the KV path and store are.
 */
export function clusterSecret(platform: PlatformSpec, c: ClusterSecretConfig): K8sObject {
  const name = registeredName(platform);
  const key = c.key ?? `argocd/clusters/${platform.name}`;
  const es = externalSecret({
    name: `cluster-${name}`,
    namespace: ARGOCD_NAMESPACE,
    labels: { "app.kubernetes.io/managed-by": "slipway", "slipway.dev/component": "argocd" },
    data: [
      { secretKey: "bearerToken", key, property: "bearerToken" },
      { secretKey: "caData", key, property: "caData" },
    ],
    store: c.storeRef,
  });
  // Argo CD's cluster config (`config` of the cluster Secret), built as data; the two values are
  // ESO template expressions filled from the KV secret when ESO writes the Secret.
  const config = JSON.stringify({
    bearerToken: "{{ .bearerToken }}",
    tlsClientConfig: { insecure: false, caData: "{{ .caData }}" },
  });
  const spec = es.spec as Record<string, unknown>;
  const target = spec.target as Record<string, unknown>;
  return {
    ...es,
    spec: {
      ...spec,
      target: {
        ...target,
        template: {
          engineVersion: "v2",
          metadata: { labels: { ...CLUSTER_SECRET_LABEL } },
          data: { name, server: platform.cluster.destination.server, config },
        },
      },
    },
  };
}
