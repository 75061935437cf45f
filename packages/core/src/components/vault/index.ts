import { z } from "zod";
import { memoryQuantity } from "../../config/primitives.js";
import type { PlatformSpec } from "../../config/schema.js";
import { diag, InputError } from "../../diagnostics.js";
import { vaultServiceAccountValues } from "../../render/aws.js";
import { app, type ConfigOf, defineComponent, file } from "../../render/component.js";
import { budgetEntry, type Resources, resourcesValue } from "../../render/resources.js";
import { STATEFUL_LABEL } from "../argocd/contract.js";
import { CERT_MANAGER, PKI } from "../cert-manager/contract.js";
import { ADMIN_KV_PATH } from "../dynamic-db/contract.js";
import { ESO } from "../external-secrets/contract.js";
import { ssoAccess, ssoClient } from "../identity/contract.js";
import {
  awskmsSeal,
  type UnsealConfig,
  unsealConfig,
  VAULT,
  VAULT_CHART,
  vaultRedirectUris,
  vaultSso,
} from "./contract.js";
import { block, toHcl } from "./hcl.js";
import { vaultNetworkPolicy } from "./network.js";
import { vaultTerraformFiles, vaultTerraformPolicy } from "./terraform.js";
import { sealStanza, unsealServerValues } from "./unseal.js";

const SERVER_RESOURCES: Resources = {
  requests: { cpu: "50m", memory: "128Mi" },
  limits: { memory: "256Mi" },
};

/**
 * Vault's server configuration, built as data and written as HCL: the chart takes it only as a
 * string (a map fails `helm template`: "structured server config is not supported"), although its
 * values.schema.json allows both. Integrated (raft) storage on one node: the storage HashiCorp
 * supports and recommends today (file storage is not), snapshots with `vault operator raft
 * snapshot`, and growing to three nodes later is a replica count, not a data migration.
 */
function serverConfig(unseal: UnsealConfig, platform: PlatformSpec): string {
  const seal = sealStanza(unseal, platform);
  return toHcl({
    ui: true,
    // Raft keeps its data in memory-mapped files; mlock would pin all of it in RAM.
    disable_mlock: true,
    listener: block(
      {
        address: "[::]:8200",
        cluster_address: "[::]:8201",
        // Plain HTTP inside the cluster only: nothing exposes Vault outside it, and the mesh
        // (Istio ambient, when enabled) encrypts pod-to-pod traffic.
        tls_disable: 1,
        telemetry: block({ unauthenticated_metrics_access: true }),
      },
      "tcp",
    ),
    storage: block({ path: "/vault/data" }, "raft"),
    service_registration: block({}, "kubernetes"),
    telemetry: block({ prometheus_retention_time: "30s", disable_hostname: true }),
    ...(seal ? { seal } : {}),
  });
}

