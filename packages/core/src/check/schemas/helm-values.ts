import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Ajv as AjvType, ValidateFunction } from "ajv";
import { isRecord } from "../input.js";
import { parseBlockYaml } from "./fast-yaml.js";
import { ajvFindings } from "./kube-models.js";
import type { SchemaFinding } from "./structural.js";

/**
 * Helm's coalescing of user values over a chart's `values.yaml`: maps merge key by key, lists and
 * scalars replace, and a `null` user value deletes the key (the documented way to unset a default).
 */
export function mergeHelmValues(defaults: unknown, values: unknown): unknown {
  if (!isRecord(defaults) || !isRecord(values)) return values === undefined ? defaults : values;
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(values)) {
    if (v === null) delete out[k];
    else out[k] = k in defaults ? mergeHelmValues(defaults[k], v) : stripNulls(v);
  }
  return out;
}

function stripNulls(v: unknown): unknown {
  if (!isRecord(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = stripNulls(x);
  return out;
}

export interface ChartSchema {
  /** The chart's default values (empty when the directory has no values.yaml). */
  readonly defaults: unknown;
  /** The chart's values.schema.json, when it ships one. */
  readonly schema?: Record<string, unknown>;
  /** How many `$ref`s to schemas on the web were dropped (their subtrees accept anything). */
  readonly remoteRefs?: number;
}

type Draft = "07" | "2019" | "2020";

/** Draft of a schema from its `$schema`; anything unnamed or older is validated as draft-07. */
export function schemaDraft(schema: unknown): Draft {
  const id = isRecord(schema) && typeof schema.$schema === "string" ? schema.$schema : "";
  if (id.includes("2020-12")) return "2020";
  if (id.includes("2019-09")) return "2019";
  return "07";
}

/**
 * Loads charts' values and schemas on demand and validates values with Ajv (the draft each schema
 * names). Ajv is imported only when a chart with a schema is checked: it is the slowest module to
 * load, and compiling a whole chart schema (Traefik's is 180 KB) costs more than everything else
 * `check` does. So a schema is compiled reduced to the top-level keys the values set: keys the
 * user did not set hold the chart's defaults, which are the chart's to keep valid.
 */
export class HelmSchemas {
  readonly #root: string;
  readonly #charts = new Map<string, ChartSchema | null>();
  readonly #ajv = new Map<Draft, AjvType>();
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor(root: string) {
    this.#root = root;
  }

  /** The chart under `schemaRef` (`helm-traefik/41.3.0`), or undefined when the directory has neither file. */
  async chart(schemaRef: string): Promise<ChartSchema | undefined> {
    let c = this.#charts.get(schemaRef);
    if (c === undefined) {
      c = await this.#load(schemaRef);
      this.#charts.set(schemaRef, c);
    }
    return c ?? undefined;
  }

  async #load(ref: string): Promise<ChartSchema | null> {
    const dir = join(this.#root, ref);
    const valuesFile = join(dir, "values.yaml");
    const schemaFile = join(dir, "values.schema.json");
    const hasValues = existsSync(valuesFile);
    const hasSchema = existsSync(schemaFile);
    if (!hasValues && !hasSchema) return null;
    // Without a schema there is nothing to validate, and the defaults need not be read.
    if (!hasSchema) return { defaults: {} };
    const defaults = hasValues ? (parseBlockYaml(readFileSync(valuesFile, "utf8")) ?? {}) : {};
    const dropped = { count: 0 };
    const schema = dropRemoteRefs(JSON.parse(readFileSync(schemaFile, "utf8")), dropped) as Record<
      string,
      unknown
    >;
    return { defaults, schema, ...(dropped.count > 0 ? { remoteRefs: dropped.count } : {}) };
  }

  /** Validates `values` merged over the chart's defaults; undefined when the chart has no schema. */
  async validate(schemaRef: string, values: Record<string, unknown>): Promise<SchemaFinding[] | undefined> {
    const chart = await this.chart(schemaRef);
    if (!chart?.schema) return undefined;
    const keys = Object.keys(values).sort();
    const reduced = reduceSchema(chart.schema, keys);
    const key = reduced ? `${schemaRef}\0${keys.join("\0")}` : schemaRef;
    let fn = this.#compiled.get(key);
    if (!fn) {
      const ajv = await this.#ajvFor(schemaDraft(chart.schema));
      fn = ajv.compile(reduced ?? chart.schema);
      this.#compiled.set(key, fn);
    }
    const merged = mergeHelmValues(chart.defaults, values);
    const data =
      reduced && isRecord(merged)
        ? Object.fromEntries(keys.filter((k) => k in merged).map((k) => [k, merged[k]]))
        : merged;
    if (fn(data)) return [];
    // Only what the user wrote is theirs to fix: a finding about a default they did not touch
    // (a chart whose defaults do not satisfy its own schema) is dropped.
    return ajvFindings(fn.errors ?? [], data).filter((f) =>
      hasPath(values, f.missing ? f.path.slice(0, -1) : f.path),
    );
  }

  async #ajvFor(draft: Draft): Promise<AjvType> {
    const hit = this.#ajv.get(draft);
    if (hit) return hit;
    const formats = (await import("ajv-formats")).default as unknown as (a: AjvType) => void;
    // Upstream schemas are not written for Ajv's strict mode; code optimisation and inlined refs
    // halve compile time, which dominates for a one-shot validation.
    const opts = {
      strict: false,
      allErrors: true,
      logger: false,
      validateSchema: false,
      inlineRefs: false,
      code: { optimize: false },
    } as const;
    let ajv: AjvType;
    if (draft === "2020") ajv = new (await import("ajv/dist/2020.js")).Ajv2020(opts);
    else if (draft === "2019") ajv = new (await import("ajv/dist/2019.js")).Ajv2019(opts);
    else ajv = new (await import("ajv")).Ajv(opts);
    formats(ajv);
    this.#ajv.set(draft, ajv);
    return ajv;
  }
}

/** Keywords that may relate several top-level keys: a root with any of them is not reduced. */
const CROSS_KEY = [
  "allOf",
  "anyOf",
  "oneOf",
  "not",
  "if",
  "then",
  "else",
  "dependentRequired",
  "dependentSchemas",
  "dependencies",
];

/**
 * The schema with its root object (or the local definition a root `$ref` points at, as in
 * cert-manager's) limited to `keys`. `additionalProperties` stays, so a misspelt top-level key is
 * still unknown; `$defs`/`definitions` stay for references. Undefined when the root cannot be
 * reduced safely (no properties, or keywords relating several keys): then the whole schema is used.
 */
export function reduceSchema(
  schema: Record<string, unknown>,
  keys: readonly string[],
): Record<string, unknown> | undefined {
  const reduce = (s: Record<string, unknown>): Record<string, unknown> | undefined => {
    if (CROSS_KEY.some((k) => k in s)) return undefined;
    const props = s.properties as Record<string, unknown>;
    const out: Record<string, unknown> = {
      ...s,
      properties: Object.fromEntries(keys.filter((k) => k in props).map((k) => [k, props[k]])),
    };
    if (Array.isArray(s.required)) out.required = s.required.filter((r) => keys.includes(String(r)));
    return out;
  };
  if (isRecord(schema.properties)) return reduce(schema);
  const ref = typeof schema.$ref === "string" ? /^#\/(\$defs|definitions)\/([^/]+)$/.exec(schema.$ref) : null;
  if (ref) {
    const defsKey = ref[1] as string;
    const name = (ref[2] as string).replace(/~1/g, "/").replace(/~0/g, "~");
    const defs = schema[defsKey];
    const target = isRecord(defs) ? defs[name] : undefined;
    if (isRecord(defs) && isRecord(target) && isRecord(target.properties)) {
      const r = reduce(target);
      return r && { ...schema, [defsKey]: { ...defs, [name]: r } };
    }
  }
  return undefined;
}

function hasPath(v: unknown, path: readonly (string | number)[]): boolean {
  let cur = v;
  for (const seg of path) {
    if (Array.isArray(cur) && typeof seg === "number") cur = cur[seg];
    else if (isRecord(cur) && typeof seg === "string" && seg in cur) cur = cur[seg];
    else return false;
  }
  return true;
}

/**
 * Some charts (ZITADEL's) point `$ref`s at Kubernetes schemas on the web. Nothing is fetched at
 * check time, so such a ref is dropped — its siblings still validate, and the subtree it named
 * accepts anything. The count is reported, so the gap is visible rather than silent.
 */
function dropRemoteRefs(v: unknown, dropped: { count: number }): unknown {
  if (Array.isArray(v)) return v.map((x) => dropRemoteRefs(x, dropped));
  if (!isRecord(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === "$ref" && typeof x === "string" && /^https?:\/\//.test(x)) {
      dropped.count++;
      continue;
    }
    out[k] = dropRemoteRefs(x, dropped);
  }
  return out;
}
