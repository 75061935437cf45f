import { z } from "zod";
import { app, type ConfigOf, defineComponent } from "../../render/component.js";
import {
  RELOADER_NAMESPACE,
  reloaderClusterRole,
  reloaderClusterRoleBinding,
  reloaderDeployment,
  reloaderServiceAccount,
} from "./objects.js";

export { LAST_RELOADED_FROM_ANNOTATION, reloadedDeploymentIgnore } from "./contract.js";
export { RELOADER_IMAGE, RELOADER_NAMESPACE, reloaderArgs } from "./objects.js";

const config = z.strictObject({
  /** Reloader's log format; `json` for Loki/Alloy, `text` for reading by hand. @default "json" */
  logFormat: z.enum(["json", "text"]).default("json").describe("Reloader's log format"),
});

/**
 * Stakater Reloader, as plain manifests: rolls a Deployment, StatefulSet or DaemonSet when a Secret
 * or ConfigMap it names in `secret.reloader.stakater.com/reload` changes (dynamic-db puts that
 * annotation on services with dynamic credentials). Annotation reload strategy, so a restart is a
 * pod-template annotation Argo CD does not fight. docs/components/reloader.md.
 */
export const reloader = defineComponent({
  id: "reloader",
  description: "Stakater Reloader: rolling restarts when a workload's Secrets or ConfigMaps change",
  dependsOn: ["argocd"],
  after: [],
  enabledByDefault: false,
  // Services' Applications ignore the restart annotation Reloader writes.
  before: ["services"],
  namespaces: [RELOADER_NAMESPACE],
  config,
  plan(ctx) {
    ctx.plan.namespace({ name: RELOADER_NAMESPACE, project: "platform", owner: ctx.id });
  },
  *contribute(ctx) {
    const { logFormat } = ctx.config;
    yield app({
      name: "reloader",
      project: "platform",
      namespace: RELOADER_NAMESPACE,
      manifests: [
        reloaderServiceAccount(),
        reloaderClusterRole(),
        reloaderClusterRoleBinding(),
        reloaderDeployment(logFormat),
      ],
    });
  },
});

declare module "../../render/component.js" {
  interface ComponentConfigs {
    reloader: ConfigOf<typeof config>;
  }
}
