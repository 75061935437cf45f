import { parse, parseAllDocuments } from "yaml";
import { CATALOG_DIR } from "../components/backstage/contract.js";
import { type Diagnostic, diag, InputError } from "../diagnostics.js";
import { paths } from "../render/apps.js";
import type { OutputFile } from "../render/files.js";
import type { K8sObject } from "../render/k8s.js";
import type { RenderedApp } from "../render/render.js";

/** Where an object rendered by a chart came from; diagnostics name all of it. */
export interface ChartOrigin {
  readonly application: string;
  readonly chart: string;
  readonly version: string;
  /** Helm's `# Source:` of the document, e.g. `vault/templates/server-statefulset.yaml`. */
  readonly template: string;
  /** Value files of the rendered tree that fed the chart, e.g. `k8s/helm/values/vault.yaml`. */
  readonly valueFiles: readonly string[];
}

/** One Kubernetes object of the rendered tree, with where it came from. */
export interface RenderedObject {
  /** Rendered file path, relative to the repository root. */
  readonly file: string;
  /** Index of the YAML document inside the file (0 for single-document files). */
  readonly doc: number;
  readonly object: K8sObject;
  /** The Application that deploys the file, when it is one of the rendered apps. */
  readonly app?: RenderedApp;
  /** Component that rendered the file. */
  readonly owner: string;
  /** Set on objects `helm template` rendered from a chart (`check --render-charts`); `file` is then virtual. */
  readonly chart?: ChartOrigin;
}

/** A parsed rendered file: its documents as plain data (YAML or JSON files only). */
export interface ParsedFile {
  readonly file: OutputFile;
  readonly docs: readonly unknown[];
}

/**
 * What checks and the budget work on: the rendered tree in memory, never the disk. Tests build it
 * from fixtures with {@link buildCheckInput}.
 */
export interface CheckInput {
  readonly files: readonly OutputFile[];
  readonly apps: readonly RenderedApp[];
  /** Every YAML/JSON file with its parsed documents, by path. */
  readonly parsed: ReadonlyMap<string, ParsedFile>;
  /** Every Kubernetes object (documents with `apiVersion` and `kind`), excluding Helm values and kustomizations. */
  readonly objects: readonly RenderedObject[];
  /** Files that did not parse: a bug in a renderer, reported as SW_CHECK_PARSE. */
  readonly parseErrors: readonly Diagnostic[];
  /** The Application deploying `path`, for files under `k8s/helm/manifests/<app>/`. */
  appOf(path: string): RenderedApp | undefined;
  /** The object's namespace, or its Application's destination namespace when it has none. */
  namespaceOf(o: RenderedObject): string | undefined;
}

const isYaml = (p: string) => p.endsWith(".yaml") || p.endsWith(".yml");
const VALUES_PREFIX = "k8s/helm/values/";
const MANIFESTS_PREFIX = "k8s/helm/manifests/";
/**
 * Backstage catalog entities (`apiVersion: backstage.io/…`): Backstage reads them, not Kubernetes,
 * so they are no objects here (the backstage tests validate them with `@backstage/catalog-model`).
 */
const CATALOG_PREFIX = `${CATALOG_DIR}/`;

/** Parses a (possibly multi-document) YAML text into plain data; empty documents are dropped. */
export function parseYamlDocuments(content: string): unknown[] {
  // The common case is one document; `parse` is markedly cheaper than `parseAllDocuments`.
  if (!/^---/m.test(content)) {
    const v = parse(content, { uniqueKeys: false }) as unknown;
    return v === null || v === undefined ? [] : [v];
  }
  const out: unknown[] = [];
  for (const d of parseAllDocuments(content, { uniqueKeys: false })) {
    if ("errors" in d && d.errors.length > 0) throw d.errors[0];
    const v = d.toJS() as unknown;
    out.push(v);
  }
  return out;
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Whether a parsed document is a Kubernetes object: apiVersion, kind and metadata. */
export function isK8sObject(v: unknown): v is K8sObject {
  return (
    isRecord(v) && typeof v.apiVersion === "string" && typeof v.kind === "string" && isRecord(v.metadata)
  );
}

/** Collects the rendered files (iterating `files` once) and parses every YAML and JSON file. */
export function buildCheckInput(files: Iterable<OutputFile>, apps: readonly RenderedApp[]): CheckInput {
  const list = [...files];
  const seen = new Map<string, string>();
  for (const f of list) {
    const earlier = seen.get(f.path);
    if (earlier !== undefined) {
      throw new InputError([
        diag("SW_RENDER_PATH_CONFLICT", `${f.path} is rendered by both ${earlier} and ${f.owner}`, {
          hint: "Two components or services claim the same output path; rename one of them.",
        }),
      ]);
    }
    seen.set(f.path, f.owner);
  }
  const byDir = new Map<string, RenderedApp>();
  for (const a of apps) byDir.set(`${paths.manifestsDir(a.spec.name)}/`, a);
  const appOf = (path: string): RenderedApp | undefined => {
    if (!path.startsWith(MANIFESTS_PREFIX)) return undefined;
    const slash = path.indexOf("/", MANIFESTS_PREFIX.length);
    return slash < 0 ? undefined : byDir.get(path.slice(0, slash + 1));
  };
  const parsed = new Map<string, ParsedFile>();
  const objects: RenderedObject[] = [];
  const parseErrors: Diagnostic[] = [];
  for (const f of list) {
    let docs: unknown[];
    try {
      if (isYaml(f.path)) docs = parseYamlDocuments(f.content);
      else if (f.path.endsWith(".json")) docs = [JSON.parse(f.content) as unknown];
      else continue;
    } catch (e) {
      parseErrors.push(
        diag(
          "SW_CHECK_PARSE",
          `rendered file does not parse: ${e instanceof Error ? e.message : String(e)}`,
          {
            location: { file: f.path, line: 1, col: 1 },
            hint: "This is a bug in the component that rendered the file; report it with the file attached.",
          },
        ),
      );
      continue;
    }
    parsed.set(f.path, { file: f, docs });
    if (
      !isYaml(f.path) ||
      f.path.startsWith(VALUES_PREFIX) ||
      f.path.startsWith(CATALOG_PREFIX) ||
      /(^|\/)kustomization\.ya?ml$/.test(f.path)
    ) {
      continue;
    }
    const app = appOf(f.path);
    docs.forEach((d, doc) => {
      if (!isK8sObject(d)) return;
      objects.push({ file: f.path, doc, object: d, owner: f.owner, ...(app ? { app } : {}) });
    });
  }
  return {
    files: list,
    apps,
    parsed,
    objects,
    parseErrors,
    appOf,
    namespaceOf: (o) => o.object.metadata.namespace ?? o.app?.spec.namespace,
  };
}
