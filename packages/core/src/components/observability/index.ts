import type { PlatformSpec } from "../../config/schema.js";
import { diag, InputError } from "../../diagnostics.js";
import { type AppSpec, app, defineComponent } from "../../render/component.js";
import { budgetEntry, type Resources, resourcesValue } from "../../render/resources.js";
import { PSA_PREFIX } from "../argocd/contract.js";
import { externalSecret } from "../external-secrets/contract.js";
import { ssoAccess, ssoClient } from "../identity/contract.js";
import {
  OBSERVABILITY_NAMESPACE,
  type ObservabilityConfig,
  type ObservabilityEndpoints,
  observabilityConfig,
  observabilityEndpoints,
} from "./contract.js";
import { GRAFANA_SUBDOMAIN, grafanaRedirectUri, grafanaSso } from "./grafana-sso.js";

export { OBSERVABILITY_NAMESPACE, type ObservabilityEndpoints, observabilityEndpoints } from "./contract.js";

/**
 * Charts for deploy mode. Loki's values are validated against ../shared/upstream (schema and
 * defaults); Tempo's chart ships no values.schema.json (its defaults are there, no schemaRef),
 * and Prometheus and Grafana have neither there, so those three are unvalidated.
 */
export const OBSERVABILITY_CHARTS = {
  loki: {
    repoURL: "https://grafana.github.io/helm-charts",
    chart: "loki",
    version: "7.3.0",
    schemaRef: "helm-loki/7.3.0",
  },
  // The tempo chart moved to grafana-community (README of ../shared/upstream).
  tempo: { repoURL: "https://grafana-community.github.io/helm-charts", chart: "tempo", version: "2.2.4" },
  prometheus: {
    repoURL: "https://prometheus-community.github.io/helm-charts",
    chart: "prometheus",
    version: "29.27.0",
  },
  // Last chart line on Grafana 12; the grafana chart, too, now lives in grafana-community.
  grafana: {
    repoURL: "https://grafana-community.github.io/helm-charts",
    chart: "grafana",
    version: "11.6.1",
  },
} as const;

const LOKI: Resources = { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "768Mi" } };
const TEMPO: Resources = { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } };
const PROMETHEUS: Resources = { requests: { cpu: "100m", memory: "384Mi" }, limits: { memory: "1Gi" } };
const GRAFANA: Resources = { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "384Mi" } };

/** Vault KV path of Grafana's admin login (`username`, `password`) in deploy mode. */
export const GRAFANA_ADMIN_SECRET_PATH = "grafana/admin";

function lokiApp(storageSize: string, storageClass: string): AppSpec {
  const values = {
    deploymentMode: "SingleBinary",
    loki: {
      // One tenant: a personal platform; the collector needs no X-Scope-OrgID.
      auth_enabled: false,
      commonConfig: { replication_factor: 1 },
      storage: { type: "filesystem" },
      schemaConfig: {
        configs: [
          {
            from: "2024-04-01",
            store: "tsdb",
            object_store: "filesystem",
            schema: "v13",
            index: { prefix: "loki_index_", period: "24h" },
          },
        ],
      },
      // OTLP ingestion keeps resource attributes as structured metadata.
      limits_config: { allow_structured_metadata: true, retention_period: "336h" },
      compactor: { retention_enabled: true, delete_request_store: "filesystem" },
    },
    singleBinary: {
      replicas: 1,
      resources: resourcesValue(LOKI),
      // Logs outlive the Application: deleting it must not delete the volume.
      persistence: { enabled: true, size: storageSize, storageClass, enableStatefulSetAutoDeletePVC: false },
    },
    // The rules sidecar would be a workload without requests; no rules are shipped.
    sidecar: { rules: { enabled: false } },
    // Single binary: the gateway, caches, canary and the other modes' workloads stay off.
    gateway: { enabled: false },
    chunksCache: { enabled: false },
    resultsCache: { enabled: false },
    lokiCanary: { enabled: false },
    test: { enabled: false },
    minio: { enabled: false },
    backend: { replicas: 0 },
    read: { replicas: 0 },
    write: { replicas: 0 },
  };
  const c = OBSERVABILITY_CHARTS.loki;
  return {
    name: "loki",
    project: "platform",
    namespace: OBSERVABILITY_NAMESPACE,
    helm: {
      repoURL: c.repoURL,
      chart: c.chart,
      version: c.version,
      releaseName: "loki",
      values,
      schemaRef: c.schemaRef,
    },
    budget: [budgetEntry("loki", 1, LOKI)],
  };
}

