import { z } from "zod";
import { app, type ConfigOf, defineComponent } from "../../render/component.js";
import type { K8sObject } from "../../render/k8s.js";
import { budgetEntry } from "../../render/resources.js";
import { PSA_PREFIX } from "../argocd/contract.js";
import { ISTIO_NAMESPACE, ISTIO_RESOURCES } from "./contract.js";
import {
  AMBIENT_LABEL,
  assertEnrolled,
  authorizationPolicies,
  type MeshLayout,
  meshLayout,
  peerAuthentication,
  telemetry,
  USE_WAYPOINT_LABEL,
  WAYPOINT,
  waypointGateway,
} from "./mesh.js";
import {
  baseValues,
  cniValues,
  ISTIO_CHARTS,
  ISTIO_CRD_GROUPS,
  ISTIO_REPO,
  ISTIO_VERSION,
  istiodValues,
  OTEL_COLLECTOR_GRPC,
  ztunnelValues,
} from "./values.js";

/** The Application holding the mesh's per-namespace objects (platform-owned policy). */
export const ISTIO_POLICIES_APP = "istio-policies";

const config = z.strictObject({
  /**
   * Which namespaces join the ambient mesh: `workloads` (the namespaces of services/*.yaml) or
   * `all-but-system` (every declared namespace except kube-*, istio-system, monitoring and
   * cert-manager). @default "workloads"
   */
  enrol: z
    .enum(["workloads", "all-but-system"])
    .default("workloads")
    .describe(
      "workloads: only service namespaces; all-but-system: every namespace but kube-*, istio-system, monitoring, cert-manager",
    ),
  /** Share of requests the waypoints trace to the OTel collector (when otel is enabled). @default 10 */
  tracingSamplingPercentage: z
    .number()
    .min(0)
    .max(100)
    .default(10)
    .describe("Percentage of requests traced by waypoints (sent to the OTel collector when otel is enabled)"),
});

/**
 * Webhook fields istiod rewrites at run time (it injects its CA bundle and flips the validation
 * failurePolicy once it serves): Argo CD must not "fix" them back on every sync.
 */
const WEBHOOK_DIFFS: readonly Record<string, unknown>[] = [
  {
    group: "admissionregistration.k8s.io",
    kind: "ValidatingWebhookConfiguration",
    jqPathExpressions: [".webhooks[]?.clientConfig.caBundle", ".webhooks[]?.failurePolicy"],
  },
  {
    group: "admissionregistration.k8s.io",
    kind: "MutatingWebhookConfiguration",
    jqPathExpressions: [".webhooks[]?.clientConfig.caBundle"],
  },
];

