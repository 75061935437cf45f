import { type Diagnostic, diag } from "../../diagnostics.js";
import type { K8sObject } from "../../render/k8s.js";
import { type Resources, resourcesValue } from "../../render/resources.js";
import type { ObservabilityEndpoints } from "../observability/contract.js";
import {
  COLLECTOR_CR_NAME,
  COLLECTOR_SERVICE,
  OTEL_COLLECTOR,
  OTEL_NAMESPACE,
  type OtelConfig,
} from "./contract.js";

/**
 * Collector images, pinned to the operator's collector version (0.158.0). The k8s distribution has
 * otlp, otlphttp, memory_limiter, batch and k8sattributes; `prometheusremotewrite` is only in
 * contrib, so remote-write mode pays for the larger image.
 */
export const COLLECTOR_IMAGES = {
  k8s: "ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-k8s:0.158.0",
  contrib: "ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-contrib:0.158.0",
} as const;

/** One gateway replica on a single node; memory_limiter works against this limit. */
export const COLLECTOR_RESOURCES: Resources = {
  requests: { cpu: "50m", memory: "64Mi" },
  limits: { memory: "256Mi" },
};

/** The parts of a collector config the pipeline check reads (the CR's `spec.config`). */
export interface CollectorConfig {
  readonly receivers: Record<string, unknown>;
  readonly processors?: Record<string, unknown>;
  readonly exporters: Record<string, unknown>;
  readonly connectors?: Record<string, unknown>;
  readonly extensions?: Record<string, unknown>;
  readonly service: {
    readonly extensions?: readonly string[];
    readonly pipelines: Record<
      string,
      {
        readonly receivers: readonly string[];
        readonly processors?: readonly string[];
        readonly exporters: readonly string[];
      }
    >;
    readonly telemetry?: Record<string, unknown>;
  };
}

type Kind = "receivers" | "processors" | "exporters" | "extensions" | "connectors";

/**
 * Checks that a collector config is wired: every pipeline is `traces|metrics|logs[/name]`, has
 * receivers and exporters, and names only components that are defined (a connector counts as an
 * exporter of one pipeline and a receiver of another); every defined component is used, unless
 * listed in `unused` (`"exporters/debug"`) as deliberately idle. The collector itself refuses the
 * first kind of mistake at start-up (a crash loop on the cluster) and silently ignores the second.
 */
export function validateCollectorConfig(
  config: CollectorConfig,
  unused: readonly string[] = [],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const defined = (k: Kind) => new Set(Object.keys(config[k] ?? {}));
  const receivers = defined("receivers");
  const processors = defined("processors");
  const exporters = defined("exporters");
  const connectors = defined("connectors");
  const extensions = defined("extensions");
  const used = new Set<string>();
  const ref = (kind: Kind, id: string, path: (string | number)[], ok: boolean) => {
    used.add(`${kind}/${id}`);
    if (!ok) {
      out.push(
        diag(
          "SW_OTEL_UNDEFINED_COMPONENT",
          `${path.join(".")} names ${kind.slice(0, -1)} ${id}, which is not defined`,
          {
            path,
            hint: `Define ${id} under ${kind} (or connectors), or remove it from the pipeline.`,
          },
        ),
      );
    }
  };
  const pipelines = Object.entries(config.service.pipelines);
  if (pipelines.length === 0) {
    out.push(
      diag("SW_OTEL_NO_PIPELINES", "the collector config has no pipelines", {
        path: ["service", "pipelines"],
        hint: "Add a traces, metrics or logs pipeline.",
      }),
    );
  }
  for (const [id, p] of pipelines) {
    const base = ["service", "pipelines", id];
    if (!/^(traces|metrics|logs|profiles)(\/[^/]+)?$/.test(id)) {
      out.push(
        diag("SW_OTEL_PIPELINE_TYPE", `pipeline ${id} is not traces, metrics or logs[/name]`, {
          path: base,
          hint: "Name pipelines by their signal, such as traces or logs/nodes.",
        }),
      );
    }
    for (const field of ["receivers", "exporters"] as const) {
      if (p[field].length === 0) {
        out.push(
          diag("SW_OTEL_PIPELINE_EMPTY", `pipeline ${id} has no ${field}`, {
            path: [...base, field],
            hint: "A pipeline needs at least one receiver and one exporter.",
          }),
        );
      }
    }
    for (const [i, r] of p.receivers.entries()) {
      if (connectors.has(r)) used.add(`connectors/${r}`);
      else ref("receivers", r, [...base, "receivers", i], receivers.has(r));
    }
    for (const [i, r] of (p.processors ?? []).entries())
      ref("processors", r, [...base, "processors", i], processors.has(r));
    for (const [i, e] of p.exporters.entries()) {
      if (connectors.has(e)) used.add(`connectors/${e}`);
      else ref("exporters", e, [...base, "exporters", i], exporters.has(e));
    }
  }
  for (const [i, e] of (config.service.extensions ?? []).entries()) {
    ref("extensions", e, ["service", "extensions", i], extensions.has(e));
  }
  for (const kind of ["receivers", "processors", "exporters", "connectors", "extensions"] as const) {
    for (const id of defined(kind)) {
      const key = `${kind}/${id}`;
      if (used.has(key) || unused.includes(key)) continue;
      out.push(
        diag("SW_OTEL_UNUSED_COMPONENT", `${kind.slice(0, -1)} ${id} is defined but no pipeline uses it`, {
          path: [kind, id],
          hint: `Use it in a pipeline, remove it, or list "${key}" as deliberately unused.`,
        }),
      );
    }
  }
  return out;
}