function tempoApp(storageSize: string, storageClass: string): AppSpec {
  const values = {
    tempo: {
      resources: resourcesValue(TEMPO),
      reportingEnabled: false,
      retention: "168h",
      // OTLP only: Jaeger receivers are not part of the platform contract.
      receivers: {
        otlp: { protocols: { grpc: { endpoint: "0.0.0.0:4317" }, http: { endpoint: "0.0.0.0:4318" } } },
      },
    },
    persistence: {
      enabled: true,
      size: storageSize,
      storageClassName: storageClass,
      accessModes: ["ReadWriteOnce"],
    },
  };
  const c = OBSERVABILITY_CHARTS.tempo;
  return {
    name: "tempo",
    project: "platform",
    namespace: OBSERVABILITY_NAMESPACE,
    helm: { repoURL: c.repoURL, chart: c.chart, version: c.version, releaseName: "tempo", values },
    budget: [budgetEntry("tempo", 1, TEMPO)],
  };
}

function prometheusApp(storageSize: string, storageClass: string): AppSpec {
  const values = {
    server: {
      // Remote write (Tempo's metrics generator, Alloy) and OTLP (the collector) as receivers.
      extraFlags: ["web.enable-lifecycle", "web.enable-remote-write-receiver", "web.enable-otlp-receiver"],
      retention: "15d",
      resources: resourcesValue(PROMETHEUS),
      persistentVolume: { enabled: true, size: storageSize, storageClass },
    },
    // Only the server: alerting and exporters are out of the platform's scope on one node.
    alertmanager: { enabled: false },
    "kube-state-metrics": { enabled: false },
    "prometheus-node-exporter": { enabled: false },
    "prometheus-pushgateway": { enabled: false },
  };
  const c = OBSERVABILITY_CHARTS.prometheus;
  return {
    name: "prometheus",
    project: "platform",
    namespace: OBSERVABILITY_NAMESPACE,
    helm: { repoURL: c.repoURL, chart: c.chart, version: c.version, releaseName: "prometheus", values },
    budget: [budgetEntry("prometheus-server", 1, PROMETHEUS)],
  };
}

function grafanaApp(
  storageSize: string,
  storageClass: string,
  endpoints: ObservabilityEndpoints,
  platform: PlatformSpec,
): AppSpec {
  const datasources = [
    {
      name: "Prometheus",
      type: "prometheus",
      uid: "prometheus",
      url: endpoints.prometheus.url,
      access: "proxy",
      isDefault: true,
    },
    { name: "Loki", type: "loki", uid: "loki", url: endpoints.loki.url, access: "proxy", isDefault: false },
    {
      name: "Tempo",
      type: "tempo",
      uid: "tempo",
      url: endpoints.tempo.url,
      access: "proxy",
      isDefault: false,
    },
  ];
  const values = {
    resources: resourcesValue(GRAFANA),
    persistence: { enabled: true, size: storageSize, storageClassName: storageClass },
    // The admin login comes from Vault through ESO, never from the chart's generated Secret.
    admin: { existingSecret: "grafana-admin", userKey: "username", passwordKey: "password" },
    datasources: { "datasources.yaml": { apiVersion: 1, datasources } },
  };
  // SSO (spec.access.grafana, ADR 0012): sign-in through the platform's identity provider.
  const access = ssoAccess(platform, "grafana");
  const sso = access ? grafanaSso(platform, access) : undefined;
  if (sso) Object.assign(values, sso.values);
  const c = OBSERVABILITY_CHARTS.grafana;
  return {
    name: "grafana",
    project: "platform",
    namespace: OBSERVABILITY_NAMESPACE,
    helm: { repoURL: c.repoURL, chart: c.chart, version: c.version, releaseName: "grafana", values },
    manifests: [
      externalSecret({
        name: "grafana-admin",
        namespace: OBSERVABILITY_NAMESPACE,
        annotations: { "argocd.argoproj.io/sync-wave": "-1" },
        data: [
          { secretKey: "username", key: GRAFANA_ADMIN_SECRET_PATH, property: "username" },
          { secretKey: "password", key: GRAFANA_ADMIN_SECRET_PATH, property: "password" },
        ],
      }),
      ...(sso ? [sso.secret] : []),
    ],
    budget: [budgetEntry("grafana", 1, GRAFANA)],
  };
}

