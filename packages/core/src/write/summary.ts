import type { OutputFile } from "../render/files.js";
import type { RenderedApp } from "../render/render.js";

/** One line of the synth report: an Argo CD Application and how many files it owns. */
export interface AppRow {
  readonly wave: number;
  readonly name: string;
  readonly project: string;
  /** The component that contributed it. */
  readonly component: string;
  /** Its Application, values and manifest files. */
  readonly files: number;
}

const APP_PATH =
  /^(?:argocd\/applications\/([^/]+)\.yaml|k8s\/helm\/values\/([^/]+)\.yaml|k8s\/helm\/manifests\/([^/]+)\/.+)$/;

/** The Application a rendered path belongs to (see `paths` in render/apps.ts), if any. */
function appOfPath(path: string): string | undefined {
  const m = APP_PATH.exec(path);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

/**
 * Passes files through unchanged while counting them per Application into `counts`, so a
 * streaming consumer (the write step) can be reported on without keeping the files.
 */
export function* tallyAppFiles(
  files: Iterable<OutputFile>,
  counts: Map<string, number>,
): Generator<OutputFile> {
  for (const f of files) {
    const app = appOfPath(f.path);
    if (app !== undefined) counts.set(app, (counts.get(app) ?? 0) + 1);
    yield f;
  }
}

/** The rendered Applications in sync-wave order (ties by name), with their file counts. */
export function appRows(apps: readonly RenderedApp[], counts: ReadonlyMap<string, number>): AppRow[] {
  return apps
    .map((a) => ({
      wave: a.wave,
      name: a.spec.name,
      project: a.spec.project,
      component: a.owner,
      files: counts.get(a.spec.name) ?? 0,
    }))
    .sort((a, b) => a.wave - b.wave || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
