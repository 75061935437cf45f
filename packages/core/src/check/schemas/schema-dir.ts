import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { isRecord } from "../input.js";
import { parseBlockYaml } from "./fast-yaml.js";
import { type JsonSchema, OBJECT_META } from "./structural.js";

export interface CrdVersion {
  readonly name: string;
  readonly served: boolean;
  readonly storage: boolean;
  readonly schema?: JsonSchema;
}

export interface CrdSchema {
  readonly group: string;
  readonly kind: string;
  /** The CRD file, relative to the schema directory. */
  readonly source: string;
  readonly versions: readonly CrdVersion[];
}

interface CrdEntry {
  readonly source: string;
  /** The CRD's YAML document; parsed only when an object of its kind is checked. */
  readonly text: string;
  parsed?: CrdSchema | null;
}

/**
 * A directory of upstream schemas (CI: `../shared/upstream`): CRD YAML files anywhere below it,
 * core JSON schemas under `kubernetes-json-schema/v<version>.0-standalone-strict/`, and Helm charts'
 * `values.yaml` / `values.schema.json` under the `schemaRef` an AppSpec names.
 *
 * Everything is lazy: the index reads each YAML file once and finds a CRD's group and kind by
 * scanning lines (parsing every CRD would cost over a second); only the CRDs of kinds present in
 * the rendered tree are parsed, once each.
 */
export class SchemaDir {
  readonly root: string;
  readonly kubernetesVersion: string;
  #crds: Map<string, CrdEntry> | undefined;
  readonly #core = new Map<string, JsonSchema | null>();

  constructor(root: string, kubernetesVersion: string) {
    this.root = root;
    this.kubernetesVersion = kubernetesVersion;
  }

  /** The CRD defining `group`/`kind`, or undefined when no file under the directory has it. */
  crd(group: string, kind: string): CrdSchema | undefined {
    const entry = this.#index().get(`${group}/${kind}`);
    if (!entry) return undefined;
    if (entry.parsed === undefined) entry.parsed = parseCrd(entry.text, entry.source) ?? null;
    return entry.parsed ?? undefined;
  }

  /**
   * The YAML text of the CRD defining `group`/`kind` and its file (relative to the directory), to
   * install it in an API server as it is published.
   */
  crdDocument(group: string, kind: string): { readonly source: string; readonly text: string } | undefined {
    const entry = this.#index().get(`${group}/${kind}`);
    return entry ? { source: entry.source, text: entry.text } : undefined;
  }

  /** Every CRD of `group` in the directory (an Application that installs the group from elsewhere). */
  crdsOfGroup(group: string): CrdSchema[] {
    const out: CrdSchema[] = [];
    for (const key of this.#index().keys()) {
      if (!key.startsWith(`${group}/`)) continue;
      const c = this.crd(group, key.slice(group.length + 1));
      if (c) out.push(c);
    }
    return out;
  }

  /** Number of CRDs indexed (for stats). */
  get crdCount(): number {
    return this.#index().size;
  }

