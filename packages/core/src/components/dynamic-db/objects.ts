import type { K8sObject } from "../../render/k8s.js";
import type { PostgresEndpoint } from "../postgres/contract.js";
import { VAULT } from "../vault/contract.js";

export const GENERATOR_API_VERSION = "generators.external-secrets.io/v1alpha1";

/** Where one service's dynamic credentials come from and go to. */
export interface DynamicCredentialSpec {
  readonly service: string;
  readonly namespace: string;
  /** Name of the generator, the ExternalSecret and the Secret ESO writes. */
  readonly name: string;
  /** Vault path of the credentials, `<mount>/creds/<role>`. */
  readonly credsPath: string;
  /** Kubernetes auth role the generator logs in with. */
  readonly vaultRole: string;
  readonly database: string;
  readonly endpoint: PostgresEndpoint;
  readonly refreshInterval: string;
  readonly labels: Record<string, string>;
}

/**
 * The generator: reads `<mount>/creds/<role>` with a token of the service's own service account,
 * minted for Vault's audience (ESO requests it through TokenRequest; the pod never mounts one).
 * Vault answers with `username` and `password`.
 */
export function vaultDynamicSecret(spec: DynamicCredentialSpec): K8sObject {
  return {
    apiVersion: GENERATOR_API_VERSION,
    kind: "VaultDynamicSecret",
    metadata: { name: spec.name, namespace: spec.namespace, labels: spec.labels },
    spec: {
      method: "GET",
      path: spec.credsPath,
      resultType: "Data",
      provider: {
        server: VAULT.address,
        auth: {
          kubernetes: {
            mountPath: VAULT.kubernetesAuthPath,
            role: spec.vaultRole,
            serviceAccountRef: { name: spec.service, audiences: [VAULT.kubernetesAuthAudience] },
          },
        },
      },
    },
  };
}

/**
 * The ExternalSecret that runs the generator every `refreshInterval` and writes `username`,
 * `password` and a libpq `url` into the service's Secret. Each run issues a new credential; the
 * previous one stays valid until its lease ends (ESO does not revoke it), which is the window a
 * rolling restart has to pick up the new Secret.
 */
export function dynamicExternalSecret(spec: DynamicCredentialSpec): K8sObject {
  const { host, port } = spec.endpoint;
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: { name: spec.name, namespace: spec.namespace, labels: spec.labels },
    spec: {
      refreshInterval: spec.refreshInterval,
      refreshPolicy: "Periodic",
      dataFrom: [
        {
          sourceRef: {
            generatorRef: { apiVersion: GENERATOR_API_VERSION, kind: "VaultDynamicSecret", name: spec.name },
          },
        },
      ],
      target: {
        name: spec.name,
        creationPolicy: "Owner",
        deletionPolicy: "Retain",
        template: {
          engineVersion: "v2",
          type: "Opaque",
          mergePolicy: "Replace",
          metadata: { labels: spec.labels },
          data: {
            username: "{{ .username }}",
            password: "{{ .password }}",
            // Escaped: Vault's default names and passwords are URL-safe, a custom password policy may not be.
            url: `postgresql://{{ .username | urlquery }}:{{ .password | urlquery }}@${host}:${port}/${spec.database}`,
          },
        },
      },
    },
  };
}
