import { z } from "zod";
import { dnsLabel } from "../../config/primitives.js";

/** Namespace of the scaffold service (platform project: it is platform tooling, see the docs). */
export const SCAFFOLD_NAMESPACE = "scaffold";
/** Name of its ServiceAccount, Deployment and Service. */
export const SCAFFOLD_NAME = "scaffold";
/**
 * Name of its OIDC client (and Vault path `identity/clients/<name>`): prefixed like identity's
 * `slipway-test`, so an onboarded service called `scaffold` cannot collide with it.
 */
export const SCAFFOLD_OIDC_CLIENT = "slipway-scaffold";
/** The image's repository under the platform's GitHub owner (`ghcr.io/<owner>/<repo>`). */
export const SCAFFOLD_IMAGE_REPO = "slipway-scaffold";
/** Port `slipway serve --port` listens on in the image (packages/scaffold/Dockerfile's CMD). */
export const SCAFFOLD_CONTAINER_PORT = 8080;
/** UID/GID of the image's `USER` (packages/scaffold/Dockerfile). */
export const SCAFFOLD_UID = 10001;
/** Vault KV path and property of the session cookie's signing key, written by a person. */
export const SCAFFOLD_SESSION_SECRET = { key: "scaffold/session", property: "cookieSecret" } as const;
/**
 * Vault KV path and property of the token **Create repository** pushes with (new repositories and
 * the platform branch), written by a person: a GitHub fine-grained token or app token.
 */
export const SCAFFOLD_GIT_SECRET = { key: "scaffold/git", property: "token" } as const;
/** Paths of the service's login callback and post-logout landing page. */
export const SCAFFOLD_PATHS = { callback: "/auth/callback", postLogout: "/" } as const;

/** The default image tag: the version of `@slipway/scaffold` (packages/scaffold/package.json). */
export const SCAFFOLD_DEFAULT_TAG = "0.1.0";

export const scaffoldConfig = z.strictObject({
  /**
   * Tag of `ghcr.io/<github owner>/slipway-scaffold`, pinned in the Application's
   * kustomization.yaml. @default "0.1.0"
   */
  tag: z
    .string()
    .regex(/^[\w][\w.-]{0,127}$/, { error: "must be an image tag such as 0.1.0" })
    .refine((t) => t !== "latest", { error: "must be pinned: 'latest' changes without a commit" })
    .default(SCAFFOLD_DEFAULT_TAG)
    .describe("Image tag of ghcr.io/<github owner>/slipway-scaffold"),
  /** `<subdomain>.<domain>` serves the UI and API (public). @default "scaffold" */
  subdomain: dnsLabel.default("scaffold").describe("The service's hostname is <subdomain>.<domain>"),
  /** Replicas; sessions live in signed cookies, so any replica serves any request. @default 1 */
  replicas: z.int().min(1).max(3).default(1).describe("Replicas of the scaffold Deployment"),
});
export type ScaffoldConfig = z.output<typeof scaffoldConfig>;

export const scaffoldHost = (c: ScaffoldConfig, domain: string): string => `${c.subdomain}.${domain}`;

/** GHCR repositories are lowercase; GitHub owners need not be. */
export const scaffoldImageRepository = (owner: string): string =>
  `ghcr.io/${owner.toLowerCase()}/${SCAFFOLD_IMAGE_REPO}`;