  /** The standalone-strict JSON schema of a core kind (`deployment-apps-v1.json`), if present. */
  core(group: string, version: string, kind: string): JsonSchema | undefined {
    const suffix = group === "" ? "" : `-${group.split(".")[0]}`;
    const name = `${kind.toLowerCase()}${suffix}-${version}.json`;
    const key = name;
    let s = this.#core.get(key);
    if (s === undefined) {
      const file = join(this.coreSchemaDir(), name);
      s = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as JsonSchema) : null;
      this.#core.set(key, s);
    }
    return s ?? undefined;
  }

  /**
   * The core schema set of the platform's Kubernetes version: `spec.cluster.kubernetesVersion`
   * "1.35" reads `kubernetes-json-schema/v1.35.0-standalone-strict/`.
   */
  coreSchemaDir(): string {
    return join(this.root, "kubernetes-json-schema", `v${this.kubernetesVersion}.0-standalone-strict`);
  }

  /** Whether the directory has core schemas for the platform's Kubernetes version. */
  hasCoreSchemas(): boolean {
    return existsSync(this.coreSchemaDir());
  }

  /**
   * Whether the directory holds core schema sets at all (`kubernetes-json-schema/`). The cache
   * `slipway schemas pull` fills has none: no upstream URL serves those generated files, so core
   * kinds are validated by the bundled models there.
   */
  hasAnyCoreSchemas(): boolean {
    return existsSync(dirname(this.coreSchemaDir()));
  }

  #index(): Map<string, CrdEntry> {
    if (this.#crds) return this.#crds;
    const crds = new Map<string, CrdEntry>();
    const files = (readdirSync(this.root, { recursive: true, withFileTypes: false }) as string[])
      .filter((f) => /\.ya?ml$/.test(f) && !/(^|[/\\])(node_modules|\.[^/\\]+)[/\\]/.test(f))
      .sort();
    for (const rel of files) {
      const text = readFileSync(join(this.root, rel), "utf8");
      if (!text.includes("CustomResourceDefinition")) continue;
      for (const doc of text.split(/^---[^\n]*$/m)) {
        // Quoted too: the Keycloak operator ships `kind: "CustomResourceDefinition"`.
        if (!/^kind:[ \t]*(["']?)CustomResourceDefinition\1[ \t]*$/m.test(doc)) continue;
        const id = scanCrdIdentity(doc);
        if (id && !crds.has(`${id.group}/${id.kind}`))
          crds.set(`${id.group}/${id.kind}`, { source: rel, text: doc });
      }
    }
    this.#crds = crds;
    return crds;
  }
}

const rooted = new WeakMap<JsonSchema, JsonSchema>();

/**
 * A CRD version's schema as the server applies it at the root: `metadata` is ObjectMeta (a CRD
 * says only `metadata: {type: object}`, while the server validates names, labels and
 * annotations), and `apiVersion`/`kind` are always allowed.
 */
export function rootedSchema(schema: JsonSchema): JsonSchema {
  let r = rooted.get(schema);
  if (!r) {
    const props = isRecord(schema.properties) ? schema.properties : {};
    // apiVersion and kind are always allowed at the root, whether the CRD lists them or not.
    const typeMeta = { apiVersion: { type: "string" }, kind: { type: "string" } };
    r = { ...schema, properties: { ...typeMeta, ...props, metadata: OBJECT_META } };
    rooted.set(schema, r);
  }
  return r;
}

const unquote = (s: string) =>
  s
    .replace(/\s+#.*$/, "")
    .trim()
    .replace(/^(["'])(.*)\1$/, "$2");

/**
 * Finds `spec.group` and `spec.names.kind` of a CRD document by indentation, without parsing it.
 * Returns undefined for layouts it does not recognise (flow style), which are then not indexed.
 */
export function scanCrdIdentity(doc: string): { group: string; kind: string } | undefined {
  const m = /^spec:[ \t]*$/m.exec(doc);
  if (!m) return undefined;
  let pos = m.index + m[0].length + 1;
  let childIndent = -1;
  let namesChildIndent = -1;
  let inNames = false;
  let group: string | undefined;
  let kind: string | undefined;
  while (pos < doc.length && (group === undefined || kind === undefined)) {
    let end = doc.indexOf("\n", pos);
    if (end < 0) end = doc.length;
    const line = doc.slice(pos, end);
    pos = end + 1;
    const indent = line.search(/\S/);
    if (indent < 0 || line[indent] === "#") continue;
    if (indent === 0) break;
    if (childIndent < 0) childIndent = indent;
    const body = line.slice(indent);
    if (indent === childIndent) {
      inNames = body.startsWith("names:");
      if (body.startsWith("group:")) group = unquote(body.slice(6));
    } else if (inNames && indent > childIndent) {
      if (namesChildIndent < 0) namesChildIndent = indent;
      if (indent === namesChildIndent && body.startsWith("kind:")) kind = unquote(body.slice(5));
    }
  }
  return group && kind ? { group, kind } : undefined;
}

function parseCrd(text: string, source: string): CrdSchema | undefined {
  return crdSchema(parseBlockYaml(text), source);
}

/** The group, kind and versions of a CustomResourceDefinition object (parsed, or rendered in the tree). */
export function crdSchema(crd: unknown, source: string): CrdSchema | undefined {
  if (!isRecord(crd) || !isRecord(crd.spec)) return undefined;
  const spec = crd.spec;
  const names = isRecord(spec.names) ? spec.names : {};
  if (typeof spec.group !== "string" || typeof names.kind !== "string") return undefined;
  // apiextensions.k8s.io/v1beta1 CRDs keep one schema for all versions under spec.validation.
  const shared =
    isRecord(spec.validation) && isRecord(spec.validation.openAPIV3Schema)
      ? spec.validation.openAPIV3Schema
      : undefined;
  const versions: CrdVersion[] = [];
  if (Array.isArray(spec.versions)) {
    for (const v of spec.versions) {
      if (!isRecord(v) || typeof v.name !== "string") continue;
      const schema =
        isRecord(v.schema) && isRecord(v.schema.openAPIV3Schema)
          ? (v.schema.openAPIV3Schema as JsonSchema)
          : shared;
      versions.push({
        name: v.name,
        served: v.served !== false,
        storage: v.storage === true,
        ...(schema ? { schema } : {}),
      });
    }
  } else if (typeof spec.version === "string") {
    versions.push({ name: spec.version, served: true, storage: true, ...(shared ? { schema: shared } : {}) });
  }
  return { group: spec.group, kind: names.kind, source, versions };
}
