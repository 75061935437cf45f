import type { AppSpec } from "../../render/component.js";
import { budgetEntry, type Resources, resourcesValue } from "../../render/resources.js";
import { JAVA_AGENT_IMAGE, OTEL_NAMESPACE } from "./contract.js";

/** OpenTelemetry Operator chart 0.122.0 (operator and collector 0.158.0). */
export const OPERATOR_CHART = {
  repoURL: "https://open-telemetry.github.io/opentelemetry-helm-charts",
  chart: "opentelemetry-operator",
  version: "0.122.0",
  schemaRef: "helm-opentelemetry-operator/0.122.0",
  appVersion: "0.158.0",
} as const;

/** Names of chart objects follow `fullnameOverride`; the webhook Secret is `<fullname>-controller-manager-service-cert`. */
const FULLNAME = "opentelemetry-operator";
export const WEBHOOK_CERT_SECRET = `${FULLNAME}-controller-manager-service-cert`;

export const OPERATOR_RESOURCES: Resources = {
  requests: { cpu: "20m", memory: "64Mi" },
  limits: { memory: "128Mi" },
};

const [javaRepository, javaTag] = JAVA_AGENT_IMAGE.split(/:(?=[^:]+$)/) as [string, string];

/**
 * Chart values. The admission webhooks need a serving certificate:
 * - with cert-manager enabled, the chart's cert-manager option (a self-signed Issuer and a
 *   Certificate; cert-manager's CA injector fills the webhooks' and CRDs' caBundle and rotates it);
 * - without it, the chart's own self-signed certificate (`autoGenerateCert`). Argo CD renders the
 *   chart with `helm template`, where `lookup` finds nothing, so every render makes a new CA. The
 *   Secret is therefore a normal resource, not a pre-install hook (a hook would be recreated on each
 *   sync while the ignored caBundle stayed old), and {@link webhookIgnoreDifferences} keeps the
 *   first, consistent pair in the cluster.
 */
export function operatorValues(certManager: boolean): Record<string, unknown> {
  return {
    fullnameOverride: FULLNAME,
    manager: {
      image: { tag: OPERATOR_CHART.appVersion },
      // The default Java agent when an Instrumentation names none: the same pin as ours.
      autoInstrumentationImage: { java: { repository: javaRepository, tag: javaTag } },
      resources: resourcesValue(OPERATOR_RESOURCES),
    },
    admissionWebhooks: {
      certManager: { enabled: certManager },
      autoGenerateCert: { enabled: !certManager, recreate: false },
      ...(certManager
        ? {}
        : { secretAnnotations: { "helm.sh/hook": null, "helm.sh/hook-delete-policy": null } }),
    },
  };
}

/** Fields the cluster owns after the first sync: injected or first-generated CA bundles and the cert itself. */
function webhookIgnoreDifferences(certManager: boolean): Record<string, unknown>[] {
  const bundles = [
    {
      group: "admissionregistration.k8s.io",
      kind: "MutatingWebhookConfiguration",
      jqPathExpressions: [".webhooks[]?.clientConfig.caBundle"],
    },
    {
      group: "admissionregistration.k8s.io",
      kind: "ValidatingWebhookConfiguration",
      jqPathExpressions: [".webhooks[]?.clientConfig.caBundle"],
    },
    {
      group: "apiextensions.k8s.io",
      kind: "CustomResourceDefinition",
      jqPathExpressions: [".spec.conversion.webhook.clientConfig.caBundle"],
    },
  ];
  return certManager
    ? bundles
    : [
        ...bundles,
        {
          group: "",
          kind: "Secret",
          name: WEBHOOK_CERT_SECRET,
          namespace: OTEL_NAMESPACE,
          jsonPointers: ["/data"],
        },
      ];
}

export function operatorApp(certManager: boolean): AppSpec {
  return {
    name: "otel-operator",
    project: "platform",
    namespace: OTEL_NAMESPACE,
    order: 0,
    helm: {
      repoURL: OPERATOR_CHART.repoURL,
      chart: OPERATOR_CHART.chart,
      version: OPERATOR_CHART.version,
      releaseName: "otel-operator",
      values: operatorValues(certManager),
      schemaRef: OPERATOR_CHART.schemaRef,
    },
    // The OpenTelemetryCollector CRD (~420 KB) exceeds client-side apply's annotation limit;
    // ignored fields must also not be written back on the next sync.
    syncOptions: ["ServerSideApply=true", "RespectIgnoreDifferences=true"],
    ignoreDifferences: webhookIgnoreDifferences(certManager),
    crds: ["opentelemetry.io"],
    budget: [budgetEntry("opentelemetry-operator", 1, OPERATOR_RESOURCES)],
  };
}
