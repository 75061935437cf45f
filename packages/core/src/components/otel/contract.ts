import { z } from "zod";

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
