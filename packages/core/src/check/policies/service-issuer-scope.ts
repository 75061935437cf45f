import { isRecord } from "../input.js";
import { definePolicy, describe, objectFinding } from "../policy.js";

/** Issuer types that sign with a CA the cluster holds (Vault PKI, a CA key pair): the mesh's trust. */
const CA_BACKED = ["vault", "ca"] as const;

/**
 * No ClusterIssuer signs with the platform's own CA (Vault PKI or a CA key pair): cert-manager lets
 * a CertificateRequest in any namespace name a ClusterIssuer, and its default approver approves
 * it, so a service namespace could have any name or SPIFFE identity the CA's role allows signed —
 * another workload's mesh identity. CA-backed issuers are namespaced Issuers in the namespaces
 * that need them (cert-manager's, istio-csr's request namespace), ADR 0008. ACME ClusterIssuers
 * (public certificates a public CA validates) are not concerned.
 */
export const serviceIssuerScope = definePolicy({
  id: "service-issuer-scope",
  description:
    "No ClusterIssuer signs with the platform's CA (every namespace, services' included, could use it)",
  *check(input) {
    for (const o of input.objects) {
      if (o.object.kind !== "ClusterIssuer" || !o.object.apiVersion.startsWith("cert-manager.io/")) continue;
      const spec = o.object.spec;
      for (const type of CA_BACKED) {
        if (!isRecord(spec) || spec[type] === undefined) continue;
        yield objectFinding(
          this.id,
          o,
          ["spec", type],
          `${describe(o)} signs with the cluster's ${type === "vault" ? "Vault PKI" : "CA key pair"} for every namespace, services' included`,
          "Make it a namespaced Issuer in the namespace that requests the certificates (ADR 0008).",
        );
      }
    }
  },
});
