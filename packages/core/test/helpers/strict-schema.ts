import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { parseAllDocuments } from "yaml";
import type { K8sObject } from "../../src/render/k8s.js";

/**
 * Validates rendered objects the way the API server would, in strict mode: against a CRD's
 * openAPIV3Schema (every object without `x-kubernetes-preserve-unknown-fields` closed to unknown
 * fields, since the API server prunes them silently) or against the strict core schemas in
 * `kubernetes-json-schema`. A small stand-in for `slipway check` so component tests can assert
 * their objects are valid; schemas come from SLIPWAY_SCHEMA_DIR (default ../shared/upstream).
 */
export const SCHEMA_DIR =
  process.env.SLIPWAY_SCHEMA_DIR ?? join(import.meta.dirname, "../../../../../shared/upstream");

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const cache = new Map<string, ValidateFunction>();

function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (schema === null || typeof schema !== "object") return schema;
  const s: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    s[k] =
      k === "properties"
        ? Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, closeObjects(pv)]))
        : closeObjects(v);
  }
  if (
    s.properties &&
    s.additionalProperties === undefined &&
    s["x-kubernetes-preserve-unknown-fields"] !== true
  ) {
    s.additionalProperties = false;
  }
  return s;
}

/** The validator for `apiVersion`+`kind` from a CRD file under SCHEMA_DIR. */
export function crdValidator(crdFile: string, apiVersion: string, kind: string): ValidateFunction {
  const key = `${crdFile}#${apiVersion}#${kind}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const [group, version] = apiVersion.split("/");
  for (const doc of parseAllDocuments(readFileSync(join(SCHEMA_DIR, crdFile), "utf8"))) {
    const crd = doc.toJS() as {
      spec?: {
        group: string;
        names: { kind: string };
        versions: { name: string; schema: { openAPIV3Schema: object } }[];
      };
    };
    const spec = crd?.spec;
    if (!spec || spec.group !== group || spec.names.kind !== kind) continue;
    const v = spec.versions.find((x) => x.name === version);
    if (!v) continue;
    const schema = closeObjects(v.schema.openAPIV3Schema) as Record<string, unknown>;
    // apiVersion/kind/metadata are validated by the API machinery, not the CRD schema.
    const fn = ajv.compile({
      ...schema,
      properties: { ...(schema.properties as object), metadata: { type: "object" } },
    });
    cache.set(key, fn);
    return fn;
  }
  throw new Error(`no ${kind} ${apiVersion} in ${crdFile}`);
}

/** The strict core schema for a built-in kind (`deployment-apps-v1.json`, `service-v1.json`, …). */
export function coreValidator(o: K8sObject, kubernetesVersion = "1.32"): ValidateFunction {
  const [groupOrVersion, maybeVersion] = o.apiVersion.split("/");
  const file = maybeVersion
    ? `${o.kind.toLowerCase()}-${(groupOrVersion as string).split(".")[0]}-${maybeVersion}.json`
    : `${o.kind.toLowerCase()}-${groupOrVersion}.json`;
  const path = join(SCHEMA_DIR, "kubernetes-json-schema", `v${kubernetesVersion}.0-standalone-strict`, file);
  const hit = cache.get(path);
  if (hit) return hit;
  if (!existsSync(path)) throw new Error(`no strict schema ${path}`);
  const schema = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  delete schema.$schema;
  const fn = ajv.compile(schema);
  cache.set(path, fn);
  return fn;
}

/** Errors as `instancePath message` strings; empty when valid. */
export function validationErrors(fn: ValidateFunction, value: unknown): string[] {
  return fn(value)
    ? []
    : (fn.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""} ${JSON.stringify(e.params)}`);
}

/** Merges chart defaults under values (maps deep, everything else replaced), as Helm does. */
export function helmMerge(defaults: unknown, values: unknown): unknown {
  if (isMap(defaults) && isMap(values)) {
    const out: Record<string, unknown> = { ...defaults };
    for (const [k, v] of Object.entries(values)) out[k] = k in defaults ? helmMerge(defaults[k], v) : v;
    return out;
  }
  return values === undefined ? defaults : values;
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** Validator for a chart's values.schema.json (`helm-vault/0.34.1`). */
export function chartValidator(schemaRef: string): { validate: ValidateFunction; defaults: unknown } {
  const dir = join(SCHEMA_DIR, schemaRef);
  const schema = JSON.parse(readFileSync(join(dir, "values.schema.json"), "utf8")) as Record<string, unknown>;
  delete schema.$schema;
  const defaults = parseAllDocuments(readFileSync(join(dir, "values.yaml"), "utf8"))[0]?.toJS();
  return { validate: ajv.compile(schema), defaults };
}
