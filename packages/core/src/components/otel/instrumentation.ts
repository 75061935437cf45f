import type { K8sObject } from "../../render/k8s.js";
import { JAVA_INSTRUMENTATION, OTEL_COLLECTOR, type OtelConfig } from "./contract.js";

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
