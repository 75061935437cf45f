/** A container image reference split into its parts. */
export interface ImageRef {
  /** Registry and path, e.g. `ghcr.io/owner/app` or `localhost:5000/app`. */
  readonly repository: string;
  readonly tag?: string;
  /** `sha256:…`, without the `@`. */
  readonly digest?: string;
}

/**
 * Splits `ghcr.io/o/app:1.2@sha256:…` into repository, tag and digest. A colon before the last
 * slash is a registry port, not a tag. The one parser every component and check uses; a leaf
 * module, so customizers can import it without an import cycle.
 */
export function parseImage(image: string): ImageRef {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  const tag = colon > slash ? rest.slice(colon + 1) : undefined;
  const repository = colon > slash ? rest.slice(0, colon) : rest;
  return { repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** A pinned tag Image Updater's semver strategy follows: `1.4.2`, `v1.4.2`. */
export const SEMVER_TAG = /^v?\d+\.\d+\.\d+$/;

/** An image reference split for kustomize: the Deployment names the repository, kustomization.yaml pins it. */
export interface ImagePin {
  readonly name: string;
  readonly newTag?: string;
  readonly digest?: string;
}

/** `ghcr.io/o/app:1.2@sha256:…` → `{ name: "ghcr.io/o/app", newTag: "1.2", digest: "sha256:…" }`. */
export function splitImage(image: string): ImagePin {
  const { repository, tag, digest } = parseImage(image);
  return { name: repository, ...(tag ? { newTag: tag } : {}), ...(digest ? { digest } : {}) };
}