export const istio = defineComponent({
  id: "istio",
  description: "Istio ambient: base, istiod, cni, ztunnel; namespace enrolment, waypoints, mTLS STRICT",
  dependsOn: ["cert-manager"],
  // gateway: waypoints are Gateway API Gateways, whose CRDs the gateway component installs.
  after: ["otel", "gateway"],
  enabledByDefault: false,
  before: ["services"],
  namespaces: [ISTIO_NAMESPACE],
  capabilities: [
    {
      feature: "mesh policy",
      path: (s) =>
        s.mesh.l7
          ? ["spec", "mesh", "l7"]
          : s.mesh.callers.length > 0
            ? ["spec", "mesh", "callers"]
            : undefined,
    },
  ],
  config,
  plan(ctx) {
    const { enrol } = ctx.config;
    ctx.plan.sourceRepos.add(ISTIO_REPO);
    // istio-cni and ztunnel: hostPath volumes, NET_ADMIN/SYS_ADMIN, root.
    ctx.plan.namespace({
      name: ISTIO_NAMESPACE,
      project: "platform",
      owner: ctx.id,
      labels: { [`${PSA_PREFIX}enforce`]: "privileged" },
    });
    // No workload customizer: enrolment and waypoint use are namespace labels (the namespace
    // customizer below), and AuthorizationPolicies select pods by the selector labels every
    // workload already has. Per-service waypoint use (a label on the Service) would push one here.
    // istio-policies (a platform Application) writes PeerAuthentications, waypoints and
    // AuthorizationPolicies into service namespaces: the platform project must allow them.
    for (const s of ctx.services) ctx.plan.platformDestinations.add(s.namespace);
    // Namespaces resolve after every plan ran; the layout is computed once per namespace count.
    const plan = ctx.plan;
    const services = ctx.services;
    const gatewayEnabled = ctx.isEnabled("gateway");
    let cached: { count: number; layout: MeshLayout } | undefined;
    plan.namespaceCustomizers.push((ns) => {
      if (cached?.count !== plan.namespaces.size) {
        const layout = meshLayout({ enrol, services, namespaces: plan.namespaces.keys(), gatewayEnabled });
        cached = { count: plan.namespaces.size, layout };
      }
      if (cached.layout.enrolled.has(ns.name)) ns.labels[AMBIENT_LABEL.key] = AMBIENT_LABEL.value;
      if (cached.layout.waypoints.has(ns.name)) ns.labels[USE_WAYPOINT_LABEL] = WAYPOINT.name;
    });
  },
  *contribute(ctx) {
    const { enrol, tracingSamplingPercentage } = ctx.config;
    const layout = meshLayout({
      enrol,
      services: ctx.services,
      namespaces: ctx.plan.namespaces.keys(),
      gatewayEnabled: ctx.isEnabled("gateway"),
    });
    assertEnrolled(ctx.services, layout);
    const otel = ctx.isEnabled("otel");
    const nodes = ctx.platform.cluster.nodes.length;
    const helm = (c: (typeof ISTIO_CHARTS)[keyof typeof ISTIO_CHARTS], values: Record<string, unknown>) => ({
      repoURL: ISTIO_REPO,
      chart: c.chart,
      version: ISTIO_VERSION,
      values,
      schemaRef: c.schemaRef,
    });

    // base → istiod → cni → ztunnel: CRDs first, then the control plane (the CNI agent and
    // ztunnel connect to it), then the node agents. The CRDs outlive the Application (no prune,
    // no finalizer): deleting them would delete every mesh policy in the cluster.
    yield app({
      name: ISTIO_CHARTS.base.app,
      project: "platform",
      namespace: ISTIO_NAMESPACE,
      order: 0,
      helm: helm(ISTIO_CHARTS.base, baseValues(ctx.platform)),
      crds: ISTIO_CRD_GROUPS,
      prune: false,
      finalizer: false,
      ignoreDifferences: WEBHOOK_DIFFS,
    });
    yield app({
      name: ISTIO_CHARTS.istiod.app,
      project: "platform",
      namespace: ISTIO_NAMESPACE,
      order: 1,
      helm: helm(
        ISTIO_CHARTS.istiod,
        istiodValues(ctx.platform, otel ? { collector: OTEL_COLLECTOR_GRPC } : {}),
      ),
      budget: [budgetEntry("istiod", 1, ISTIO_RESOURCES.istiod)],
      ignoreDifferences: WEBHOOK_DIFFS,
    });
    yield app({
      name: ISTIO_CHARTS.cni.app,
      project: "platform",
      namespace: ISTIO_NAMESPACE,
      order: 2,
      helm: helm(ISTIO_CHARTS.cni, cniValues(ctx.platform)),
      // A DaemonSet: one pod per node.
      budget: [budgetEntry("istio-cni-node", nodes, ISTIO_RESOURCES.cni)],
    });
    yield app({
      name: ISTIO_CHARTS.ztunnel.app,
      project: "platform",
      namespace: ISTIO_NAMESPACE,
      order: 3,
      helm: helm(ISTIO_CHARTS.ztunnel, ztunnelValues(ctx.platform)),
      budget: [budgetEntry("ztunnel", nodes, ISTIO_RESOURCES.ztunnel)],
    });

    const manifests: K8sObject[] = [];
    if (otel) manifests.push(telemetry(tracingSamplingPercentage));
    for (const ns of [...layout.strict].sort()) manifests.push(peerAuthentication(ns));
    const waypoints = [...layout.waypoints].sort();
    for (const ns of waypoints) manifests.push(waypointGateway(ns));
    const byName = new Map(ctx.services.map((s) => [s.name, s]));
    for (const s of [...ctx.services].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      manifests.push(...authorizationPolicies(s, byName, layout));
    }
    if (manifests.length === 0) return;
    // Platform-owned policy in the service namespaces: one Application in the platform project,
    // so a service's own Application (workloads project) cannot weaken it, and namespace-wide
    // objects (PeerAuthentication, waypoint) have exactly one owner however many services share
    // the namespace.
    yield app({
      name: ISTIO_POLICIES_APP,
      project: "platform",
      namespace: ISTIO_NAMESPACE,
      order: 4,
      manifests,
      budget: waypoints.map((ns) => budgetEntry(`waypoint/${ns}`, 1, ISTIO_RESOURCES.waypoint)),
    });
  },
});

declare module "../../render/component.js" {
  interface ComponentConfigs {
    istio: ConfigOf<typeof config>;
  }
}
