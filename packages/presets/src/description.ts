/** The parameters every preset has (see `commonShape`). */
export interface CommonParameters {
  readonly name: string;
  readonly owner: string;
  readonly description: string;
  readonly system: string;
  readonly lifecycle: "experimental" | "production" | "deprecated";
  readonly port: number;
}

/**
 * A validated project: the only thing contributors ever see (untrusted input becomes a description
 * in one place, {@link describe}). Plain, JSON-serializable data.
 */
export interface ProjectDescription<P extends CommonParameters = CommonParameters> {
  readonly preset: { readonly id: string; readonly version: string };
  /** Every parameter, defaults applied. */
  readonly parameters: P;
  /** `owner/name` on GitHub. */
  readonly repository: { readonly slug: string; readonly url: string };
  /** The image without tag: `ghcr.io/<owner, lowercased>/<name>` (GHCR requires lowercase). */
  readonly image: string;
}
