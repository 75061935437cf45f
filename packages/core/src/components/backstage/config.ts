import { z } from "zod";
import { dnsLabel } from "../../config/primitives.js";

/** Namespace of the Backstage portal (platform project: platform tooling, like scaffold). */
export const BACKSTAGE_NAMESPACE = "backstage";
/** Release name; the chart names its Deployment, Service and app-config ConfigMap after it. */
export const BACKSTAGE_RELEASE = "backstage";
/** The chart's Service port (`service.ports.backend`) the gateway routes to. */
export const BACKSTAGE_SERVICE_PORT = 7007;
/**
 * OIDC client at the platform's identity provider (Vault `identity/clients/<name>`), prefixed like
 * scaffold's so an onboarded service called `backstage` cannot collide with it.
 */
export const BACKSTAGE_OIDC_CLIENT = "slipway-backstage";
/** Database and owning role on the shared PostgreSQL. */
export const BACKSTAGE_DATABASE = "backstage";
/** Vault KV path and property of the session secret the OIDC provider signs its cookies with. */
export const BACKSTAGE_SESSION_SECRET = { key: "backstage/session", property: "secret" } as const;
/** Vault KV path and property of the GitHub token Backstage reads the platform repository with. */
export const BACKSTAGE_GITHUB_SECRET = { key: "backstage/github", property: "token" } as const;
/** The image's repository under the platform's GitHub owner (ADR 0011). */
export const BACKSTAGE_IMAGE_REPO = "slipway-backstage";
/** The default tag of that image (ADR 0011: the platform's own Backstage app build). */
export const BACKSTAGE_DEFAULT_TAG = "0.1.0";
/** UID/GID of the `node` user Backstage images run as (the backend Dockerfile's `USER node`). */
export const BACKSTAGE_UID = 1000;

export const BACKSTAGE_CHART = {
  repoURL: "https://backstage.github.io/charts",
  chart: "backstage",
  version: "2.8.2",
  schemaRef: "helm-backstage/2.8.2",
} as const;

/**
 * Where `slipway template backstage` writes the presets as Software Templates in the platform
 * repository; not a render root (synth never writes or deletes there).
 */
export const TEMPLATES_DIR = "backstage/templates";

const imageTag = z
  .string()
  .regex(/^[\w][\w.-]{0,127}$/, { error: "must be an image tag such as 0.1.0" })
  .refine((t) => t !== "latest", { error: "must be pinned: 'latest' changes without a commit" });

export const backstageConfig = z.strictObject({
  /** `<subdomain>.<domain>` serves the portal (public, behind the platform's OIDC). @default "backstage" */
  subdomain: dnsLabel.default("backstage").describe("The portal's hostname is <subdomain>.<domain>"),
  /**
   * Image of a Backstage app with the `oidc` auth provider, catalog and scaffolder plugins (ADR
   * 0011). @default repository ghcr.io/<github owner>/slipway-backstage, tag 0.1.0
   */
  image: z
    .strictObject({
      repository: z
        .string()
        .regex(/^[a-z0-9]([a-z0-9._-]*[a-z0-9])?(\/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)+$/, {
          error: "must be an image repository such as ghcr.io/owner/backstage",
        })
        .optional()
        .describe("Image repository; defaults to ghcr.io/<github owner>/slipway-backstage"),
      tag: imageTag.default(BACKSTAGE_DEFAULT_TAG).describe("Pinned image tag (never latest)"),
    })
    .default({ tag: BACKSTAGE_DEFAULT_TAG })
    .describe("The Backstage app image (ADR 0011)"),
  /**
   * Grafana base URL people open from the catalog's links; defaults to the observability
   * component's Grafana URL.
   */
  grafanaUrl: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe("Grafana URL for the catalog's links (a browser must reach it)"),
});
export type BackstageConfig = z.output<typeof backstageConfig>;

export const backstageHost = (c: BackstageConfig, domain: string): string => `${c.subdomain}.${domain}`;

/** `ghcr.io/<owner>/slipway-backstage` unless the config names another repository. */
export const backstageImageRepository = (c: BackstageConfig, owner: string): string =>
  c.image.repository ?? `ghcr.io/${owner.toLowerCase()}/${BACKSTAGE_IMAGE_REPO}`;
