import type { K8sObject } from "../../render/k8s.js";
import { VAULT } from "../vault/paths.js";
import { CERT_MANAGER, PKI_SIGN_PATH } from "./pki.js";

const ns = CERT_MANAGER.namespace;
const labels = { "app.kubernetes.io/managed-by": "slipway", "app.kubernetes.io/part-of": "cert-manager" };
/** Role and RoleBinding that let the controller mint the issuer's tokens. */
const TOKEN_REQUESTER = `${CERT_MANAGER.issuerServiceAccount}-token-requester`;

/**
 * The ClusterIssuer over Vault PKI. It logs in with Kubernetes auth using a short-lived bound token
 * that cert-manager requests for `vault-issuer` (TokenRequest API) with Vault's audience added:
 * no long-lived token Secret exists anywhere. Vault is reached over plain HTTP inside the cluster
 * (VAULT.address), so there is no `caBundle`: cert-manager ignores it for HTTP (CRD field docs);
 * if Vault's listener ever moves to TLS, set `caBundle` or `caBundleSecretRef` here.
 */
export function clusterIssuer(): K8sObject {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "ClusterIssuer",
    metadata: { name: CERT_MANAGER.clusterIssuer, labels },
    spec: {
      vault: {
        server: VAULT.address,
        path: PKI_SIGN_PATH,
        auth: {
          kubernetes: {
            mountPath: `/v1/auth/${VAULT.kubernetesAuthPath}`,
            role: CERT_MANAGER.vaultRole,
            // A ClusterIssuer's service account lives in the cluster resource namespace (cert-manager's).
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
 * The identity the issuer logs in as, and the RBAC cert-manager's documentation asks for with
 * `serviceAccountRef`: `create` on `serviceaccounts/token` for exactly this service account, bound
 * to the controller's own service account.
 */
export function issuerRbac(): K8sObject[] {
  return [
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: CERT_MANAGER.issuerServiceAccount, namespace: ns, labels },
      // Only cert-manager requests tokens for it; no pod mounts one.
      automountServiceAccountToken: false,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: TOKEN_REQUESTER, namespace: ns, labels },
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
      metadata: { name: TOKEN_REQUESTER, namespace: ns, labels },
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
      issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: CERT_MANAGER.clusterIssuer },
    },
  };
}
