// The observability component's public module: where its backends listen (docs/adr/0016-module-boundaries.md).
import { z } from "zod";
import type { PlatformSpec } from "../../config/schema.js";
import { componentConfig } from "../../render/component.js";

/**
 * The contract for sending telemetry to the platform's backends (the OTel collector of P3 reads
 * it). Kept apart from the component so importing it does not pull chart rendering.
 */
export const OBSERVABILITY_NAMESPACE = "monitoring";

const httpUrl = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ""));
const volume = z
  .string()
  .regex(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti)$/, { error: "must be a volume size such as 10Gi" });

/** Loki, Prometheus, Grafana: an existing instance by URL, or deployed from its chart. */
const backend = (defaultUrl: string, defaultSize: string) =>
  z
    .discriminatedUnion("mode", [
      z.strictObject({
        mode: z.literal("existing"),
        /** Base URL of the existing ${name}, reachable from the cluster. */
        url: httpUrl,
      }),
      z.strictObject({ mode: z.literal("deploy"), storageSize: volume.default(defaultSize) }),
    ])
    .default({ mode: "existing", url: defaultUrl });

export const observabilityConfig = z.strictObject({
  /** Base URL (`http://loki:3100`) or deployed single-binary Loki. */
  loki: backend(`http://loki.${OBSERVABILITY_NAMESPACE}.svc.cluster.local:3100`, "10Gi").describe(
    "existing: Loki at url; deploy: single-binary Loki from its chart",
  ),
  /** Tempo's query URL; OTLP ports default to 4317 (gRPC) and 4318 (HTTP) on the same host. */
  tempo: z
    .discriminatedUnion("mode", [
      z.strictObject({
        mode: z.literal("existing"),
        url: httpUrl,
        otlpGrpc: httpUrl.optional(),
        otlpHttp: httpUrl.optional(),
      }),
      z.strictObject({ mode: z.literal("deploy"), storageSize: volume.default("10Gi") }),
    ])
    .default({ mode: "existing", url: `http://tempo.${OBSERVABILITY_NAMESPACE}.svc.cluster.local:3200` })
    .describe("existing: Tempo at url (OTLP on 4317/4318 unless set); deploy: from its chart"),
  /** Base URL of Prometheus (v3: remote-write and OTLP receivers enabled). */
  prometheus: backend(`http://prometheus.${OBSERVABILITY_NAMESPACE}.svc.cluster.local:9090`, "10Gi").describe(
    "existing: Prometheus v3 at url; deploy: from its chart",
  ),
  grafana: backend(`http://grafana.${OBSERVABILITY_NAMESPACE}.svc.cluster.local`, "2Gi").describe(
    "existing: Grafana at url; deploy: from its chart, with SSO when spec.access names it",
  ),
});
export type ObservabilityConfig = z.output<typeof observabilityConfig>;

/** In-cluster base URLs of the deployed charts (release name = application name). */
export const DEPLOYED_URLS = {
  loki: `http://loki.${OBSERVABILITY_NAMESPACE}.svc.cluster.local:3100`,
  tempo: `http://tempo.${OBSERVABILITY_NAMESPACE}.svc.cluster.local:3200`,
  prometheus: `http://prometheus-server.${OBSERVABILITY_NAMESPACE}.svc.cluster.local`,
  grafana: `http://grafana.${OBSERVABILITY_NAMESPACE}.svc.cluster.local`,
} as const;

export interface ObservabilityEndpoints {
  readonly loki: {
    readonly url: string;
    /** OTLP/HTTP logs (`otlphttp` exporter endpoint; Loki serves `/otlp/v1/logs`). */
    readonly otlpHttp: string;
    readonly push: string;
  };
  readonly tempo: {
    readonly url: string;
    /** OTLP/gRPC (`otlp` exporter endpoint, `host:port` form without a scheme is also accepted). */
    readonly otlpGrpc: string;
    readonly otlpHttp: string;
  };
  readonly prometheus: {
    readonly url: string;
    /** Prometheus remote-write receiver. */
    readonly remoteWrite: string;
    /** OTLP/HTTP metrics (`otlphttp` exporter endpoint; Prometheus serves `/api/v1/otlp/v1/metrics`). */
    readonly otlpHttp: string;
  };
  readonly grafana: { readonly url: string };
}

function withPort(url: string, port: number): string {
  const u = new URL(url);
  return `${u.protocol}//${u.hostname}:${port}`;
}

/**
 * Where telemetry goes, whichever way each backend is provided. Reads the config of the
 * observability component from the platform (defaults applied by the schema).
 */
export function observabilityEndpoints(platform: PlatformSpec): ObservabilityEndpoints {
  const c = componentConfig(platform, "observability");
  const loki = c.loki.mode === "existing" ? c.loki.url : DEPLOYED_URLS.loki;
  const tempo = c.tempo.mode === "existing" ? c.tempo.url : DEPLOYED_URLS.tempo;
  const prometheus = c.prometheus.mode === "existing" ? c.prometheus.url : DEPLOYED_URLS.prometheus;
  const grafana = c.grafana.mode === "existing" ? c.grafana.url : DEPLOYED_URLS.grafana;
  return {
    loki: { url: loki, otlpHttp: `${loki}/otlp`, push: `${loki}/loki/api/v1/push` },
    tempo: {
      url: tempo,
      otlpGrpc: (c.tempo.mode === "existing" ? c.tempo.otlpGrpc : undefined) ?? withPort(tempo, 4317),
      otlpHttp: (c.tempo.mode === "existing" ? c.tempo.otlpHttp : undefined) ?? withPort(tempo, 4318),
    },
    prometheus: {
      url: prometheus,
      remoteWrite: `${prometheus}/api/v1/write`,
      otlpHttp: `${prometheus}/api/v1/otlp`,
    },
    grafana: { url: grafana },
  };
}
