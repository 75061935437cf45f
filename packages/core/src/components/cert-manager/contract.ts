// The cert-manager component's public module: its namespace, issuers and PKI mounts, and the contract
// between the mesh and its CA, istio-csr (docs/adr/0016-module-boundaries.md).
import { ISTIO_NAMESPACE } from "../istio/contract.js";

/** Where cert-manager runs and who it is to Vault. */
export const CERT_MANAGER = {
  namespace: "cert-manager",
  /** The controller's service account (chart release `cert-manager`); it requests the issuer's tokens. */
  controllerServiceAccount: "cert-manager",
  /** The service account (one in each issuer's namespace) whose bound tokens an Issuer logs in to Vault with; no pod runs as it. */
  issuerServiceAccount: "vault-issuer",
  /**
   * The namespaced Issuer of platform certificates in cert-manager's namespace (DNS names only).
   * There is no ClusterIssuer: one would serve every namespace, services' included (ADR 0008).
   */
  issuer: "vault-issuer",
  /** Vault policy and Kubernetes auth role of {@link CERT_MANAGER.issuer}. */
  vaultRole: "cert-manager",
  /** The namespaced Issuer istio-csr signs mesh identities with, in istio-csr's request namespace only. */
  meshIssuer: "vault-mesh",
  /** Vault policy and Kubernetes auth role of {@link CERT_MANAGER.meshIssuer}. */
  meshVaultRole: "cert-manager-mesh",
} as const;

/**
 * Vault's PKI as two mounts: a root CA that signs only the intermediate (its key never signs a
 * leaf), and the intermediate that cert-manager's role signs with. Paths are Vault's conventional
 * ones so the Vault documentation's commands apply unchanged.
 */
export const PKI = {
  rootMount: "pki",
  intermediateMount: "pki_int",
  /** PKI role on the intermediate mount for platform certificates (DNS names, no URI SANs). */
  role: "cert-manager",
  /** PKI role for mesh identities (SPIFFE URIs) and the mesh's in-cluster serving names; only istio-csr's Issuer signs with it. */
  meshRole: "mesh",
  /** KV path (under the platform KV mount) Terraform writes the root certificate to, for the mesh's trust anchor. */
  rootCaKvPath: "cert-manager/root-ca",
  rootCaKvProperty: "certificate",
  /** Istio's default trust domain: workload identities are `spiffe://cluster.local/ns/<ns>/sa/<sa>`. */
  trustDomain: "cluster.local",
} as const;

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