const deploys = (c: ObservabilityConfig) =>
  (["loki", "tempo", "prometheus", "grafana"] as const).filter((k) => c[k].mode === "deploy");

export const observability = defineComponent({
  id: "observability",
  description: "Loki, Tempo, Prometheus and Grafana: referenced by URL, or deployed from their charts",
  dependsOn: ["argocd"],
  // Grafana's admin login is an ExternalSecret: after ESO when it is enabled.
  after: ["external-secrets"],
  enabledByDefault: true,
  before: ["services"],
  namespaces: [OBSERVABILITY_NAMESPACE],
  config: observabilityConfig,
  plan(ctx) {
    const deployed = deploys(ctx.config);
    if (deployed.length === 0) return;
    if (ctx.config.grafana.mode === "deploy" && !ctx.isEnabled("external-secrets")) {
      throw new InputError([
        diag(
          "SW_OBSERVABILITY_NEEDS_EXTERNAL_SECRETS",
          "grafana in deploy mode needs the external-secrets component",
          {
            path: ["spec", "components", "observability", "grafana", "mode"],
            hint: "Enable external-secrets (Grafana's admin login comes from Vault) or reference an existing Grafana.",
          },
        ),
      ]);
    }
    // Shared with otel, whose Alloy reads node logs through a hostPath volume (/var/log): the level
    // is the namespace's, whichever of the two is on.
    ctx.plan.namespace({
      name: OBSERVABILITY_NAMESPACE,
      project: "platform",
      owner: ctx.id,
      labels: { [`${PSA_PREFIX}enforce`]: "privileged" },
    });
    for (const k of deployed) ctx.plan.sourceRepos.add(OBSERVABILITY_CHARTS[k].repoURL);
    // A deployed Grafana with SSO needs a URL people come back to: an internal route, and a client.
    if (ctx.config.grafana.mode === "deploy" && ssoAccess(ctx.platform, "grafana")) {
      const host = `${GRAFANA_SUBDOMAIN}.${ctx.platform.domain}`;
      ctx.plan.hostnames.push({
        host,
        namespace: OBSERVABILITY_NAMESPACE,
        service: "grafana",
        port: 80,
        public: false,
        protocol: "http",
        owner: ctx.id,
      });
      ctx.plan.oidcClients.push(
        ssoClient(
          "grafana",
          OBSERVABILITY_NAMESPACE,
          [grafanaRedirectUri(host)],
          [`https://${host}/`],
          ctx.id,
        ),
      );
    }
  },
  *contribute(ctx) {
    const c = ctx.config;
    const sc = ctx.platform.cluster.storageClass;
    if (c.loki.mode === "deploy") yield app(lokiApp(c.loki.storageSize, sc));
    if (c.tempo.mode === "deploy") yield app(tempoApp(c.tempo.storageSize, sc));
    if (c.prometheus.mode === "deploy") yield app(prometheusApp(c.prometheus.storageSize, sc));
    if (c.grafana.mode === "deploy") {
      yield app(grafanaApp(c.grafana.storageSize, sc, observabilityEndpoints(ctx.platform), ctx.platform));
    }
  },
});

declare module "../../render/component.js" {
  interface ComponentConfigs {
    observability: ConfigOf<typeof observabilityConfig>;
  }
}
