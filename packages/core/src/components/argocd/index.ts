import { z } from "zod";
import { dnsLabel } from "../../config/primitives.js";
import { ARGOCD_NAMESPACE, argocdIsRemote, paths } from "../../render/apps.js";
import { app, type ConfigOf, defineComponent, file, type RenderContext } from "../../render/component.js";
import { toYaml } from "../../render/yaml.js";
import { ssoAccess, ssoClient } from "../identity/contract.js";
import { clusterSecret } from "./cluster-secret.js";
import { ARGOCD_APP, ARGOCD_CHART, ROOT_APP_PATH } from "./contract.js";
import { EXISTING_INVENTORY_PATH, existingInventory } from "./existing.js";
import { imageUpdaters, repositoryCredentials } from "./image-updater.js";
import { namespaceObjects } from "./namespaces.js";
import { appProjects, rootApplication } from "./projects.js";
import { argocdRedirectUri, argocdSsoValues } from "./sso.js";
import {
  ARGOCD_SERVER_SERVICE,
  argocdBudget,
  argocdValues,
  IMAGE_UPDATER_APP,
  IMAGE_UPDATER_CHART,
  imageUpdaterBudget,
  imageUpdaterValues,
  NAMESPACES_APP,
} from "./values.js";

/** A Git branch name (`git check-ref-format --branch`, the common subset; no ':' — it separates branches). */
const gitBranch = z.string().regex(/^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*\.lock$)[A-Za-z0-9._/-]+(?<![./])$/, {
  error: "must be a Git branch name such as main or image-updates",
});

const storeRef = z.strictObject({
  kind: z
    .enum(["ClusterSecretStore", "SecretStore"])
    .default("ClusterSecretStore")
    .describe("Kind of the store"),
  name: z.string().min(1).default("vault-backend").describe("Name of the store"),
});

const config = z.strictObject({
  /**
   * `deploy`: Slipway installs Argo CD in this cluster and Argo CD manages itself. `external`: an
   * Argo CD that is not Slipway's (here or, with `spec.cluster.destination`, on another cluster)
   * syncs the rendered Applications; Slipway renders no Argo CD install (ADR 0013). @default "deploy"
   */
  mode: z
    .enum(["deploy", "external"])
    .default("deploy")
    .describe("deploy: Slipway installs Argo CD here; external: an existing Argo CD syncs the repository"),
  /**
   * With Argo CD on another cluster: the cluster Secret that registers this cluster there, made by
   * ESO in Argo CD's namespace from a Vault KV secret (`bearerToken`, `caData`), never from Git.
   */
  clusterSecret: z
    .strictObject({
      /** The store on Argo CD's cluster that reads the KV secret. @default ClusterSecretStore vault-backend */
      storeRef: storeRef
        .default({ kind: "ClusterSecretStore", name: "vault-backend" })
        .describe("The store on Argo CD's cluster that reads the KV secret"),
      /** KV path holding `bearerToken` and `caData` (base64 PEM) for this cluster's API server. */
      key: z
        .string()
        .regex(/^[a-z0-9][-a-z0-9_/]*$/, { error: "must be a Vault KV path such as argocd/clusters/homelab" })
        .optional()
        .describe("KV path holding bearerToken and caData for this cluster's API server"),
    })
    .default({ storeRef: { kind: "ClusterSecretStore", name: "vault-backend" } })
    .describe("With Argo CD on another cluster: the Secret that registers this cluster there, from Vault"),
  /** The UI's hostname, `<subdomain>.<domain>`; internal by default (no DNS record, no tunnel route). */
  hostname: z
    .strictObject({
      subdomain: dnsLabel.default("argocd").describe("The UI answers at <subdomain>.<domain>"),
      exposure: z
        .enum(["public", "internal"])
        .default("internal")
        .describe("public: DNS record and tunnel route; internal: a route only"),
    })
    .default({ subdomain: "argocd", exposure: "internal" })
    .describe("The UI's hostname"),
  /** Argo CD Image Updater, which commits newer image tags of services to the platform repository. */
  imageUpdater: z
    .strictObject({
      enabled: z.boolean().default(true).describe("Run Argo CD Image Updater"),
      /**
       * Branch Image Updater pushes its commits to. Omitted: `spec.git.revision`, the branch Argo CD
       * syncs, so an update deploys on its own; another branch collects them for review (merge to deploy).
       */
      branch: gitBranch
        .optional()
        .describe("Branch Image Updater pushes to; defaults to spec.git.revision (deploys directly)"),
      /** Vault KV path (platform mount) of the platform repository's write credentials. */
      credentialsKey: z
        .string()
        .regex(/^[a-z0-9][-a-z0-9_/]*$/, { error: "must be a Vault KV path such as argocd/repository" })
        .default("argocd/repository")
        .describe(
          "Vault KV path of the repository write credentials: username and password (https) or sshPrivateKey (ssh)",
        ),
    })
    .default({ enabled: true, credentialsKey: "argocd/repository" })
    .describe("Argo CD Image Updater, which commits newer image tags of services to the repository"),
});

/** Config of the argocd component, defaults applied. */
export type ArgocdConfig = z.output<typeof config>;

/** The Application of the cluster Secret that registers this cluster with a remote Argo CD. */
export const CLUSTER_SECRET_APP = "argocd-cluster";

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
  namespaces: [ARGOCD_NAMESPACE],
  config,
  plan(ctx) {
    const c = ctx.config;
    // An external Argo CD is not installed, nor its namespace, host or Image Updater (its own).
    if (c.mode === "external") return;
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
    // Existing namespaces are destinations, never Namespace objects: pruning one would delete what
    // runs there that is not Slipway's.
    const existingNamespaces = new Set(
      ctx.plan.existing.filter((e) => e.kind === "Namespace").map((e) => e.name),
    );
    const inventory = existingInventory(ctx.platform, c.mode, ctx.plan);
    if (inventory) yield file(EXISTING_INVENTORY_PATH, toYaml(inventory));
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
      manifests: namespaceObjects(
        namespaces.filter((n) => !existingNamespaces.has(n.name)),
        ctx.platform.cluster.kubernetesVersion,
      ),
      finalizer: false,
    });
    if (argocdIsRemote(ctx.platform)) {
      yield app({
        name: CLUSTER_SECRET_APP,
        project: "platform",
        namespace: ARGOCD_NAMESPACE,
        order: 1,
        manifests: [clusterSecret(ctx.platform, c.clusterSecret)],
        argocdCluster: true,
      });
    }
    if (c.mode === "external") return;
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
        manifests: ctx.isEnabled("services")
          ? [
              // Without ESO there is no way to the credentials: check's image-updater policy says so.
              ...(ctx.isEnabled("external-secrets")
                ? [repositoryCredentials(ctx.platform, c.imageUpdater.credentialsKey)]
                : []),
              ...imageUpdaters(ctx.platform, ctx.services, { branch: c.imageUpdater.branch }),
            ]
          : [],
        crds: ["argocd-image-updater.argoproj.io"],
        budget: imageUpdaterBudget(),
      });
    }
  },
});

declare module "../../render/component.js" {
  interface ComponentConfigs {
    argocd: ConfigOf<typeof config>;
  }
}
