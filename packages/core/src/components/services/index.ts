import { z } from "zod";
import type { PlatformSpec, ServiceSpec } from "../../config/schema.js";
import { ARGOCD_NAMESPACE } from "../../render/apps.js";
import { app, type ConfigOf, defineComponent } from "../../render/component.js";
import { splitImage } from "../../render/image.js";
import type { K8sObject } from "../../render/k8s.js";
import { httpRoute } from "../gateway/contract.js";
import { reloadedDeploymentIgnore } from "../reloader/contract.js";
import {
  baseNetworkPolicies,
  limitRange,
  type NetworkContext,
  resourceQuota,
  serviceNetworkPolicy,
  serviceStore,
  serviceVaultAccess,
  TENANCY_APP,
  waypointNetworkPolicy,
} from "./tenancy.js";
import {
  renderWorkload,
  SERVICE_PORT,
  serviceCustomizers,
  serviceLabels,
  type WorkloadCustomizer,
  type WorkloadModel,
  workloadModel,
} from "./workload.js";

/**
 * Every `services/<name>.yaml` becomes its own Application in the `workloads` project, synced at
 * the service's own wave (after the services it depends on), with plain manifests and a
 * kustomization that pins the image. It syncs after every enabled component that names it in
 * `before` (the providers of what services use); capabilities adjust each workload through the
 * customizers they push into the plan.
 */
export const services = defineComponent({
  id: "services",
  description: "One Application per services/<name>.yaml",
  dependsOn: ["gateway"],
  enabledByDefault: true,
  config: z.strictObject({}),
  plan(ctx) {
    const secrets = ctx.isEnabled("external-secrets") && ctx.isEnabled("vault");
    const oidc = ctx.isEnabled("identity");
    for (const s of ctx.services) {
      // The tenancy Application (platform project) writes guardrails into every service namespace.
      ctx.plan.platformDestinations.add(s.namespace);
      if (secrets) {
        const access = serviceVaultAccess(s, ctx.id, oidc && s.auth === "oidc");
        ctx.plan.vaultPolicies.push(access.policy);
        ctx.plan.vaultKubernetesRoles.push(access.role);
      }
      ctx.plan.namespace({
        name: s.namespace,
        project: "workloads",
        owner: `service:${s.name}`,
        labels: { "slipway.dev/service": s.name },
      });
      if (s.host) {
        ctx.plan.hostnames.push({
          host: s.host,
          namespace: s.namespace,
          service: s.name,
          port: SERVICE_PORT,
          public: s.exposure === "public",
          protocol: "http",
          owner: `service:${s.name}`,
        });
      }
      if (s.database !== false) {
        ctx.plan.databases.push({
          name: s.database.name,
          // One owning role per database, named like it, so grants never span services.
          owner: s.database.name,
          consumer: `service:${s.name}`,
          dynamic: s.database.dynamic,
        });
      }
    }
  },
  *contribute(ctx) {
    // Reloader (annotations strategy) writes a pod-template annotation on every reload: not drift.
    const reloads = ctx.isEnabled("reloader");
    const customizers = serviceCustomizers(ctx.plan.workloadCustomizers);
    for (const s of ctx.services) {
      const objects = renderWorkload(workloadModel(s, ctx.platform, customizers));
      if (s.host) {
        // The route lives beside its Service, so it never crosses namespaces: no ReferenceGrant.
        objects.push(
          httpRoute({
            name: s.name,
            namespace: s.namespace,
            hostnames: [s.host],
            backend: { name: s.name, namespace: s.namespace, port: SERVICE_PORT },
            labels: serviceLabels(s),
          }),
        );
      }
      yield app({
        name: s.name,
        project: "workloads",
        namespace: s.namespace,
        wave: ctx.waveOf(`service:${s.name}`),
        manifests: objects,
        kustomize: { images: [splitImage(s.image)] },
        labels: { "slipway.dev/service": s.name },
        ...(reloads
          ? {
              ignoreDifferences: [reloadedDeploymentIgnore(s.name, s.namespace)],
              syncOptions: ["RespectIgnoreDifferences=true"],
            }
          : {}),
      });
    }
    yield app({
      name: TENANCY_APP,
      project: "platform",
      // Its objects name their own namespaces; the destination is only Argo CD's default.
      namespace: ARGOCD_NAMESPACE,
      order: 0,
      manifests: tenancyObjects(ctx.services, ctx.platform, customizers, {
        secrets: ctx.isEnabled("external-secrets") && ctx.isEnabled("vault"),
        mesh: ctx.isEnabled("istio"),
        gateway: ctx.isEnabled("gateway"),
        otel: ctx.isEnabled("otel"),
      }),
    });
  },
});

/**
 * Per namespace (sorted): default deny and DNS, the waypoint's allows, the ResourceQuota and
 * LimitRange; per service: its NetworkPolicy and SecretStore. A generator: one namespace's objects
 * at a time.
 */
function* tenancyObjects(
  services: readonly ServiceSpec[],
  platform: PlatformSpec,
  customizers: readonly WorkloadCustomizer[],
  enabled: { secrets: boolean; mesh: boolean; gateway: boolean; otel: boolean },
): Generator<K8sObject> {
  const byNamespace = new Map<string, ServiceSpec[]>();
  const callees = new Map<string, ServiceSpec[]>();
  for (const s of services) {
    byNamespace.set(s.namespace, [...(byNamespace.get(s.namespace) ?? []), s]);
    for (const c of new Set(s.mesh.callers)) callees.set(c, [...(callees.get(c) ?? []), s]);
  }
  const waypoints = new Set(enabled.mesh ? services.filter((s) => s.mesh.l7).map((s) => s.namespace) : []);
  const ctx: NetworkContext = {
    platform,
    services: new Map(services.map((s) => [s.name, s])),
    callees,
    mesh: enabled.mesh,
    gateway: enabled.gateway,
    otel: enabled.otel,
    waypoints,
  };
  for (const ns of [...byNamespace.keys()].sort()) {
    const members = (byNamespace.get(ns) ?? []).sort((a, b) => (a.name < b.name ? -1 : 1));
    yield* baseNetworkPolicies(ns);
    if (waypoints.has(ns)) yield waypointNetworkPolicy(ns, ctx);
    const models: WorkloadModel[] = members.map((s) => workloadModel(s, platform, customizers));
    const tenant = { name: ns, services: models, waypoint: waypoints.has(ns) };
    yield resourceQuota(tenant);
    yield limitRange(tenant);
    for (const s of members) {
      yield serviceNetworkPolicy(s, ctx);
      if (enabled.secrets) yield serviceStore(s);
    }
  }
}

declare module "../../render/component.js" {
  interface ComponentConfigs {
    services: ConfigOf<typeof services>;
  }
}
