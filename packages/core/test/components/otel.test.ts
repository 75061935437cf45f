import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { check } from "../../src/check/check.js";
import { components } from "../../src/components/index.js";
import { alloyConfig, alloyValues } from "../../src/components/otel/alloy.js";
import { alloyString, ref, toAlloy } from "../../src/components/otel/alloy-syntax.js";
import { type CollectorConfig, validateCollectorConfig } from "../../src/components/otel/collector.js";
import { otelConfig, resourceAttributes } from "../../src/components/otel/contract.js";
import { imageTag, otelCustomizer } from "../../src/components/otel/customizer.js";
import { JAVA_INSTRUMENTATION, OTEL_COLLECTOR } from "../../src/components/otel/index.js";
import { operatorValues } from "../../src/components/otel/operator.js";
import { renderWorkload, workloadModel } from "../../src/components/services/workload.js";
import type { ServiceSpec } from "../../src/config/schema.js";
import type { K8sObject } from "../../src/render/k8s.js";
import { renderComponents } from "../helpers/component-fixture.js";
import {
  chartValidator,
  coreValidator,
  crdValidator,
  helmMerge,
  SCHEMA_DIR,
  validationErrors,
} from "../helpers/strict-schema.js";

const COLLECTOR_CRD = "opentelemetry-operator/v0.158.0/opentelemetry.io_opentelemetrycollectors.yaml";
const INSTRUMENTATION_CRD = "opentelemetry-operator/v0.158.0/opentelemetry.io_instrumentations.yaml";

type Obj = K8sObject & { spec: any };

function validator(o: K8sObject) {
  if (o.kind === "OpenTelemetryCollector") return crdValidator(COLLECTOR_CRD, o.apiVersion, o.kind);
  if (o.kind === "Instrumentation") return crdValidator(INSTRUMENTATION_CRD, o.apiVersion, o.kind);
  return coreValidator(o);
}

