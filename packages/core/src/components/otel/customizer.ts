import { parseImage } from "../../render/image.js";
import type { WorkloadCustomizer } from "../services/workload.js";
import { JAVA_INSTRUMENTATION, OTEL_COLLECTOR, otelSettings } from "./contract.js";

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

/**
 * With otel enabled, every service exports OTLP to the platform collector with no per-app code:
 * the endpoint (OTLP/HTTP on 4318, the protocol the Java agent and most SDKs default to, set
 * explicitly), its service name and resource attributes. A service's own `env` wins. `runtime: java`
 * services also get the operator's Java agent through the injection annotation.
 */
export const otelCustomizer: WorkloadCustomizer = {
  id: "otel",
  applies: (_service, platform) => platform.components.otel?.enabled === true,
  customize(m) {
    const s = m.service;
    const c = otelSettings(m.platform);
    const version = imageTag(s.image);
    const attrs: [string, string][] = [
      ["service.namespace", s.namespace],
      ["deployment.environment", c.environment],
      // The stable semantic-conventions name (1.27+) beside the older one dashboards still use.
      ["deployment.environment.name", c.environment],
      ...(version ? ([["service.version", version]] as [string, string][]) : []),
    ];
    const set = (name: string, value: string) => {
      if (!m.env.has(name)) m.env.set(name, { value });
    };
    set("OTEL_EXPORTER_OTLP_ENDPOINT", OTEL_COLLECTOR.http);
    set("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
    set("OTEL_SERVICE_NAME", s.name);
    set("OTEL_RESOURCE_ATTRIBUTES", resourceAttributes(attrs));
    if (s.runtime === "java") m.podAnnotations[JAVA_INSTRUMENTATION.annotation] = JAVA_INSTRUMENTATION.value;
  },
};
