import { z } from "zod";
import { app, type ConfigOf, defineComponent, file } from "../../render/component.js";
import { budgetEntry, type Resources, resourcesValue } from "../../render/resources.js";
import { ISTIO_NAMESPACE } from "../istio/contract.js";
import { CERT_MANAGER, ISTIO_CSR } from "./contract.js";
import { issuerRbac, testCertificate, vaultIssuer } from "./issuer.js";
import { ISTIO_CSR_CHART, ISTIO_CSR_RESOURCES, istioCsrValues, rootCaExternalSecret } from "./istio.js";
import {
  certManagerVaultPolicy,
  certManagerVaultRole,
  meshVaultPolicy,
  meshVaultRole,
  PKI_MESH_SIGN_PATH,
  PKI_SIGN_PATH,
  pkiTerraform,
} from "./pki.js";

/** cert-manager's chart (app v1.21.1); a constant, not config: upgrading it is a reviewed code change. */
export const CERT_MANAGER_CHART = {
  repoURL: "https://charts.jetstack.io",
  chart: "cert-manager",
  version: "v1.21.1",
  schemaRef: "helm-cert-manager/v1.21.1",
} as const;

/** API groups whose CRDs the chart installs (`crds.enabled`). */
export const CERT_MANAGER_CRD_GROUPS = ["cert-manager.io", "acme.cert-manager.io"] as const;

const CONTROLLER: Resources = { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } };
const WEBHOOK: Resources = { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } };
const CAINJECTOR: Resources = { requests: { cpu: "10m", memory: "24Mi" }, limits: { memory: "128Mi" } };

const TTL = /^\d+(s|m|h|d)?$/;

const config = z.strictObject({
  /**
   * Longest lifetime of a certificate the Vault role signs (`90s`, `15m`, `720h`, `30d`); longer
   * requests are cut to it. @default "720h"
   */
  maxTtl: z
    .string()
    .regex(TTL, "a Vault TTL: 3600, 60m, 720h or 30d")
    .default("720h")
    .describe("Longest lifetime of a certificate the Vault PKI role signs (90s, 15m, 720h, 30d)"),
  /** Render a short-lived test Certificate from the platform's Vault Issuer. @default false */
  testCertificate: z
    .boolean()
    .default(false)
    .describe("Render a short-lived test Certificate from the platform's Vault Issuer"),
});

/** cert-manager values: only what differs from the chart's defaults, each for a reason. */
function chartValues(): Record<string, unknown> {
  return {
    // The chart owns the CRDs, and keeps them when the release goes (deleting them deletes every certificate).
    crds: { enabled: true, keep: true },
    global: {
      // The chart's default lease namespace is kube-system, which the platform AppProject does not allow.
      leaderElection: { namespace: CERT_MANAGER.namespace },
    },
    serviceAccount: { create: true, name: CERT_MANAGER.controllerServiceAccount },
    // A certificate's Secret goes with the Certificate, so pruning leaves no orphaned keys.
    enableCertificateOwnerRef: true,
    resources: resourcesValue(CONTROLLER),
    webhook: { resources: resourcesValue(WEBHOOK) },
    cainjector: { resources: resourcesValue(CAINJECTOR) },
    // A Helm post-install hook Job; under Argo CD the issuer's own Application (a later wave,
    // retried until the webhook answers) is the readiness check.
    startupapicheck: { enabled: false },
  };
}