describe("otel component", () => {
  const tree = renderComponents({ otel: { enabled: true } });
  const apps = tree.session.apps.filter((a) => a.owner === "otel");
  const manifests = tree.objects("k8s/helm/manifests/otel/") as Obj[];
  const collector = manifests.find((o) => o.kind === "OpenTelemetryCollector") as Obj;
  const instrumentation = manifests.find((o) => o.kind === "Instrumentation") as Obj;

  it("renders the operator, the collector and Alloy as Applications in monitoring, in that order", () => {
    expect(apps.map((a) => [a.spec.name, a.spec.namespace, a.wave - (apps[0]?.wave ?? 0)])).toEqual([
      ["otel-operator", "monitoring", 0],
      ["otel", "monitoring", 1],
      ["grafana-alloy", "monitoring", 2],
    ]);
    expect(apps[0]?.spec.crds).toEqual(["opentelemetry.io"]);
    for (const a of apps) expect(a.spec.budget?.length).toBeGreaterThan(0);
    expect(tree.files.has("k8s/helm/values/otel-operator.yaml")).toBe(true);
    expect(tree.files.has("k8s/helm/values/grafana-alloy.yaml")).toBe(true);
  });

  it("declares monitoring in project platform, opted out of the mesh", () => {
    const ns = tree.session.plan.namespaces.get("monitoring");
    expect(ns?.project).toBe("platform");
    expect(ns?.labels).toMatchObject({ "slipway.dev/mesh": "false" });
  });

  it("names the collector so its Service is otel-collector.monitoring.svc", () => {
    expect(collector.metadata).toMatchObject({ name: "otel", namespace: "monitoring" });
    expect(collector.spec.mode).toBe("deployment");
    expect(OTEL_COLLECTOR).toMatchObject({
      grpc: "http://otel-collector.monitoring.svc:4317",
      http: "http://otel-collector.monitoring.svc:4318",
    });
    expect(collector.spec.config.receivers.otlp.protocols).toEqual({
      grpc: { endpoint: "0.0.0.0:4317" },
      http: { endpoint: "0.0.0.0:4318" },
    });
  });

  it("routes logs to Loki (OTLP), traces to Tempo, metrics to Prometheus, through the three processors", () => {
    const c = collector.spec.config;
    const processors = ["memory_limiter", "k8sattributes", "batch"];
    expect(c.service.pipelines).toEqual({
      logs: { receivers: ["otlp"], processors, exporters: ["otlphttp/loki"] },
      traces: { receivers: ["otlp"], processors, exporters: ["otlp/tempo"] },
      metrics: { receivers: ["otlp"], processors, exporters: ["otlphttp/prometheus"] },
    });
    expect(c.exporters["otlphttp/loki"].endpoint).toBe("http://loki.monitoring.svc.cluster.local:3100/otlp");
    expect(c.exporters["otlp/tempo"].endpoint).toBe("http://tempo.monitoring.svc.cluster.local:4317");
    expect(c.exporters["otlphttp/prometheus"].endpoint).toBe(
      "http://prometheus.monitoring.svc.cluster.local:9090/api/v1/otlp",
    );
    expect(validateCollectorConfig(c)).toEqual([]);
  });

  it("gives k8sattributes read access to pods, namespaces and replicasets for the collector's account", () => {
    const role = manifests.find((o) => o.kind === "ClusterRole") as any;
    const binding = manifests.find((o) => o.kind === "ClusterRoleBinding") as any;
    expect(role.rules).toEqual([
      { apiGroups: [""], resources: ["pods", "namespaces"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["apps"], resources: ["replicasets"], verbs: ["get", "list", "watch"] },
    ]);
    expect(binding.subjects).toEqual([
      { kind: "ServiceAccount", name: "otel-collector", namespace: "monitoring" },
    ]);
  });

  it("instruments Java with a pinned agent, the HTTP endpoint, W3C propagators and a ratio sampler", () => {
    expect(instrumentation.metadata).toMatchObject({ name: "java", namespace: "monitoring" });
    expect(instrumentation.spec).toMatchObject({
      exporter: { endpoint: "http://otel-collector.monitoring.svc:4318" },
      propagators: ["tracecontext", "baggage"],
      sampler: { type: "parentbased_traceidratio", argument: "1" },
      java: { image: expect.stringMatching(/autoinstrumentation-java:\d+\.\d+\.\d+$/) },
    });
    const tuned = renderComponents({ otel: { enabled: true, traceSampleRatio: 0.25 } });
    const i = tuned.objects("k8s/helm/manifests/otel/").find((o) => o.kind === "Instrumentation") as Obj;
    expect(i.spec.sampler.argument).toBe("0.25");
  });

  it("every rendered object validates strictly against its CRD or core schema", () => {
    expect(manifests.length).toBe(4);
    for (const o of manifests)
      expect(validationErrors(validator(o), o), `${o.kind}/${o.metadata.name}`).toEqual([]);
  });

  it("operator values validate against the chart's schema, with either certificate source", () => {
    const { validate, defaults } = chartValidator("helm-opentelemetry-operator/0.122.0");
    for (const cm of [false, true]) {
      const merged = helmMerge(defaults, operatorValues(cm)) as any;
      // Helm deletes keys set to null; the helper does not.
      const ann = merged.admissionWebhooks.secretAnnotations;
      for (const k of Object.keys(ann)) if (ann[k] === null) delete ann[k];
      expect(validationErrors(validate, merged)).toEqual([]);
    }
    expect(operatorValues(false)).toMatchObject({
      admissionWebhooks: { certManager: { enabled: false }, autoGenerateCert: { enabled: true } },
    });
    expect(operatorValues(true)).toMatchObject({
      admissionWebhooks: { certManager: { enabled: true }, autoGenerateCert: { enabled: false } },
    });
  });

  it("keeps the generated webhook certificate stable under Argo CD (no hook, ignored diffs respected)", () => {
    // As Argo CD reads them: from the rendered Application.
    const [op] = tree.objects("argocd/applications/otel-operator.yaml") as Obj[];
    expect(op?.spec.syncPolicy.syncOptions).toContain("RespectIgnoreDifferences=true");
    expect(op?.spec.ignoreDifferences?.map((d: Obj) => d.kind)).toEqual([
      "MutatingWebhookConfiguration",
      "ValidatingWebhookConfiguration",
      "CustomResourceDefinition",
      "Secret",
    ]);
  });

  it("uses cert-manager for the webhook certificate when it is enabled", () => {
    const t = renderComponents({
      otel: { enabled: true },
      vault: { enabled: true },
      "cert-manager": { enabled: true },
    });
    const op = t.session.apps.find((a) => a.spec.name === "otel-operator");
    expect(op?.spec.helm?.values).toMatchObject({ admissionWebhooks: { certManager: { enabled: true } } });
    const [application] = t.objects("argocd/applications/otel-operator.yaml") as Obj[];
    expect(application?.spec.ignoreDifferences.map((d: Obj) => d.kind)).toEqual([
      "MutatingWebhookConfiguration",
      "ValidatingWebhookConfiguration",
      "CustomResourceDefinition",
    ]);
  });

  it("switches metrics to remote write (and the contrib image) on request", () => {
    const t = renderComponents({ otel: { enabled: true, metrics: "remote-write" } });
    const c = t.objects("k8s/helm/manifests/otel/").find((o) => o.kind === "OpenTelemetryCollector") as Obj;
    expect(c.spec.image).toMatch(/opentelemetry-collector-contrib:0\.158\.0$/);
    expect(c.spec.config.service.pipelines.metrics.exporters).toEqual(["prometheusremotewrite"]);
    expect(c.spec.config.exporters.prometheusremotewrite.endpoint).toBe(
      "http://prometheus.monitoring.svc.cluster.local:9090/api/v1/write",
    );
    expect(validateCollectorConfig(c.spec.config)).toEqual([]);
  });

  it("follows deployed backends", () => {
    const t = renderComponents({
      otel: { enabled: true },
      observability: { loki: { mode: "deploy" }, tempo: { mode: "deploy" }, prometheus: { mode: "deploy" } },
    });
    const c = t.objects("k8s/helm/manifests/otel/").find((o) => o.kind === "OpenTelemetryCollector") as Obj;
    expect(c.spec.config.exporters["otlphttp/prometheus"].endpoint).toBe(
      "http://prometheus-server.monitoring.svc.cluster.local/api/v1/otlp",
    );
    const waves = new Map(t.session.apps.map((a) => [a.spec.name, a.wave]));
    expect(waves.get("otel") as number).toBeGreaterThan(waves.get("loki") as number);
  });

  it("the whole tree passes slipway check with otel on", async () => {
    const t = renderComponents({ otel: { enabled: true } });
    const r = await check(
      {
        files: [...t.files].map(([path, content]) => ({ path, content, owner: "test" })),
        apps: t.session.apps,
      },
      { schemaDir: SCHEMA_DIR, kubernetesVersion: "1.32" },
    );
    expect(r.diagnostics.map((d) => `${d.code} ${d.location?.file}: ${d.message}`)).toEqual([]);
  });
});

describe("validateCollectorConfig", () => {
  const good: CollectorConfig = {
    receivers: { otlp: {} },
    processors: { batch: {} },
    exporters: { "otlp/tempo": {} },
    service: {
      pipelines: { traces: { receivers: ["otlp"], processors: ["batch"], exporters: ["otlp/tempo"] } },
    },
  };
  const codes = (c: CollectorConfig, unused: string[] = []) =>
    validateCollectorConfig(c, unused).map((d) => [d.code, d.path.join(".")]);

  it("accepts a wired config", () => expect(codes(good)).toEqual([]));

  it("reports receivers, processors and exporters a pipeline names but nobody defines", () => {
    expect(
      codes({
        ...good,
        service: {
          pipelines: {
            traces: { receivers: ["otlp", "jaeger"], processors: ["batch", "tail"], exporters: ["otlp"] },
          },
        },
      }),
    ).toEqual([
      ["SW_OTEL_UNDEFINED_COMPONENT", "service.pipelines.traces.receivers.1"],
      ["SW_OTEL_UNDEFINED_COMPONENT", "service.pipelines.traces.processors.1"],
      ["SW_OTEL_UNDEFINED_COMPONENT", "service.pipelines.traces.exporters.0"],
      ["SW_OTEL_UNUSED_COMPONENT", "exporters.otlp/tempo"],
    ]);
  });

  it("reports defined components no pipeline uses, unless deliberately unused", () => {
    const c = { ...good, exporters: { ...good.exporters, debug: {} }, extensions: { pprof: {} } };
    expect(codes(c)).toEqual([
      ["SW_OTEL_UNUSED_COMPONENT", "exporters.debug"],
      ["SW_OTEL_UNUSED_COMPONENT", "extensions.pprof"],
    ]);
    expect(codes(c, ["exporters/debug", "extensions/pprof"])).toEqual([]);
  });

  it("reports undefined extensions, empty pipelines, unknown signal names and no pipelines", () => {
    expect(
      codes({
        ...good,
        service: {
          extensions: ["health_check"],
          pipelines: {
            traces: good.service.pipelines.traces as any,
            spans: { receivers: [], exporters: ["otlp/tempo"] },
          },
        },
      }),
    ).toEqual([
      ["SW_OTEL_PIPELINE_TYPE", "service.pipelines.spans"],
      ["SW_OTEL_PIPELINE_EMPTY", "service.pipelines.spans.receivers"],
      ["SW_OTEL_UNDEFINED_COMPONENT", "service.extensions.0"],
    ]);
    expect(codes({ ...good, service: { pipelines: {} } })[0]).toEqual([
      "SW_OTEL_NO_PIPELINES",
      "service.pipelines",
    ]);
  });

  it("counts a connector as the exporter of one pipeline and the receiver of another", () => {
    const c: CollectorConfig = {
      ...good,
      exporters: { ...good.exporters, "otlphttp/prometheus": {} },
      connectors: { spanmetrics: {} },
      service: {
        pipelines: {
          traces: { receivers: ["otlp"], exporters: ["otlp/tempo", "spanmetrics"] },
          metrics: { receivers: ["spanmetrics"], exporters: ["otlphttp/prometheus"] },
        },
      },
    };
    expect(codes(c)).toEqual([["SW_OTEL_UNUSED_COMPONENT", "processors.batch"]]);
  });
});

describe("otel customizer", () => {
  // As loadSpec leaves it: the component's config with its defaults applied.
  const platform = (enabled: boolean, extra: Record<string, unknown> = {}) =>
    ({ components: { otel: { enabled, ...otelConfig.parse(extra) } } }) as any;
  const service = (over: Partial<ServiceSpec> = {}): ServiceSpec =>
    ({
      name: "notes",
      namespace: "notes",
      image: "ghcr.io/meirongdev/notes:1.4.2",
      port: 8080,
      runtime: "java",
      env: {},
      secrets: [],
      database: false,
      replicas: 1,
      resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
      health: { liveness: "/healthz", readiness: "/readyz" },
      auth: "none",
      mesh: { l7: false, callers: [] },
      dependsOn: [],
      exposure: "public",
      owner: "x",
      file: "services/notes.yaml",
      ...over,
    }) as ServiceSpec;

  it("applies only when otel is enabled", () => {
    expect(otelCustomizer.applies(service(), platform(true))).toBe(true);
    expect(otelCustomizer.applies(service(), platform(false))).toBe(false);
  });

  it("gives a Java service the OTLP env and the injection annotation, rendered into its Deployment", () => {
    const m = workloadModel(service(), platform(true, { environment: "homelab" }), [otelCustomizer]);
    const [, deployment] = renderWorkload(m) as Obj[];
    const pod = deployment?.spec.template;
    expect(pod.metadata.annotations).toEqual({
      "instrumentation.opentelemetry.io/inject-java": "monitoring/java",
    });
    expect(JAVA_INSTRUMENTATION.value).toBe("monitoring/java");
    expect(pod.spec.containers[0].env).toEqual([
      { name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: "http://otel-collector.monitoring.svc:4318" },
      { name: "OTEL_EXPORTER_OTLP_PROTOCOL", value: "http/protobuf" },
      {
        name: "OTEL_RESOURCE_ATTRIBUTES",
        value:
          "service.namespace=notes,deployment.environment=homelab,deployment.environment.name=homelab,service.version=1.4.2",
      },
      { name: "OTEL_SERVICE_NAME", value: "notes" },
    ]);
    expect(validationErrors(coreValidator(deployment as Obj), deployment)).toEqual([]);
  });

  it("gives other runtimes the env but no annotation, and keeps a service's own values", () => {
    const m = workloadModel(
      service({ runtime: "node", env: { OTEL_SERVICE_NAME: "custom" }, image: "ghcr.io/o/x@sha256:abc" }),
      platform(true),
      [otelCustomizer],
    );
    expect(m.podAnnotations).toEqual({});
    expect(m.env.get("OTEL_SERVICE_NAME")).toEqual({ value: "custom" });
    expect(m.env.get("OTEL_RESOURCE_ATTRIBUTES")).toEqual({
      value:
        "service.namespace=notes,deployment.environment=production,deployment.environment.name=production",
    });
  });

  it("is pushed into the plan by the otel component and reaches a rendered service", () => {
    expect(components.some((c) => c.id === "otel")).toBe(true);
    const tree = renderComponents({ otel: { enabled: true } }, [], {
      notes: { image: "ghcr.io/meirongdev/notes:1.4.2", port: 8080 },
    });
    expect(tree.session.plan.workloadCustomizers).toContain(otelCustomizer);
    const deployment = tree.read<Obj>("k8s/helm/manifests/notes/deployment-notes.yaml");
    const env = deployment.spec.template.spec.containers[0].env as { name: string }[];
    expect(env.map((e) => e.name)).toContain("OTEL_EXPORTER_OTLP_ENDPOINT");
  });

  it("parses image tags and encodes attribute values", () => {
    expect(imageTag("registry:5000/o/app:2.0@sha256:ff")).toBe("2.0");
    expect(imageTag("registry:5000/o/app")).toBeUndefined();
    expect(resourceAttributes([["k", "a,b=c d"]])).toBe("k=a%2Cb%3Dc%20d");
  });
});

describe("Grafana Alloy", () => {
  it("serializes values with escaping, so no string can break out of its quotes", () => {
    expect(alloyString('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
    const text = toAlloy([
      {
        name: "x.y",
        label: "l",
        attrs: [
          ["s", '"} evil { "'],
          ["o", { "k k": ["v", 1, true] }],
          ["r", ref("a.b.c")],
        ],
      },
    ]);
    expect(text).toBe(
      'x.y "l" {\n  s = "\\"} evil { \\""\n  o = {\n    "k k" = ["v", 1, true],\n  }\n  r = a.b.c\n}\n',
    );
    expect(() => toAlloy([{ name: "x", label: 'bad"label' }])).toThrow();
    expect(() => ref("a.b; drop")).toThrow();
  });

  it("reads the journal and pod logs and forwards them to the collector over OTLP", () => {
    const config = alloyConfig();
    expect(config).toContain('loki.source.journal "node" {');
    expect(config).toContain('path = "/var/log/journal"');
    expect(config).toContain('"__path__" = "/var/log/pods/*/*/*.log"');
    expect(config).toContain('endpoint = "http://otel-collector.monitoring.svc:4318"');
    // Every component a config references is defined in it.
    const defined = new Set(
      [...config.matchAll(/^([a-z_.]+) "([a-z_]+)" \{/gm)].map((m) => `${m[1]}.${m[2]}`),
    );
    for (const [, r] of config.matchAll(/= \[?([a-z_.]+)\.(?:receiver|rules|targets|input)\b/g)) {
      expect(defined.has(r as string), r).toBe(true);
    }
  });

  it("sets only keys the chart's values.yaml has (the chart ships no schema)", () => {
    const defaults = parse(readFileSync(join(SCHEMA_DIR, "helm-alloy/1.11.1/values.yaml"), "utf8"));
    const missing: string[] = [];
    const walk = (v: unknown, d: unknown, path: string) => {
      if (v === null || typeof v !== "object" || Array.isArray(v)) return;
      for (const [k, x] of Object.entries(v)) {
        const dd = (d as Record<string, unknown> | null)?.[k];
        if (d === null || typeof d !== "object" || !(k in (d as object))) missing.push(`${path}${k}`);
        // A container's `resources` is a Kubernetes ResourceRequirements, not a chart-specific map.
        else if (k !== "resources" && dd !== null && typeof dd === "object" && Object.keys(dd).length > 0) {
          walk(x, dd, `${path}${k}.`);
        }
      }
    };
    walk(alloyValues(), defaults, "");
    expect(missing).toEqual([]);
  });

  it("can be turned off", () => {
    const t = renderComponents({ otel: { enabled: true, alloy: false } });
    expect(t.session.apps.some((a) => a.spec.name === "grafana-alloy")).toBe(false);
  });
});
