import type { BudgetEntry } from "../../render/component.js";
import { budgetEntry, type Resources, resourcesValue } from "../../render/resources.js";
import { type AlloyBlock, ref, toAlloy } from "./alloy-syntax.js";
import { OTEL_COLLECTOR } from "./contract.js";

/**
 * Grafana Alloy chart 1.11.1 (app v1.18.1). The chart ships no values.schema.json (only
 * values.yaml is in ../shared/upstream), so its values are not schema-checked: keys are taken from
 * that values.yaml and covered by a test that they exist there.
 */
export const ALLOY_CHART = {
  repoURL: "https://grafana.github.io/helm-charts",
  chart: "alloy",
  version: "1.11.1",
  schemaRef: "helm-alloy/1.11.1",
  imageTag: "v1.18.1",
} as const;

export const ALLOY_RESOURCES: Resources = {
  requests: { cpu: "20m", memory: "64Mi" },
  limits: { memory: "192Mi" },
};
export const ALLOY_RELOADER_RESOURCES: Resources = {
  requests: { cpu: "5m", memory: "16Mi" },
  limits: { memory: "32Mi" },
};

/** Where the node's logs are, as mounted by the chart's `alloy.mounts.varlog` (hostPath /var/log). */
const JOURNAL_PATH = "/var/log/journal";
const POD_LOGS_GLOB = "/var/log/pods/*/*/*.log";

/**
 * Node logs to the collector: the systemd journal (k3s, containerd, kubelet) and every container's
 * log file under /var/log/pods (namespace, pod and container taken from the path), converted to
 * OTLP and sent to the gateway collector, which routes them to Loki like every other log.
 */
export function alloyConfig(): string {
  const toOtlp = [ref("otelcol.receiver.loki.default.receiver")];
  const blocks: AlloyBlock[] = [
    {
      name: "loki.relabel",
      label: "journal",
      attrs: [["forward_to", []]],
      blocks: [
        {
          name: "rule",
          attrs: [
            ["source_labels", ["__journal__systemd_unit"]],
            ["target_label", "unit"],
          ],
        },
        {
          name: "rule",
          attrs: [
            ["source_labels", ["__journal__hostname"]],
            ["target_label", "node"],
          ],
        },
        {
          name: "rule",
          attrs: [
            ["source_labels", ["__journal_priority_keyword"]],
            ["target_label", "level"],
          ],
        },
      ],
    },
    {
      name: "loki.source.journal",
      label: "node",
      attrs: [
        ["path", JOURNAL_PATH],
        ["max_age", "12h"],
        ["labels", { source: "journal" }],
        ["relabel_rules", ref("loki.relabel.journal.rules")],
        ["forward_to", toOtlp],
      ],
    },
    {
      name: "local.file_match",
      label: "pods",
      attrs: [["path_targets", [{ __path__: POD_LOGS_GLOB, source: "pods" }]]],
    },
    {
      name: "loki.source.file",
      label: "pods",
      attrs: [
        ["targets", ref("local.file_match.pods.targets")],
        ["forward_to", [ref("loki.process.pods.receiver")]],
      ],
    },
    {
      name: "loki.process",
      label: "pods",
      attrs: [["forward_to", toOtlp]],
      blocks: [
        // containerd writes the CRI format: timestamp, stream, partial flag, message.
        { name: "stage.cri" },
        {
          name: "stage.regex",
          attrs: [
            ["source", "filename"],
            ["expression", "^/var/log/pods/(?P<namespace>[^_]+)_(?P<pod>[^_]+)_[^/]+/(?P<container>[^/]+)/"],
          ],
        },
        { name: "stage.labels", attrs: [["values", { namespace: "", pod: "", container: "" }]] },
      ],
    },
    {
      name: "otelcol.receiver.loki",
      label: "default",
      blocks: [{ name: "output", attrs: [["logs", [ref("otelcol.exporter.otlphttp.collector.input")]]] }],
    },
    {
      name: "otelcol.exporter.otlphttp",
      label: "collector",
      blocks: [{ name: "client", attrs: [["endpoint", OTEL_COLLECTOR.http]] }],
    },
  ];
  return toAlloy(blocks);
}

/** Chart values: a DaemonSet reading /var/log, no Kubernetes API access (file discovery only). */
export function alloyValues(): Record<string, unknown> {
  return {
    image: { tag: ALLOY_CHART.imageTag },
    // The PodLogs CRD serves Kubernetes-API discovery, which this config does not use.
    crds: { create: false },
    rbac: { create: false },
    serviceAccount: { automountServiceAccountToken: false },
    controller: { type: "daemonset" },
    alloy: {
      configMap: { create: true, content: alloyConfig() },
      mounts: { varlog: true },
      // No usage reports leave a personal cluster.
      enableReporting: false,
      resources: resourcesValue(ALLOY_RESOURCES),
    },
    configReloader: { resources: resourcesValue(ALLOY_RELOADER_RESOURCES) },
  };
}

/** One Alloy pod per node: the DaemonSet's budget scales with the platform's nodes. */
export function alloyBudget(nodes: number): BudgetEntry[] {
  return [
    budgetEntry("alloy", nodes, ALLOY_RESOURCES),
    budgetEntry("alloy-config-reloader", nodes, ALLOY_RELOADER_RESOURCES),
  ];
}