export const vault = defineComponent({
  id: "vault",
  description: "HashiCorp Vault (one raft node) and its configuration as code (Terraform, ADR 0002)",
  dependsOn: ["argocd"],
  after: [],
  enabledByDefault: true,
  namespaces: [VAULT.namespace],
  config: z.strictObject({
    /** Size of the raft data volume. @default "2Gi" */
    storageSize: memoryQuantity.default("2Gi").describe("Size of the raft data volume"),
    /**
     * How Vault unseals after a restart (ADR 0009): `kubernetes-secret` (default), `transit`
     * (another Vault), `awskms` (an AWS KMS key) or `manual`. @default { mode: "kubernetes-secret", keyShares: 5, keyThreshold: 3 }
     */
    unseal: unsealConfig.describe(
      "How Vault unseals after a restart: kubernetes-secret, transit, awskms or manual",
    ),
  }),
  plan(ctx) {
    const u = ctx.config.unseal;
    if (u.mode === "kubernetes-secret" && u.keyThreshold > u.keyShares) {
      throw new InputError([
        diag("SW_VAULT_UNSEAL_THRESHOLD", `keyThreshold ${u.keyThreshold} exceeds keyShares ${u.keyShares}`, {
          path: ["spec", "components", "vault", "unseal", "keyThreshold"],
          hint: "Vault unseals with keyThreshold of the keyShares shares: keep keyThreshold ≤ keyShares (e.g. 3 of 5).",
        }),
      ]);
    }
    // Refused here, where plan-time errors belong, rather than midway through contribute().
    if (u.mode === "awskms") awskmsSeal(u, ctx.platform);
    // The raft data volume is the platform's most valuable state (PKI root, every secret); its pods
    // meet `restricted` through the security-context values below.
    ctx.plan.namespace({
      name: VAULT.namespace,
      project: "platform",
      owner: ctx.id,
      labels: { [STATEFUL_LABEL]: "true" },
    });
    ctx.plan.sourceRepos.add(VAULT_CHART.repoURL);
    // SSO for people (ADR 0012): what each group may do is Vault policy, rendered here with the
    // others; the OIDC auth method that hands them out lives beside its client in identity/terraform.
    const access = ssoAccess(ctx.platform, "vault");
    if (access) {
      const sso = vaultSso(
        access,
        ctx.services.map((s) => s.name),
        ctx.id,
      );
      ctx.plan.vaultPolicies.push(...sso.policies);
      ctx.plan.oidcClients.push(
        ssoClient("vault", VAULT.namespace, vaultRedirectUris(ctx.platform.domain), [], ctx.id),
      );
    }
  },
  *contribute(ctx) {
    const values = {
      // Applications never talk to Vault (External Secrets does), so no agent injector.
      injector: { enabled: false },
      server: {
        image: { repository: "hashicorp/vault", tag: VAULT_CHART.imageTag },
        resources: resourcesValue(SERVER_RESOURCES),
        // HA mode (raft): the chart then ignores `standalone`, so it is not set.
        dev: { enabled: false },
        ha: {
          enabled: true,
          replicas: 1,
          // With one replica the chart's PDB (maxUnavailable 0) would block every node drain.
          disruptionBudget: { enabled: false },
          // With raft enabled the chart renders `ha.raft.config` alone (`ha.config` is Consul's
          // and stays the chart's unused default).
          raft: { enabled: true, setNodeId: true, config: serverConfig(ctx.config.unseal, ctx.platform) },
        },
        dataStorage: {
          enabled: true,
          size: ctx.config.storageSize,
          storageClass: ctx.platform.cluster.storageClass,
          accessMode: "ReadWriteOnce",
        },
        auditStorage: { enabled: false },
        // EKS with aws.vaultIam (IRSA): the role the awskms seal's credentials come from.
        ...vaultServiceAccountValues(ctx.platform),
        // Vault reviews Kubernetes tokens with its own service account (auth config in Terraform).
        authDelegator: { enabled: true },
        // A config change rolls the pod (the chart's default OnDelete never applied it; the
        // `rollout-on-change` rule, H3); the restarted Vault unseals itself (unseal.ts, ADR 0009).
        updateStrategyType: "RollingUpdate",
        includeConfigAnnotation: true,
        // The chart's defaults plus what Pod Security `restricted` asks (seccomp, drop ALL), so
        // the vault namespace enforces `restricted` like every other one without host access.
        statefulSet: {
          securityContext: {
            pod: {
              runAsNonRoot: true,
              runAsUser: 100,
              runAsGroup: 1000,
              fsGroup: 1000,
              seccompProfile: { type: "RuntimeDefault" },
            },
            container: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
          },
        },
        ...unsealServerValues(ctx.config.unseal, ctx.platform),
      },
      ui: { enabled: true, serviceType: "ClusterIP" },
    };
    yield app({
      name: "vault",
      project: "platform",
      namespace: VAULT.namespace,
      helm: {
        repoURL: VAULT_CHART.repoURL,
        chart: VAULT_CHART.chart,
        version: VAULT_CHART.version,
        releaseName: "vault",
        values,
        schemaRef: VAULT_CHART.schemaRef,
      },
      // Default-deny ingress but for the controllers that log in (network.ts).
      manifests: [
        vaultNetworkPolicy(
          [
            ...(ctx.isEnabled("external-secrets") ? [ESO.namespace] : []),
            ...(ctx.isEnabled("cert-manager") ? [CERT_MANAGER.namespace] : []),
          ],
          ctx.isEnabled("istio"),
        ),
      ],
      budget: [budgetEntry("vault", 1, SERVER_RESOURCES)],
    });
    const terraformPolicy = vaultTerraformPolicy({
      ...(ctx.isEnabled("cert-manager")
        ? { pki: { mounts: [PKI.rootMount, PKI.intermediateMount], rootCaKvPath: PKI.rootCaKvPath } }
        : {}),
      ...(ctx.isEnabled("dynamic-db")
        ? {
            database: {
              mount: ctx.configOf("dynamic-db").mount,
              adminKvPath: ADMIN_KV_PATH,
            },
          }
        : {}),
    });
    const policies = [...ctx.plan.vaultPolicies, terraformPolicy];
    for (const f of vaultTerraformFiles(policies, ctx.plan.vaultKubernetesRoles)) {
      yield file(f.path, f.content);
    }
  },
});

declare module "../../render/component.js" {
  interface ComponentConfigs {
    vault: ConfigOf<typeof vault>;
  }
}
