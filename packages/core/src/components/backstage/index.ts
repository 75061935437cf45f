import { locateInFile } from "../../config/source.js";
import { diag, InputError } from "../../diagnostics.js";
import { app, type ConfigOf, defineComponent, file } from "../../render/component.js";
import { issuerUrl, oidcClientSecretPath } from "../identity/contract.js";
import { observabilityEndpoints } from "../observability/contract.js";
import { postgresEndpoint } from "../postgres/contract.js";
import { RELOADER_ANNOTATION, reloadedDeploymentIgnore } from "../reloader/contract.js";
import { CATALOG_PATHS, catalogFiles, isOwnerRef, repositoryFileUrl } from "./catalog.js";
import {
  BACKSTAGE_CHART,
  BACKSTAGE_DATABASE,
  BACKSTAGE_NAMESPACE,
  BACKSTAGE_OIDC_CLIENT,
  BACKSTAGE_RELEASE,
  BACKSTAGE_SERVICE_PORT,
  backstageConfig,
  backstageHost,
  backstageImageRepository,
} from "./config.js";
import {
  BACKSTAGE_SECRET,
  backstageAccess,
  backstageBudget,
  backstageExternalSecret,
  backstageValues,
} from "./values.js";

/** Backstage's OIDC callback: `/api/auth/<provider>/handler/frame`. */
const CALLBACK_PATH = "/api/auth/oidc/handler/frame";

/**
 * The Backstage developer portal at `<subdomain>.<domain>` from its upstream chart: sign-in through
 * the platform's identity provider with its own OIDC client (ADR 0005), its database on the shared
 * PostgreSQL, and the catalog rendered from the platform repository into `backstage/catalog/`
 * (one Component per service). docs/components/backstage.md; the image: ADR 0011.
 */
export const backstage = defineComponent({
  id: "backstage",
  description: "The Backstage portal at backstage.<domain>: catalog of every service, presets as templates",
  dependsOn: ["gateway", "identity", "postgres", "external-secrets"],
  after: ["cloudflare", "observability", "reloader"],
  enabledByDefault: false,
  namespaces: [BACKSTAGE_NAMESPACE],
  config: backstageConfig,
  plan(ctx) {
    // Every owner becomes a catalog reference: one Backstage refuses would drop the Component.
    const badOwners = ctx.services.filter((s) => !isOwnerRef(s.owner));
    if (badOwners.length > 0) {
      throw new InputError(
        badOwners.map((s) => {
          const location = locateInFile(s.file, ["spec", "owner"]);
          return diag(
            "SW_BACKSTAGE_INVALID_OWNER",
            `service '${s.name}' has owner '${s.owner}', which is no Backstage entity reference`,
            {
              path: ["spec", "owner"],
              ...(location ? { location } : {}),
              hint: "Use a group name such as team-a (letters, digits, '-', '_', '.'), or a reference such as user:default/jane.",
            },
          );
        }),
      );
    }
    const host = backstageHost(ctx.config, ctx.platform.domain);
    ctx.plan.namespace({ name: BACKSTAGE_NAMESPACE, project: "platform", owner: ctx.id });
    ctx.plan.sourceRepos.add(BACKSTAGE_CHART.repoURL);
    ctx.plan.hostnames.push({
      host,
      namespace: BACKSTAGE_NAMESPACE,
      service: BACKSTAGE_RELEASE,
      port: BACKSTAGE_SERVICE_PORT,
      public: true,
      protocol: "http",
      owner: ctx.id,
    });
    ctx.plan.databases.push({
      name: BACKSTAGE_DATABASE,
      owner: BACKSTAGE_DATABASE,
      consumer: ctx.id,
      dynamic: false,
    });
    ctx.plan.oidcClients.push({
      name: BACKSTAGE_OIDC_CLIENT,
      namespace: BACKSTAGE_NAMESPACE,
      redirectUris: [`https://${host}${CALLBACK_PATH}`],
      postLogoutRedirectUris: [`https://${host}/`],
      vaultPath: oidcClientSecretPath(BACKSTAGE_OIDC_CLIENT),
      owner: ctx.id,
    });
  },
  *contribute(ctx) {
    const c = ctx.config;
    const platform = ctx.platform;
    const baseUrl = `https://${backstageHost(c, platform.domain)}`;
    const argocd = ctx.configOf("argocd");
    const links = {
      argocd: `https://${argocd.hostname.subdomain}.${platform.domain}`,
      grafana: (c.grafanaUrl ?? observabilityEndpoints(platform).grafana.url).replace(/\/+$/, ""),
    };
    const reloads = ctx.isEnabled("reloader");
    const model = {
      repository: backstageImageRepository(c, platform.github.owner),
      tag: c.image.tag,
      baseUrl,
      title: `${platform.name} developer portal`,
      organization: platform.name,
      issuerUrl: issuerUrl(ctx.configOf("identity"), platform.domain),
      database: postgresEndpoint(platform),
      catalogUrl: repositoryFileUrl(platform, CATALOG_PATHS.root),
      gitHost: new URL(platform.git.repoURL).hostname,
      // A rotated client secret, session secret or token rolls the pod (Reloader's annotation strategy).
      annotations: reloads ? { [RELOADER_ANNOTATION]: BACKSTAGE_SECRET } : {},
      access: backstageAccess(platform),
    };
    yield app({
      name: BACKSTAGE_RELEASE,
      project: "platform",
      namespace: BACKSTAGE_NAMESPACE,
      helm: {
        repoURL: BACKSTAGE_CHART.repoURL,
        chart: BACKSTAGE_CHART.chart,
        version: BACKSTAGE_CHART.version,
        releaseName: BACKSTAGE_RELEASE,
        values: backstageValues(model),
        schemaRef: BACKSTAGE_CHART.schemaRef,
      },
      manifests: [backstageExternalSecret()],
      budget: backstageBudget(),
      ...(reloads
        ? {
            ignoreDifferences: [reloadedDeploymentIgnore(BACKSTAGE_RELEASE, BACKSTAGE_NAMESPACE)],
            syncOptions: ["RespectIgnoreDifferences=true"],
          }
        : {}),
    });
    for (const f of catalogFiles(platform, ctx.services, links)) yield file(f.path, f.content);
  },
});

declare module "../../render/component.js" {
  interface ComponentConfigs {
    backstage: ConfigOf<typeof backstageConfig>;
  }
}
