import { InputError } from "../../diagnostics.js";
import { app, type ConfigOf, defineComponent } from "../../render/component.js";
import { budgetEntry } from "../../render/resources.js";
import { PSA_PREFIX } from "../argocd/contract.js";
import { observabilityEndpoints } from "../observability/contract.js";
import { ALLOY_CHART, alloyBudget, alloyValues } from "./alloy.js";
import {
  COLLECTOR_RESOURCES,
  collectorConfig,
  collectorObject,
  collectorRbac,
  validateCollectorConfig,
} from "./collector.js";
import { COLLECTOR_SERVICE, javaInstrumentation, OTEL_NAMESPACE, otelConfig } from "./contract.js";
import { otelCustomizer } from "./customizer.js";
import { OPERATOR_CHART, operatorApp } from "./operator.js";

export { validateCollectorConfig } from "./collector.js";
export { JAVA_INSTRUMENTATION, OTEL_COLLECTOR, OTEL_NAMESPACE } from "./contract.js";

/**
 * A marker for people and tools reading the cluster: `monitoring` stays out of the mesh (seed P4).
 * Nothing reads it back; the istio component keeps the namespace out by name (istio/mesh.ts
 * `NEVER_ENROLLED`), whether or not otel is enabled.
 */
const MESH_OPT_OUT_LABEL = { key: "slipway.dev/mesh", value: "false" } as const;

export const otel = defineComponent({
  id: "otel",
  description: "OpenTelemetry Operator, Collector, Java instrumentation and Grafana Alloy",
  dependsOn: ["argocd"],
  // Backends first when deployed; cert-manager first when it issues the webhook certificate.
  after: ["observability", "cert-manager"],
  enabledByDefault: false,
  before: ["services"],
  namespaces: [OTEL_NAMESPACE],
  config: otelConfig,
  plan(ctx) {
    const c = ctx.config;
    ctx.plan.namespace({
      name: OTEL_NAMESPACE,
      project: "platform",
      owner: ctx.id,
      // Alloy reads node logs through a hostPath volume (/var/log).
      labels: { [MESH_OPT_OUT_LABEL.key]: MESH_OPT_OUT_LABEL.value, [`${PSA_PREFIX}enforce`]: "privileged" },
    });
    ctx.plan.sourceRepos.add(OPERATOR_CHART.repoURL);
    ctx.plan.workloadCustomizers.push(otelCustomizer);
    if (c.alloy) ctx.plan.sourceRepos.add(ALLOY_CHART.repoURL);
    if (c.collector === "existing") {
      // The existing collector's workload and Service answer at the platform's collector address.
      for (const kind of ["Deployment", "Service"]) {
        ctx.plan.existing.push({
          kind,
          namespace: OTEL_NAMESPACE,
          name: COLLECTOR_SERVICE,
          declaredBy: ctx.id,
        });
      }
    }
  },
  *contribute(ctx) {
    const c = ctx.config;
    const certManager = ctx.isEnabled("cert-manager");
    yield app(operatorApp(certManager));

    if (c.collector === "existing") {
      // Only the Java Instrumentation: the collector, and its RBAC, are the existing one's.
      yield app({
        name: "otel",
        project: "platform",
        namespace: OTEL_NAMESPACE,
        order: 1,
        manifests: [javaInstrumentation(c)],
      });
    } else {
      const config = collectorConfig(observabilityEndpoints(ctx.platform), c);
      // A miswired pipeline is a crash loop on the cluster: refuse to render it.
      const problems = validateCollectorConfig(config);
      if (problems.length > 0) throw new InputError(problems);
      yield app({
        name: "otel",
        project: "platform",
        namespace: OTEL_NAMESPACE,
        // After the operator: its CRDs and webhooks must serve before these objects are applied.
        order: 1,
        manifests: [...collectorRbac(), collectorObject(config, c), javaInstrumentation(c)],
        budget: [budgetEntry("otel-collector", 1, COLLECTOR_RESOURCES)],
      });
    }

    if (c.alloy) {
      yield app({
        name: "grafana-alloy",
        project: "platform",
        namespace: OTEL_NAMESPACE,
        // After the collector it forwards to.
        order: 2,
        helm: {
          repoURL: ALLOY_CHART.repoURL,
          chart: ALLOY_CHART.chart,
          version: ALLOY_CHART.version,
          schemaRef: ALLOY_CHART.schemaRef,
          releaseName: "alloy",
          values: alloyValues(),
        },
        budget: alloyBudget(ctx.platform.cluster.nodes.length),
      });
    }
  },
});

declare module "../../render/component.js" {
  interface ComponentConfigs {
    otel: ConfigOf<typeof otelConfig>;
  }
}
