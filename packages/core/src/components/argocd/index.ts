import { z } from "zod";
import { ARGOCD_NAMESPACE, paths } from "../../render/apps.js";
import { app, defineComponent, file, type RenderContext } from "../../render/component.js";
import { toYaml } from "../../render/yaml.js";
import { dnsLabel } from "../../spec/primitives.js";
import { ssoAccess, ssoClient } from "../identity/sso.js";
import { imageUpdaters } from "./image-updater.js";
import { namespaceObjects } from "./namespaces.js";
import { appProjects, ROOT_APP_PATH, rootApplication } from "./projects.js";
import { argocdRedirectUri, argocdSsoValues } from "./sso.js";
import {
  ARGOCD_APP,
  ARGOCD_CHART,
  ARGOCD_SERVER_SERVICE,
  argocdBudget,
  argocdValues,
  IMAGE_UPDATER_APP,
  IMAGE_UPDATER_CHART,
  imageUpdaterBudget,
  imageUpdaterValues,
  NAMESPACES_APP,
} from "./values.js";

const config = z.strictObject({
  /** The UI's hostname, `<subdomain>.<domain>`; internal by default (no DNS record, no tunnel route). */
  hostname: z
    .strictObject({
      subdomain: dnsLabel.default("argocd"),
      exposure: z.enum(["public", "internal"]).default("internal"),
    })
    .default({ subdomain: "argocd", exposure: "internal" }),
  /** Argo CD Image Updater, which commits newer image tags of services to the platform repository. */
  imageUpdater: z.strictObject({ enabled: z.boolean().default(true) }).default({ enabled: true }),
});

/** Config of the argocd component, defaults applied. */
export type ArgocdConfig = z.output<typeof config>;

const hostOf = (c: ArgocdConfig, domain: string) => `${c.hostname.subdomain}.${domain}`;

/**
 * Argo CD managing itself: its own Application from the argo-cd chart, the root app-of-apps
 * (`argocd/root.yaml`, applied once by `slipway bootstrap`), the AppProjects, the `namespaces`
 * Application (the single owner of every Namespace), and Image Updater.
 */
export const argocd = defineComponent({
  id: "argocd",
  description: "Argo CD managing itself, the root app-of-apps and the AppProjects",
  dependsOn: [],
  after: [],
  enabledByDefault: true,
  config,
  plan(ctx) {
    const c = ctx.config;
    ctx.plan.sourceRepos.add(ARGOCD_CHART.repoURL);
    if (c.imageUpdater.enabled) ctx.plan.sourceRepos.add(IMAGE_UPDATER_CHART.repoURL);
    ctx.plan.namespace({ name: ARGOCD_NAMESPACE, project: "platform", owner: ctx.id });
    ctx.plan.hostnames.push({
      host: hostOf(c, ctx.platform.domain),
      namespace: ARGOCD_NAMESPACE,
      service: ARGOCD_SERVER_SERVICE,
      port: 80,
      public: c.hostname.exposure === "public",
      protocol: "http",
      owner: ctx.id,
    });
    // SSO: the identity component renders this client and delivers its secret (ADR 0012).
    if (ssoAccess(ctx.platform, "argocd")) {
      const host = hostOf(c, ctx.platform.domain);
      ctx.plan.oidcClients.push(
        ssoClient("argocd", ARGOCD_NAMESPACE, [argocdRedirectUri(host)], [`https://${host}/`], ctx.id),
      );
    }
  },
  *contribute(ctx: RenderContext<ArgocdConfig>) {
    const c = ctx.config;
    // Every plan ran before any contribute, so namespaces and chart repositories are complete here.
    const namespaces = ctx.plan.resolvedNamespaces();
    const access = ssoAccess(ctx.platform, "argocd");
    const sso = access
      ? argocdSsoValues(
          ctx.platform,
          access,
          // Services' Applications exist only when the services component renders them.
          ctx.isEnabled("services") ? ctx.services.map((s) => s.name) : [],
        )
      : undefined;
    yield file(ROOT_APP_PATH, toYaml(rootApplication(ctx.platform)));
    for (const p of appProjects(
      ctx.platform,
      namespaces,
      ctx.plan.sourceRepos,
      ctx.plan.platformDestinations,
    )) {
      yield file(paths.project(p.metadata.name), toYaml(p));
    }
    // First in the band: every other Application deploys into a namespace this one creates.
    // No resources finalizer on it nor on Argo CD's own Applications: deleting one of them must
    // never cascade into deleting every namespace (and its volumes) or Argo CD itself.
    yield app({
      name: NAMESPACES_APP,
      project: "platform",
      namespace: ARGOCD_NAMESPACE,
      order: 0,
      manifests: namespaceObjects(namespaces, ctx.platform.cluster.kubernetesVersion),
      finalizer: false,
    });
    yield app({
      name: ARGOCD_APP,
      project: "platform",
      namespace: ARGOCD_NAMESPACE,
      order: 1,
      helm: { ...ARGOCD_CHART, values: argocdValues(hostOf(c, ctx.platform.domain), sso) },
      crds: ["argoproj.io"],
      budget: argocdBudget(),
      finalizer: false,
    });
    if (c.imageUpdater.enabled) {
      yield app({
        name: IMAGE_UPDATER_APP,
        project: "platform",
        namespace: ARGOCD_NAMESPACE,
        order: 2,
        helm: { ...IMAGE_UPDATER_CHART, values: imageUpdaterValues() },
        // Services are only deployed (and so only updated) when the services component is on.
        manifests: ctx.isEnabled("services") ? imageUpdaters(ctx.platform, ctx.services) : [],
        crds: ["argocd-image-updater.argoproj.io"],
        budget: imageUpdaterBudget(),
      });
    }
  },
});
