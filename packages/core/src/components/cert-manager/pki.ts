import type { VaultKubernetesRoleDecl, VaultPolicyDecl } from "../../render/plan.js";
import { terraformJson, tfName, tfRef } from "../../render/terraform-json.js";
import { ttlSeconds, VAULT, VAULT_TERRAFORM_DIR } from "../vault/contract.js";
import { CERT_MANAGER, PKI } from "./contract.js";

/** The path the platform Issuer signs through (cert-manager requires the `sign` endpoint). */
export const PKI_SIGN_PATH = `${PKI.intermediateMount}/sign/${PKI.role}`;
/** The path the mesh Issuer signs through. */
export const PKI_MESH_SIGN_PATH = `${PKI.intermediateMount}/sign/${PKI.meshRole}`;

const YEAR = 365 * 86400;
/** Root 10 years, intermediate 5: the intermediate must expire before the root that signed it. */
const ROOT_TTL = 10 * YEAR;
const INTERMEDIATE_TTL = 5 * YEAR;
/** Default lifetime of a leaf when the request names none. */
const LEAF_DEFAULT_TTL = 86400;

/** Names Vault's role allows: the platform domain, in-cluster Service names and mesh identities. */
function allowedDomains(domain: string): string[] {
  return [domain, "svc", PKI.trustDomain];
}

/** The cert-manager policy: sign through the one role, nothing else (no `issue`, no other role, no CA paths). */
export function certManagerVaultPolicy(owner: string): VaultPolicyDecl {
  return {
    name: CERT_MANAGER.vaultRole,
    rules: [{ path: PKI_SIGN_PATH, capabilities: ["create", "update"] }],
    owner,
  };
}

/** The mesh Issuer's policy: sign through the mesh role, nothing else. */
export function meshVaultPolicy(owner: string): VaultPolicyDecl {
  return {
    name: CERT_MANAGER.meshVaultRole,
    rules: [{ path: PKI_MESH_SIGN_PATH, capabilities: ["create", "update"] }],
    owner,
  };
}

/** Kubernetes auth role of the mesh Issuer: only its service account, in istio-csr's request namespace. */
export function meshVaultRole(owner: string, namespace: string): VaultKubernetesRoleDecl {
  return {
    name: CERT_MANAGER.meshVaultRole,
    serviceAccounts: [CERT_MANAGER.issuerServiceAccount],
    namespaces: [namespace],
    policies: [CERT_MANAGER.meshVaultRole],
    ttl: "15m",
    owner,
  };
}

/** Kubernetes auth role: only the issuer's service account in cert-manager's namespace. */
export function certManagerVaultRole(owner: string): VaultKubernetesRoleDecl {
  return {
    name: CERT_MANAGER.vaultRole,
    serviceAccounts: [CERT_MANAGER.issuerServiceAccount],
    namespaces: [CERT_MANAGER.namespace],
    policies: [CERT_MANAGER.vaultRole],
    // cert-manager logs in for each signing; a short token is all it ever needs.
    ttl: "15m",
    owner,
  };
}

export interface PkiSettings {
  /** Platform domain (root and intermediate common names, allowed domains). */
  readonly domain: string;
  /** Longest leaf lifetime the role signs, in Vault's TTL form (`720h`). */
  readonly maxTtl: string;
  /** Write the root certificate to KV so an ExternalSecret can pin the mesh trust anchor. */
  readonly publishRootCa: boolean;
  /** Render the mesh role (SPIFFE URIs) istio-csr's Issuer signs with. */
  readonly mesh: boolean;
}

/** What both PKI roles share: leaves only, hostnames enforced, keys brought by the requester. */
function leafRole(name: string, s: PkiSettings): Record<string, unknown> {
  return {
    // The signed intermediate's backend: a role exists only once the intermediate can sign.
    backend: tfRef("vault_pki_secret_backend_intermediate_set_signed.intermediate.backend"),
    name,
    ttl: LEAF_DEFAULT_TTL,
    max_ttl: ttlSeconds(s.maxTtl, ["spec", "components", "cert-manager", "maxTtl"]),
    allow_subdomains: true,
    allow_bare_domains: false,
    allow_glob_domains: false,
    allow_wildcard_certificates: false,
    allow_localhost: false,
    allow_ip_sans: false,
    enforce_hostnames: true,
    // Workloads bring their own keys (RSA from istio-agent, ECDSA from ztunnel).
    key_type: "any",
    server_flag: true,
    client_flag: true,
    // Hour-long mesh certificates would fill Vault's storage; expiry, not revocation, ends them.
    no_store: true,
    generate_lease: false,
  };
}

