import { z } from "zod";
import { app, defineComponent } from "../../render/component.js";
import { httpRoute } from "../gateway/route.js";
import { reloadedDeploymentIgnore } from "../reloader/objects.js";
import { renderWorkload, SERVICE_PORT, serviceLabels, splitImage, workloadModel } from "./workload.js";

/**
 * Every `services/<name>.yaml` becomes its own Application in the `workloads` project, synced at
 * the service's own wave (after the services it depends on), with plain manifests and a
 * kustomization that pins the image.
 */
export const services = defineComponent({
  id: "services",
  description: "One Application per services/<name>.yaml",
  dependsOn: ["gateway"],
  after: [
    "external-secrets",
    "postgres",
    "observability",
    "cloudflare",
    "identity",
    "cert-manager",
    "otel",
    "istio",
    "dynamic-db",
    "reloader",
  ],
  enabledByDefault: true,
  config: z.strictObject({}),
  plan(ctx) {
    for (const s of ctx.services) {
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
    for (const s of ctx.services) {
      const objects = renderWorkload(workloadModel(s, ctx.platform));
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
  },
});
