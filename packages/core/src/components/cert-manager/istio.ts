import type { K8sObject } from "../../render/k8s.js";
import { type Resources, resourcesValue } from "../../render/resources.js";
import { externalSecret } from "../external-secrets/external-secret.js";
import { CERT_MANAGER, PKI } from "./pki.js";

/** cert-manager istio-csr's chart; a constant: upgrading it is a reviewed code change. */
export const ISTIO_CSR_CHART = {
  repoURL: "https://charts.jetstack.io",
  chart: "cert-manager-istio-csr",
  version: "v0.17.0",
  schemaRef: "helm-cert-manager-istio-csr/v0.17.0",
} as const;

/** Istio's control-plane namespace, where istio-csr writes istiod's serving certificate. */
export const ISTIO_NAMESPACE = "istio-system";

/**
 * The contract between the mesh and its CA (ADR 0006). istio-csr replaces istiod's built-in CA:
 * ztunnel and istiod send CSRs to `address`, istio-csr has them signed by the Vault mesh Issuer in
 * istio-system (the one namespace where it creates CertificateRequests),
 * and it writes the pinned root into every namespace's `istio-ca-root-cert` ConfigMap.
 */
export const ISTIO_CSR = {
  /** Helm release, Service and Application name (chart fullname = release name). */
  release: "cert-manager-istio-csr",
  namespace: CERT_MANAGER.namespace,
  /** gRPC CA endpoint (Service port 443 → container 6443): istiod `global.caAddress`, ztunnel `caAddress`. */
  address: `cert-manager-istio-csr.${CERT_MANAGER.namespace}.svc:443`,
  /** Must equal istiod's `meshConfig.trustDomain` (Istio's default). */
  trustDomain: PKI.trustDomain,
  /** Must equal the `CLUSTER_ID` istiod and ztunnel run with (`global.multiCluster.clusterName`, default). */
  clusterID: "Kubernetes",
  /** Istio revisions whose istiod certificate istio-csr issues. */
  revisions: ["default"],
  /** ztunnel asks for certificates on behalf of the pods on its node: istio-csr must trust its account. */
  ztunnelServiceAccount: `${ISTIO_NAMESPACE}/ztunnel`,
  /** Secret istio-csr writes istiod's serving certificate to; the istiod chart mounts it (optional volume `istio-csr-dns-cert`). */
  istiodTlsSecret: "istiod-tls",
  /** ConfigMap istio-csr writes the root CA to in every namespace (read by ztunnel, istiod, workloads). */
  rootCertConfigMap: "istio-ca-root-cert",
} as const;

/**
 * What the istio component must set so istiod and ztunnel use istio-csr instead of istiod's own
 * CA, in each standalone chart's top-level keys (istio-csr's Istio configuration sets
 * `global.caAddress` and istiod's `ENABLE_CA_SERVER=false`; the istiod chart reads `env`, into which
 * profiles flatten `pilot.env`; the ztunnel chart reads `caAddress`). istiod needs no volume
 * values: its chart always mounts the `istiod-tls` Secret and `istio-ca-root-cert` ConfigMap
 * istio-csr writes (optional volumes `istio-csr-dns-cert`, `istio-csr-ca-configmap`).
 */
export const ISTIO_CA_VALUES = {
  istiod: {
    global: { caAddress: ISTIO_CSR.address },
    env: { ENABLE_CA_SERVER: "false" },
    meshConfig: { trustDomain: ISTIO_CSR.trustDomain },
  },
  ztunnel: { caAddress: ISTIO_CSR.address },
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
