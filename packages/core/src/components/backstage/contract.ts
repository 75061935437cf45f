// The backstage component's public module: where the catalog is rendered, which `check` reads
// (docs/adr/0016-module-boundaries.md).

/** Where the platform's catalog is rendered in the GitOps tree (a RENDER_ROOTS entry). */
export const CATALOG_DIR = "backstage/catalog";
