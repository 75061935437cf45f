// The otel component's public module: the collector's address, the Java instrumentation, the env
// that points a workload at the collector, and the settings others read (docs/adr/0016-module-boundaries.md).

import { z } from "zod";
import type { K8sObject } from "../../render/k8s.js";

/**
 * What other components and every service rely on: where the collector listens, which
 * Instrumentation to ask for, and the component's config. Kept free of chart rendering and of
 * services/workload.ts, so the customizer can import values from here without an import cycle.
 */

/** Namespace of the collector, the Instrumentation, the operator and Alloy (not mesh-enrolled). */
export const OTEL_NAMESPACE = "monitoring";

/**
 * Name of the `OpenTelemetryCollector`. The operator names the Service `<name>-collector`, so
 * `otel` yields the seed's stable address `otel-collector.monitoring.svc`.
 */
export const COLLECTOR_CR_NAME = "otel";
export const COLLECTOR_SERVICE = `${COLLECTOR_CR_NAME}-collector`;
const COLLECTOR_HOST = `${COLLECTOR_SERVICE}.${OTEL_NAMESPACE}.svc`;

/** The OTLP endpoints of the platform collector, for services, the mesh and node agents. */
export const OTEL_COLLECTOR = {
  host: COLLECTOR_HOST,
  /** Fully qualified, for consumers that need it (Istio's extension providers). */
  fqdn: `${COLLECTOR_HOST}.cluster.local`,
  grpcPort: 4317,
  httpPort: 4318,
  /** OTLP/gRPC (`OTEL_EXPORTER_OTLP_PROTOCOL=grpc`). */
  grpc: `http://${COLLECTOR_HOST}:4317`,
  /** OTLP/HTTP (`http/protobuf`, the Java agent's default protocol since 2.0). */
  http: `http://${COLLECTOR_HOST}:4318`,
} as const;

/** The Java `Instrumentation`; pods ask for it across namespaces as `<namespace>/<name>`. */
export const JAVA_INSTRUMENTATION = {
  name: "java",
  namespace: OTEL_NAMESPACE,
  annotation: "instrumentation.opentelemetry.io/inject-java",
  value: `${OTEL_NAMESPACE}/java`,
} as const;

const label = z.string().regex(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, {
  error: "must be a short name such as production",
});

export const otelConfig = z.strictObject({
  /** `deployment.environment` of every service's telemetry. @default "production" */
  environment: label
    .default("production")
    .describe("deployment.environment resource attribute of every service"),
  /**
   * Ratio of new traces the Java agent samples (`parentbased_traceidratio`): a caller's decision
   * is always kept. @default 1
   */
  traceSampleRatio: z
    .number()
    .min(0)
    .max(1)
    .default(1)
    .describe("Ratio of root traces sampled by the Java agent (parentbased_traceidratio)"),
  /**
   * How metrics reach Prometheus: its OTLP receiver (v3, `--web.enable-otlp-receiver`) or the
   * remote-write receiver (needs the collector's contrib distribution). @default "otlp"
   */
  metrics: z
    .enum(["otlp", "remote-write"])
    .default("otlp")
    .describe("otlp: Prometheus's OTLP receiver; remote-write: its remote-write receiver"),
  /**
   * `deploy`: the platform's collector (an `OpenTelemetryCollector` the operator runs as
   * `otel-collector`). `existing`: a collector that is not Slipway's already serves OTLP at the
   * platform's collector address (`otel-collector.monitoring.svc`, 4317/4318); Slipway renders no
   * collector and sends everything there (ADR 0013). @default "deploy"
   */
  collector: z
    .enum(["deploy", "existing"])
    .default("deploy")
    .describe(
      "deploy: the platform's collector; existing: one already serving otel-collector.monitoring.svc",
    ),
  /** Grafana Alloy as a DaemonSet for node (journal) and pod logs, replacing Promtail. @default true */
  alloy: z.boolean().default(true).describe("Grafana Alloy DaemonSet for node and pod logs"),
});
export type OtelConfig = z.output<typeof otelConfig>;

/** OTEL_RESOURCE_ATTRIBUTES is a W3C-baggage-style list: values percent-encode `,` `=` `;` `%` and spaces. */
export function resourceAttributes(attrs: readonly (readonly [string, string])[]): string {
  const enc = (s: string) =>
    s.replace(/[%,;=\s"\\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
  return attrs.map(([k, v]) => `${k}=${enc(v)}`).join(",");
}

/** What a workload's OTEL_* env is built from. */
export interface OtelIdentity {
  /** `OTEL_SERVICE_NAME`. */
  readonly name: string;
  readonly namespace: string;
  /** The platform's `otel.environment`. */
  readonly environment: string;
  /** `service.version`, omitted when undefined (a digest-only image). */
  readonly version: string | undefined;
}

/**
 * The env that points a workload at the platform collector: the endpoint (OTLP/HTTP on 4318, the
 * protocol the Java agent and most SDKs default to, set explicitly), its service name and resource
 * attributes. Services get it through the otel workload customizer; the scaffold's Deployment directly.
 */
export function otelEnv(o: OtelIdentity): Record<string, string> {
  const attrs: [string, string][] = [
    ["service.namespace", o.namespace],
    ["deployment.environment", o.environment],
    // The stable semantic-conventions name (1.27+) beside the older one dashboards still use.
    ["deployment.environment.name", o.environment],
    ...(o.version ? ([["service.version", o.version]] as [string, string][]) : []),
  ];
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: OTEL_COLLECTOR.http,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
    OTEL_SERVICE_NAME: o.name,
    OTEL_RESOURCE_ATTRIBUTES: resourceAttributes(attrs),
  };
}

/**
 * The Java agent the operator injects, pinned to the version operator 0.158.0 ships as its
 * default (`autoinstrumentation-java=2.30.0` in its versions.txt).
 */
export const JAVA_AGENT_IMAGE =
  "ghcr.io/open-telemetry/opentelemetry-operator/autoinstrumentation-java:2.30.0";

/**
 * The `Instrumentation` every `runtime: java` service asks for by annotation. The exporter
 * endpoint is the collector's OTLP/HTTP port because the agent's default protocol is
 * http/protobuf: pointing it at 4317 would fail silently.
 */
export function javaInstrumentation(c: Pick<OtelConfig, "traceSampleRatio">): K8sObject {
  return {
    apiVersion: "opentelemetry.io/v1alpha1",
    kind: "Instrumentation",
    metadata: {
      name: JAVA_INSTRUMENTATION.name,
      namespace: JAVA_INSTRUMENTATION.namespace,
      labels: { "app.kubernetes.io/part-of": "otel" },
    },
    spec: {
      exporter: { endpoint: OTEL_COLLECTOR.http },
      propagators: ["tracecontext", "baggage"],
      sampler: { type: "parentbased_traceidratio", argument: String(c.traceSampleRatio) },
      resource: { addK8sUIDAttributes: true },
      java: {
        image: JAVA_AGENT_IMAGE,
        // The init container only copies the agent jar into a shared emptyDir.
        resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
        env: [
          // Logs and metrics go through OTLP too: one exporter for every signal.
          { name: "OTEL_LOGS_EXPORTER", value: "otlp" },
          { name: "OTEL_METRICS_EXPORTER", value: "otlp" },
          { name: "OTEL_EXPORTER_OTLP_PROTOCOL", value: "http/protobuf" },
        ],
      },
      // Services run non-root with a read-only root filesystem; the init container must too.
      initContainerSecurityContext: {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      },
    },
  };
}
