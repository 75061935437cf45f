import type { K8sObject } from "../../render/k8s.js";
import { VAULT } from "../vault/contract.js";
import { CERT_MANAGER } from "./contract.js";

const ns = CERT_MANAGER.namespace;
const labels = { "app.kubernetes.io/managed-by": "slipway", "app.kubernetes.io/part-of": "cert-manager" };
/** Role and RoleBinding that let the controller mint the issuer's tokens. */
const TOKEN_REQUESTER = `${CERT_MANAGER.issuerServiceAccount}-token-requester`;

/** Where a Vault Issuer lives, what it signs through and who it logs in as. */
export interface VaultIssuerSpec {
  readonly name: string;
  readonly namespace: string;
  /** `<mount>/sign/<role>`. */
  readonly signPath: string;
  /** Kubernetes auth role, bound to {@link CERT_MANAGER.issuerServiceAccount} in `namespace` alone. */
  readonly vaultRole: string;
}

/**
 * A namespaced Issuer over Vault PKI: only CertificateRequests in its own namespace can use it
 * (cert-manager resolves an `Issuer` reference in the request's namespace), so no service
 * namespace reaches the platform's CA (ADR 0008). It logs in with Kubernetes auth using a
 * short-lived bound token that cert-manager requests for `vault-issuer` in the same namespace
 * (TokenRequest API) with Vault's audience added: no long-lived token Secret exists anywhere.
 * Vault is reached over plain HTTP inside the cluster (VAULT.address), so there is no `caBundle`:
 * cert-manager ignores it for HTTP (CRD field docs); if Vault's listener ever moves to TLS, set
 * `caBundle` or `caBundleSecretRef` here.
 */
export function vaultIssuer(spec: VaultIssuerSpec): K8sObject {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Issuer",
    metadata: { name: spec.name, namespace: spec.namespace, labels },
    spec: {
      vault: {
        server: VAULT.address,
        path: spec.signPath,
        auth: {
          kubernetes: {
            mountPath: `/v1/auth/${VAULT.kubernetesAuthPath}`,
            role: spec.vaultRole,
            // An Issuer's service account lives in the Issuer's own namespace.
            serviceAccountRef: {
              name: CERT_MANAGER.issuerServiceAccount,
              audiences: [VAULT.kubernetesAuthAudience],
            },
          },
        },
      },
    },
  };
}

/**
 * The identity an Issuer in `namespace` logs in as, and the RBAC cert-manager's documentation asks
 * for with `serviceAccountRef`: `create` on `serviceaccounts/token` for exactly this service
 * account, bound to the controller's own service account.
 */
export function issuerRbac(namespace: string = ns): K8sObject[] {
  return [
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: CERT_MANAGER.issuerServiceAccount, namespace, labels },
      // Only cert-manager requests tokens for it; no pod mounts one.
      automountServiceAccountToken: false,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: TOKEN_REQUESTER, namespace, labels },
      rules: [
        {
          apiGroups: [""],
          resources: ["serviceaccounts/token"],
          resourceNames: [CERT_MANAGER.issuerServiceAccount],
          verbs: ["create"],
        },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: TOKEN_REQUESTER, namespace, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: TOKEN_REQUESTER },
      subjects: [{ kind: "ServiceAccount", name: CERT_MANAGER.controllerServiceAccount, namespace: ns }],
    },
  ];
}

/** Name, Secret and DNS names of the test certificate (`testCertificate: true`). */
export const TEST_CERTIFICATE = {
  name: "vault-issuer-test",
  secretName: "vault-issuer-test-tls",
  dnsName: `vault-issuer-test.${ns}.svc`,
} as const;

/**
 * A short-lived certificate that proves the chain end to end: cert-manager → Vault login →
 * `pki_int/sign` → Secret with tls.crt (leaf + intermediate) and ca.crt (the root).
 */
export function testCertificate(): K8sObject {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name: TEST_CERTIFICATE.name, namespace: ns, labels },
    spec: {
      secretName: TEST_CERTIFICATE.secretName,
      commonName: TEST_CERTIFICATE.dnsName,
      dnsNames: [TEST_CERTIFICATE.dnsName, `${TEST_CERTIFICATE.dnsName}.cluster.local`],
      duration: "24h0m0s",
      renewBefore: "8h0m0s",
      privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
      issuerRef: { group: "cert-manager.io", kind: "Issuer", name: CERT_MANAGER.issuer },
    },
  };
}
