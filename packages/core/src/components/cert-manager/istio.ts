import type { K8sObject } from "../../render/k8s.js";
import { type Resources, resourcesValue } from "../../render/resources.js";
import { externalSecret } from "../external-secrets/contract.js";
import { ISTIO_NAMESPACE } from "../istio/contract.js";
import { CERT_MANAGER, ISTIO_CSR, PKI } from "./contract.js";

/** cert-manager istio-csr's chart; a constant: upgrading it is a reviewed code change. */
export const ISTIO_CSR_CHART = {
  repoURL: "https://charts.jetstack.io",
  chart: "cert-manager-istio-csr",
  version: "v0.17.0",
  schemaRef: "helm-cert-manager-istio-csr/v0.17.0",
} as const;

/** istio-csr's own footprint: one small Go controller. */
export const ISTIO_CSR_RESOURCES: Resources = {
  requests: { cpu: "10m", memory: "24Mi" },
  limits: { memory: "96Mi" },
};

/** Secret (from Vault KV through ESO) holding the root certificate istio-csr pins. */
export const ROOT_CA_SECRET = { name: "istio-csr-root-ca", key: "ca.pem" } as const;
const ROOT_CA_DIR = "/var/run/secrets/istio-csr";

/**
 * The root the mesh trusts, pinned from Vault (Terraform writes it to KV, ESO delivers it): without
 * it istio-csr would trust whatever CA the first signed certificate reports.
 */
export function rootCaExternalSecret(): K8sObject {
  return externalSecret({
    name: ROOT_CA_SECRET.name,
    namespace: CERT_MANAGER.namespace,
    data: [{ secretKey: ROOT_CA_SECRET.key, key: PKI.rootCaKvPath, property: PKI.rootCaKvProperty }],
  });
}

/** istio-csr values; `pinRoot` mounts the root from {@link rootCaExternalSecret}. */
export function istioCsrValues(pinRoot: boolean): Record<string, unknown> {
  return {
    app: {
      certmanager: {
        namespace: ISTIO_NAMESPACE,
        issuer: {
          enabled: true,
          // Namespaced, in the namespace above: no other namespace can mint a mesh identity with it.
          name: CERT_MANAGER.meshIssuer,
          kind: "Issuer",
          group: "cert-manager.io",
        },
      },
      // Its lease next to it, not in istio-system before the istio component exists.
      controller: { leaderElectionNamespace: CERT_MANAGER.namespace },
      server: {
        clusterID: ISTIO_CSR.clusterID,
        caTrustedNodeAccounts: ISTIO_CSR.ztunnelServiceAccount,
        maxCertificateDuration: "1h",
      },
      tls: {
        trustDomain: ISTIO_CSR.trustDomain,
        certificateDNSNames: [ISTIO_CSR.address.replace(/:\d+$/, "")],
        ...(pinRoot ? { rootCAFile: `${ROOT_CA_DIR}/${ROOT_CA_SECRET.key}` } : {}),
        istiodCertificateEnable: true,
      },
      istio: { namespace: ISTIO_NAMESPACE, revisions: [...ISTIO_CSR.revisions] },
    },
    resources: resourcesValue(ISTIO_CSR_RESOURCES),
    ...(pinRoot
      ? {
          volumes: [{ name: "root-ca", secret: { secretName: ROOT_CA_SECRET.name } }],
          volumeMounts: [{ name: "root-ca", mountPath: ROOT_CA_DIR, readOnly: true }],
        }
      : {}),
  };
}
