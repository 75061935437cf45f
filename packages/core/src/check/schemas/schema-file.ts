// Apart from pull.ts, which reads the generated manifest.ts: the manifest names this type, and an
// import of pull.ts from there would be an import cycle (docs/adr/0016-module-boundaries.md).

/** One upstream file `slipway schemas pull` downloads: where it goes, where it comes from, its digest. */
export interface SchemaFile {
  /** Path inside the schema directory, `<project>/<version>/<file>` (the layout `check` reads). */
  readonly path: string;
  /** GitHub repository, `owner/name`. */
  readonly repo: string;
  /** The commit the pinned tag points to. */
  readonly commit: string;
  /** Path of the file in the repository. */
  readonly source: string;
  readonly sha256: string;
  readonly size: number;
}
