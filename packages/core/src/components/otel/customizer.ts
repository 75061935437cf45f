import { componentConfig } from "../../render/component.js";
import { parseImage } from "../../render/image.js";
import type { WorkloadCustomizer } from "../../render/workload.js";
import { JAVA_INSTRUMENTATION, otelEnv } from "./contract.js";

/** The version part of an image reference (`ghcr.io/o/app:1.4.2@sha256:…` → `1.4.2`), undefined for digest-only references. */
export function imageTag(image: string): string | undefined {
  return parseImage(image).tag;
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
