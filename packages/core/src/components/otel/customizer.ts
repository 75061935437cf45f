import { componentConfig } from "../../render/component.js";
import { parseImage } from "../../render/image.js";
import type { WorkloadCustomizer } from "../../render/workload.js";
import { JAVA_INSTRUMENTATION, OTEL_COLLECTOR } from "./contract.js";

/** The version part of an image reference (`ghcr.io/o/app:1.4.2@sha256:…` → `1.4.2`), undefined for digest-only references. */
export function imageTag(image: string): string | undefined {
  return parseImage(image).tag;
}

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
 * attributes. Services get it through {@link otelCustomizer}; the scaffold's Deployment directly.
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
 * With otel enabled, every service exports OTLP to the platform collector with no per-app code
 * ({@link otelEnv}). A service's own `env` wins. `runtime: java` services also get the operator's
 * Java agent through the injection annotation.
 */
export const otelCustomizer: WorkloadCustomizer = {
  id: "otel",
  applies: (_service, platform) => platform.components.otel?.enabled === true,
  customize(m) {
    const s = m.service;
    const { environment } = componentConfig(m.platform, "otel");
    const env = otelEnv({ name: s.name, namespace: s.namespace, environment, version: imageTag(s.image) });
    for (const [name, value] of Object.entries(env)) if (!m.env.has(name)) m.env.set(name, { value });
    if (s.runtime === "java") m.podAnnotations[JAVA_INSTRUMENTATION.annotation] = JAVA_INSTRUMENTATION.value;
  },
};