/** The platform collector's config: OTLP in; logs → Loki, traces → Tempo, metrics → Prometheus. */
export function collectorConfig(
  endpoints: ObservabilityEndpoints,
  c: Pick<OtelConfig, "metrics">,
): CollectorConfig {
  const metricsExporter =
    c.metrics === "remote-write"
      ? {
          id: "prometheusremotewrite",
          config: {
            endpoint: endpoints.prometheus.remoteWrite,
            // Resource attributes (service.namespace, deployment.environment) as labels on every series.
            resource_to_telemetry_conversion: { enabled: true },
            tls: { insecure: true },
          },
        }
      : {
          id: "otlphttp/prometheus",
          // Prometheus serves OTLP at /api/v1/otlp/v1/metrics; the exporter appends /v1/metrics.
          config: { endpoint: endpoints.prometheus.otlpHttp, tls: { insecure: true } },
        };
  // memory_limiter first (refuse before buffering), k8sattributes before batch (batches mix pods).
  const processors = ["memory_limiter", "k8sattributes", "batch"];
  const receivers = ["otlp"];
  return {
    extensions: { health_check: { endpoint: "0.0.0.0:13133" } },
    receivers: {
      otlp: {
        protocols: {
          // Since 0.104 the default is localhost: a gateway must listen on the pod IP.
          grpc: { endpoint: `0.0.0.0:${OTEL_COLLECTOR.grpcPort}` },
          http: { endpoint: `0.0.0.0:${OTEL_COLLECTOR.httpPort}` },
        },
      },
    },
    processors: {
      memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 25 },
      k8sattributes: {
        auth_type: "serviceAccount",
        passthrough: false,
        extract: {
          metadata: [
            "k8s.namespace.name",
            "k8s.pod.name",
            "k8s.pod.uid",
            "k8s.deployment.name",
            "k8s.node.name",
            "k8s.container.name",
          ],
        },
        // Agents and SDKs send straight to the gateway: the pod is the peer of the connection,
        // unless the Java agent already named it (k8s.pod.uid / k8s.pod.ip resource attributes).
        // Alloy forwards other pods' and the node's logs: its own pod is not their source.
        exclude: { pods: [{ name: "^alloy-[a-z0-9]+$" }] },
        pod_association: [
          { sources: [{ from: "resource_attribute", name: "k8s.pod.uid" }] },
          { sources: [{ from: "resource_attribute", name: "k8s.pod.ip" }] },
          { sources: [{ from: "connection" }] },
        ],
      },
      batch: { send_batch_size: 8192, send_batch_max_size: 16384, timeout: "5s" },
    },
    exporters: {
      // Loki 3 ingests OTLP at /otlp/v1/logs; resource attributes become structured metadata.
      "otlphttp/loki": { endpoint: endpoints.loki.otlpHttp, tls: { insecure: true } },
      "otlp/tempo": { endpoint: endpoints.tempo.otlpGrpc, tls: { insecure: true } },
      [metricsExporter.id]: metricsExporter.config,
    },
    service: {
      extensions: ["health_check"],
      pipelines: {
        logs: { receivers, processors, exporters: ["otlphttp/loki"] },
        traces: { receivers, processors, exporters: ["otlp/tempo"] },
        metrics: { receivers, processors, exporters: [metricsExporter.id] },
      },
    },
  };
}

/** The `OpenTelemetryCollector` gateway (Deployment mode); the operator derives Service ports from the receivers. */
export function collectorObject(config: CollectorConfig, c: Pick<OtelConfig, "metrics">): K8sObject {
  return {
    apiVersion: "opentelemetry.io/v1beta1",
    kind: "OpenTelemetryCollector",
    metadata: {
      name: COLLECTOR_CR_NAME,
      namespace: OTEL_NAMESPACE,
      labels: { "app.kubernetes.io/part-of": "otel" },
    },
    spec: {
      mode: "deployment",
      replicas: 1,
      image: c.metrics === "remote-write" ? COLLECTOR_IMAGES.contrib : COLLECTOR_IMAGES.k8s,
      resources: resourcesValue(COLLECTOR_RESOURCES),
      // The Go runtime collects before the container limit, well under memory_limiter's ceiling.
      env: [{ name: "GOMEMLIMIT", value: "200MiB" }],
      podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
      securityContext: {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
      },
      config,
    },
  };
}

/** k8sattributes reads pods, namespaces and replicasets (the Deployment name is the ReplicaSet's owner). */
export function collectorRbac(): K8sObject[] {
  const name = "otel-collector-k8sattributes";
  return [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name },
      rules: [
        { apiGroups: [""], resources: ["pods", "namespaces"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["apps"], resources: ["replicasets"], verbs: ["get", "list", "watch"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
      // The operator creates the collector's ServiceAccount as `<name>-collector`.
      subjects: [{ kind: "ServiceAccount", name: COLLECTOR_SERVICE, namespace: OTEL_NAMESPACE }],
    },
  ];
}