export const certManager = defineComponent({
  id: "cert-manager",
  description: "cert-manager with namespaced Vault PKI Issuers (no ClusterIssuer); the mesh trust anchor",
  dependsOn: ["vault"],
  after: ["external-secrets"],
  enabledByDefault: false,
  before: ["services"],
  // istio-csr runs in Istio's namespace, before Istio itself (it issues istiod's certificates).
  namespaces: [CERT_MANAGER.namespace, ISTIO_NAMESPACE],
  config,
  plan(ctx) {
    ctx.plan.namespace({ name: CERT_MANAGER.namespace, project: "platform", owner: ctx.id });
    ctx.plan.sourceRepos.add(CERT_MANAGER_CHART.repoURL);
    ctx.plan.vaultPolicies.push(certManagerVaultPolicy(ctx.id));
    ctx.plan.vaultKubernetesRoles.push(certManagerVaultRole(ctx.id));
    if (ctx.isEnabled("istio")) {
      // istio-csr writes istiod's certificate and its CertificateRequests there, signed by the
      // mesh Issuer of that namespace only.
      ctx.plan.namespace({ name: ISTIO_NAMESPACE, project: "platform", owner: ctx.id });
      ctx.plan.vaultPolicies.push(meshVaultPolicy(ctx.id));
      ctx.plan.vaultKubernetesRoles.push(meshVaultRole(ctx.id, ISTIO_NAMESPACE));
      ctx.plan.sourceRepos.add(ISTIO_CSR_CHART.repoURL);
    }
  },
  *contribute(ctx) {
    const { maxTtl, testCertificate: withTest } = ctx.config;
    const mesh = ctx.isEnabled("istio");
    const pinRoot = mesh && ctx.isEnabled("external-secrets");

    yield app({
      name: "cert-manager",
      project: "platform",
      namespace: CERT_MANAGER.namespace,
      order: 0,
      helm: {
        repoURL: CERT_MANAGER_CHART.repoURL,
        chart: CERT_MANAGER_CHART.chart,
        version: CERT_MANAGER_CHART.version,
        releaseName: "cert-manager",
        values: chartValues(),
        schemaRef: CERT_MANAGER_CHART.schemaRef,
      },
      // `crds.keep` annotates them `helm.sh/resource-policy: keep`, which Argo CD (2.8+) treats as
      // Delete=false: deleting this Application leaves the CRDs, and so every certificate, in place.
      crds: CERT_MANAGER_CRD_GROUPS,
      budget: [
        budgetEntry("cert-manager", 1, CONTROLLER),
        budgetEntry("cert-manager-webhook", 1, WEBHOOK),
        budgetEntry("cert-manager-cainjector", 1, CAINJECTOR),
      ],
    });

    // Custom resources of the chart's CRDs: a later wave than the chart.
    yield app({
      name: "cert-manager-issuer",
      project: "platform",
      namespace: CERT_MANAGER.namespace,
      order: 1,
      manifests: [
        ...issuerRbac(CERT_MANAGER.namespace),
        vaultIssuer({
          name: CERT_MANAGER.issuer,
          namespace: CERT_MANAGER.namespace,
          signPath: PKI_SIGN_PATH,
          vaultRole: CERT_MANAGER.vaultRole,
        }),
        ...(mesh
          ? [
              ...issuerRbac(ISTIO_NAMESPACE),
              vaultIssuer({
                name: CERT_MANAGER.meshIssuer,
                namespace: ISTIO_NAMESPACE,
                signPath: PKI_MESH_SIGN_PATH,
                vaultRole: CERT_MANAGER.meshVaultRole,
              }),
            ]
          : []),
        ...(withTest ? [testCertificate()] : []),
      ],
    });

    if (mesh) {
      yield app({
        name: ISTIO_CSR.release,
        project: "platform",
        namespace: ISTIO_CSR.namespace,
        order: 2,
        helm: {
          repoURL: ISTIO_CSR_CHART.repoURL,
          chart: ISTIO_CSR_CHART.chart,
          version: ISTIO_CSR_CHART.version,
          releaseName: ISTIO_CSR.release,
          values: istioCsrValues(pinRoot),
          schemaRef: ISTIO_CSR_CHART.schemaRef,
        },
        ...(pinRoot ? { manifests: [rootCaExternalSecret()] } : {}),
        budget: [budgetEntry(ISTIO_CSR.release, 1, ISTIO_CSR_RESOURCES)],
      });
    }

    const pki = pkiTerraform({ domain: ctx.platform.domain, maxTtl, publishRootCa: pinRoot, mesh });
    yield file(pki.path, pki.content);
  },
});

declare module "../../render/component.js" {
  interface ComponentConfigs {
    "cert-manager": ConfigOf<typeof config>;
  }
}
