import type { K8sObject } from "../../render/k8s.js";
import { VAULT } from "./contract.js";

/** Vault's API port (the chart's `server.service.port`); 8201 (raft, cluster) stays inside its namespace. */
export const VAULT_API_PORT = 8200;
/** Istio ambient's HBONE port: a client in the mesh reaches an enrolled pod on it, not on the app's port. */
const HBONE_PORT = 15008;

/**
 * Who may connect to Vault: its own namespace (raft peers, the snapshot CronJob), and on the API
 * port only the namespaces whose controllers log in to it — External Secrets (every SecretStore and
 * VaultDynamicSecret is read by its controller) and cert-manager (every Vault Issuer). Nothing else
 * in the cluster, services included, opens a connection to Vault; operators reach it through
 * `kubectl port-forward`, which NetworkPolicy does not see. Ingress only: Vault's own egress
 * (TokenReview at the API server, PostgreSQL for dynamic credentials) is left open.
 */
export function vaultNetworkPolicy(clients: readonly string[], mesh: boolean): K8sObject {
  const ns = (name: string) => ({
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } },
  });
  const ports = [VAULT_API_PORT, ...(mesh ? [HBONE_PORT] : [])].map((port) => ({ protocol: "TCP", port }));
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: "vault-ingress",
      namespace: VAULT.namespace,
      labels: { "app.kubernetes.io/managed-by": "slipway", "app.kubernetes.io/part-of": "vault" },
    },
    spec: {
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [
        { from: [ns(VAULT.namespace)] },
        ...(clients.length > 0 ? [{ from: [...new Set(clients)].sort().map(ns), ports }] : []),
      ],
    },
  };
}
