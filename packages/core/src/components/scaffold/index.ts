import { app, type ConfigOf, defineComponent } from "../../render/component.js";
import { issuerUrl, oidcClientSecretPath } from "../identity/contract.js";
import { RELOADER_ANNOTATION, reloadedDeploymentIgnore } from "../reloader/contract.js";
import {
  SCAFFOLD_NAME,
  SCAFFOLD_NAMESPACE,
  SCAFFOLD_OIDC_CLIENT,
  SCAFFOLD_PATHS,
  scaffoldConfig,
  scaffoldHost,
  scaffoldImageRepository,
} from "./config.js";
import {
  SCAFFOLD_SERVICE_PORT,
  scaffoldDeployment,
  scaffoldExternalSecret,
  scaffoldService,
  scaffoldServiceAccount,
} from "./objects.js";

export { SCAFFOLD_NAMESPACE, SCAFFOLD_OIDC_CLIENT } from "./config.js";
export { SCAFFOLD_RESOURCES, SCAFFOLD_SECRET_KEYS } from "./objects.js";

/**
 * The scaffold web service (`slipway serve`, packages/scaffold) deployed by the platform itself
 * at `<subdomain>.<domain>`: public, OIDC-protected by its own client at the platform's identity
 * provider, secrets through one ExternalSecret. Platform tooling, so project `platform`
 * (docs/components/scaffold.md explains why it is not a `services/` workload).
 */
export const scaffold = defineComponent({
  id: "scaffold",
  description: "The scaffold web service (slipway serve) at scaffold.<domain>, behind the platform's OIDC",
  dependsOn: ["gateway", "identity", "external-secrets"],
  // Telemetry and restarts on rotated secrets are picked up when those components are on.
  after: ["otel", "reloader", "cloudflare"],
  enabledByDefault: false,
  namespaces: [SCAFFOLD_NAMESPACE],
  config: scaffoldConfig,
  plan(ctx) {
    const c = ctx.config;
    const host = scaffoldHost(c, ctx.platform.domain);
    ctx.plan.namespace({ name: SCAFFOLD_NAMESPACE, project: "platform", owner: ctx.id });
    // The gateway routes it from its own namespace, with a ReferenceGrant here; cloudflare adds DNS.
    ctx.plan.hostnames.push({
      host,
      namespace: SCAFFOLD_NAMESPACE,
      service: SCAFFOLD_NAME,
      port: SCAFFOLD_SERVICE_PORT,
      public: true,
      protocol: "http",
      owner: ctx.id,
    });
    ctx.plan.oidcClients.push({
      name: SCAFFOLD_OIDC_CLIENT,
      namespace: SCAFFOLD_NAMESPACE,
      redirectUris: [`https://${host}${SCAFFOLD_PATHS.callback}`],
      postLogoutRedirectUris: [`https://${host}${SCAFFOLD_PATHS.postLogout}`],
      vaultPath: oidcClientSecretPath(SCAFFOLD_OIDC_CLIENT),
      owner: ctx.id,
    });
  },
  *contribute(ctx) {
    const c = ctx.config;
    const repository = scaffoldImageRepository(ctx.platform.github.owner);
    const reloads = ctx.isEnabled("reloader");
    const model = {
      repository,
      tag: c.tag,
      replicas: c.replicas,
      publicUrl: `https://${scaffoldHost(c, ctx.platform.domain)}`,
      defaultOwner: ctx.platform.github.owner,
      // The repository Argo CD syncs (as the root app): registrations go there, as branches to review.
      platformRepo: ctx.platform.git.repoURL,
      pushTarget: `https://github.com/${ctx.platform.github.owner}/{name}.git`,
      issuerUrl: issuerUrl(ctx.configOf("identity"), ctx.platform.domain),
      ...(ctx.isEnabled("otel") ? { otel: ctx.configOf("otel") } : {}),
      // A rotated client secret, cookie key or Git token rolls the pods (Reloader's annotation strategy).
      podAnnotations: reloads ? { [RELOADER_ANNOTATION]: SCAFFOLD_NAME } : {},
    };
    yield app({
      name: SCAFFOLD_NAME,
      project: "platform",
      namespace: SCAFFOLD_NAMESPACE,
      manifests: [
        scaffoldServiceAccount(),
        scaffoldExternalSecret(model),
        scaffoldDeployment(model),
        scaffoldService(),
      ],
      kustomize: { images: [{ name: repository, newTag: c.tag }] },
      ...(reloads
        ? {
            ignoreDifferences: [reloadedDeploymentIgnore(SCAFFOLD_NAME, SCAFFOLD_NAMESPACE)],
            syncOptions: ["RespectIgnoreDifferences=true"],
          }
        : {}),
    });
  },
});

declare module "../../render/component.js" {
  interface ComponentConfigs {
    scaffold: ConfigOf<typeof scaffoldConfig>;
  }
}