const urls = (mount: string) => ({
  issuing_certificates: [`${VAULT.address}/v1/${mount}/ca`],
  crl_distribution_points: [`${VAULT.address}/v1/${mount}/crl`],
});

/**
 * Vault PKI as Terraform JSON (`vault/terraform/pki.tf.json`, beside the files the vault component
 * renders). References carry the order: root certificate → intermediate CSR signed by the root →
 * signed certificate set on the intermediate mount → the role, whose backend is read from the
 * signed intermediate so it exists only once the intermediate can sign.
 */
export function pkiTerraform(s: PkiSettings): { path: string; content: string } {
  const root = "vault_pki_secret_backend_root_cert.root";
  const request = "vault_pki_secret_backend_intermediate_cert_request.intermediate";
  const signed = "vault_pki_secret_backend_root_sign_intermediate.intermediate";
  const resource: Record<string, Record<string, Record<string, unknown>>> = {
    vault_mount: {
      pki_root: {
        path: PKI.rootMount,
        type: "pki",
        description: "Root CA of the platform; signs only the intermediate (managed by Slipway)",
        max_lease_ttl_seconds: ROOT_TTL,
      },
      pki_int: {
        path: PKI.intermediateMount,
        type: "pki",
        description: "Intermediate CA; cert-manager signs through its role (managed by Slipway)",
        max_lease_ttl_seconds: INTERMEDIATE_TTL,
      },
    },
    vault_pki_secret_backend_root_cert: {
      root: {
        backend: tfRef("vault_mount.pki_root.path"),
        type: "internal",
        common_name: `${s.domain} Root CA`,
        issuer_name: "root",
        ttl: String(ROOT_TTL),
        key_type: "ec",
        key_bits: 384,
        exclude_cn_from_sans: true,
        organization: "Slipway",
      },
    },
    vault_pki_secret_backend_intermediate_cert_request: {
      intermediate: {
        backend: tfRef("vault_mount.pki_int.path"),
        type: "internal",
        common_name: `${s.domain} Intermediate CA`,
        key_type: "ec",
        key_bits: 256,
      },
    },
    vault_pki_secret_backend_root_sign_intermediate: {
      intermediate: {
        // The root certificate's backend, not the mount's: signing waits for the root to exist.
        backend: tfRef(`${root}.backend`),
        csr: tfRef(`${request}.csr`),
        common_name: `${s.domain} Intermediate CA`,
        exclude_cn_from_sans: true,
        organization: "Slipway",
        format: "pem",
        ttl: String(INTERMEDIATE_TTL),
        // The intermediate signs leaves only (istio-csr asks for workload certificates, not CAs).
        max_path_length: 0,
      },
    },
    vault_pki_secret_backend_intermediate_set_signed: {
      intermediate: {
        backend: tfRef("vault_mount.pki_int.path"),
        // Intermediate + root: Vault returns the whole chain, so cert-manager's ca.crt is the root.
        certificate: tfRef(`${signed}.certificate_bundle`),
      },
    },
    vault_pki_secret_backend_config_urls: {
      pki_root: { backend: tfRef("vault_mount.pki_root.path"), ...urls(PKI.rootMount) },
      pki_int: { backend: tfRef("vault_mount.pki_int.path"), ...urls(PKI.intermediateMount) },
    },
    vault_pki_secret_backend_role: {
      [tfName(PKI.role)]: {
        ...leafRole(PKI.role, s),
        allowed_domains: allowedDomains(s.domain),
        // No URI SANs: a mesh identity (SPIFFE URI) comes only from the mesh role, through istio-csr.
        // The platform Issuer's certificates are server names under the domain or in-cluster.
        require_cn: false,
      },
      ...(s.mesh
        ? {
            [tfName(PKI.meshRole)]: {
              ...leafRole(PKI.meshRole, s),
              // istiod's and istio-csr's serving names (`<service>.<namespace>.svc`).
              allowed_domains: ["svc"],
              // Mesh workload certificates carry only a SPIFFE URI and no common name. istio-csr
              // checks each request against the caller's service account token before it asks.
              allowed_uri_sans: [`spiffe://${PKI.trustDomain}/*`],
              require_cn: false,
            },
          }
        : {}),
    },
  };
  if (s.publishRootCa) {
    resource.vault_kv_secret_v2 = {
      pki_root_ca: {
        mount: tfRef("vault_mount.kv.path"),
        name: PKI.rootCaKvPath,
        // A public certificate, not a secret: KV is only the road ESO already drives to the cluster.
        data_json: tfRef(`jsonencode({ ${PKI.rootCaKvProperty} = ${root}.certificate })`),
      },
    };
  }
  return { path: `${VAULT_TERRAFORM_DIR}/pki.tf.json`, content: terraformJson({ resource }) };
}
