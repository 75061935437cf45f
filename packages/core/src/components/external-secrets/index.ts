import { z } from "zod";
import { app, type ConfigOf, defineComponent } from "../../render/component.js";
import type { K8sObject } from "../../render/k8s.js";
import type { NamespaceDecl } from "../../render/plan.js";
import { budgetEntry, type Resources, resourcesValue } from "../../render/resources.js";
import { kvPolicyPaths, VAULT } from "../vault/contract.js";
import { ESO, vaultProvider } from "./contract.js";

export const ESO_CHART = {
  repoURL: "https://charts.external-secrets.io",
  chart: "external-secrets",
  version: "2.9.0",
  schemaRef: "helm-external-secrets/2.9.0",
} as const;

const CONTROLLER: Resources = { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "192Mi" } };
const WEBHOOK: Resources = { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "96Mi" } };
const CERT_CONTROLLER: Resources = { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "96Mi" } };

/**
 * The platform components' store: Vault KV v2 through Kubernetes auth, with a policy that reads
 * all of `kv/`. Its `conditions` admit ExternalSecrets only from `platformNamespaces` (by name,
 * not by a label anyone able to edit a Namespace could add): a service namespace has its own
 * SecretStore (contract.ts `serviceSecretStore`) and cannot name this one.
 */
export function clusterSecretStore(platformNamespaces: Iterable<string>): K8sObject {
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ClusterSecretStore",
    metadata: { name: VAULT.clusterSecretStore },
    spec: {
      conditions: [{ namespaces: [...new Set(platformNamespaces)].sort() }],
      // ESO's own account, in its namespace: the only one the role is bound to.
      provider: vaultProvider(ESO.vaultRole, { name: ESO.serviceAccount, namespace: ESO.namespace }),
    },
  };
}

/** Namespaces of platform components: the only ones the platform store serves. */
export function* platformNamespaces(namespaces: Iterable<NamespaceDecl>): Generator<string> {
  for (const ns of namespaces) if (ns.project === "platform") yield ns.name;
}

export const externalSecrets = defineComponent({
  id: "external-secrets",
  description: "External Secrets Operator and the vault-backend ClusterSecretStore",
  dependsOn: ["vault"],
  after: [],
  enabledByDefault: true,
  // ExternalSecret (its CRD) is in every service's Application.
  before: ["services"],
  namespaces: [ESO.namespace],
  capabilities: [
    { feature: "secrets", path: (s) => (s.secrets.length > 0 ? ["spec", "secrets"] : undefined) },
  ],
  config: z.strictObject({}),
  plan(ctx) {
    ctx.plan.namespace({ name: ESO.namespace, project: "platform", owner: ctx.id });
    ctx.plan.sourceRepos.add(ESO_CHART.repoURL);
    const all = kvPolicyPaths("*");
    ctx.plan.vaultPolicies.push({
      name: ESO.vaultRole,
      rules: [
        { path: all.data, capabilities: ["read"] },
        { path: all.metadata, capabilities: ["read", "list"] },
      ],
      owner: ctx.id,
    });
    ctx.plan.vaultKubernetesRoles.push({
      name: ESO.vaultRole,
      serviceAccounts: [ESO.serviceAccount],
      namespaces: [ESO.namespace],
      policies: [ESO.vaultRole],
      ttl: "1h",
      owner: ctx.id,
    });
  },
  *contribute(ctx) {
    const values = {
      installCRDs: true,
      replicaCount: 1,
      serviceAccount: { create: true, name: ESO.serviceAccount },
      resources: resourcesValue(CONTROLLER),
      webhook: { replicaCount: 1, resources: resourcesValue(WEBHOOK) },
      certController: { replicaCount: 1, resources: resourcesValue(CERT_CONTROLLER) },
      // Not used: every secret comes from Vault.
      "bitwarden-sdk-server": { enabled: false },
    };
    yield app({
      name: "external-secrets",
      project: "platform",
      namespace: ESO.namespace,
      order: 0,
      helm: {
        repoURL: ESO_CHART.repoURL,
        chart: ESO_CHART.chart,
        version: ESO_CHART.version,
        releaseName: "external-secrets",
        values,
        schemaRef: ESO_CHART.schemaRef,
      },
      // ESO's CRDs exceed the 256 KiB last-applied annotation of client-side apply.
      syncOptions: ["ServerSideApply=true"],
      crds: ["external-secrets.io", "generators.external-secrets.io"],
      budget: [
        budgetEntry("external-secrets", 1, CONTROLLER),
        budgetEntry("external-secrets-webhook", 1, WEBHOOK),
        budgetEntry("external-secrets-cert-controller", 1, CERT_CONTROLLER),
      ],
    });
    // A custom resource of the chart's CRDs: a later wave than the chart, so the CRD exists first.
    yield app({
      name: "external-secrets-store",
      project: "platform",
      namespace: ESO.namespace,
      order: 1,
      manifests: [clusterSecretStore(platformNamespaces(ctx.plan.namespaces.values()))],
    });
  },
});

declare module "../../render/component.js" {
  interface ComponentConfigs {
    "external-secrets": ConfigOf<typeof externalSecrets>;
  }
}
