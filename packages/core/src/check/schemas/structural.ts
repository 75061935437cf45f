/**
 * Validation of Kubernetes objects against structural schemas: a CRD's `openAPIV3Schema` and the
 * standalone-strict core JSON schemas (kubeconform's `kubernetes-json-schema`).
 *
 * Why an interpreter and not Ajv: these schemas are large and fully inlined (a Deployment's is
 * ~250 KB), and Ajv's code generation for each of them costs more than checking the object
 * (bench/README.md), while walking the object alongside the schema costs time proportional to
 * the object only. It also gives the API server's
 * semantics directly rather than JSON Schema's: unknown fields are pruned by the server (we report
 * them), `x-kubernetes-int-or-string`, `x-kubernetes-embedded-resource`, `nullable`, and list
 * types. CEL rules (`x-kubernetes-validations`) and formats are not evaluated. Ajv is used where
 * full JSON Schema matters: Helm charts' `values.schema.json` (./helm-values.ts).
 */

import { editDistance } from "../../config/introspect.js";
import { isRecord } from "../input.js";

export type JsonSchema = Readonly<Record<string, unknown>>;
export type SchemaPath = readonly (string | number)[];

export interface SchemaFinding {
  readonly code: "SW_CHECK_SCHEMA" | "SW_CHECK_UNKNOWN_FIELD";
  readonly path: SchemaPath;
  readonly message: string;
  /** The finding is a missing required field (its path names the field, which does not exist). */
  readonly missing?: boolean;
}

export interface StructuralOptions {
  /**
   * CRD pruning semantics: an object schema with `properties` and no `additionalProperties` rejects
   * unknown fields unless it has `x-kubernetes-preserve-unknown-fields`. Off for the core schemas,
   * which already say `additionalProperties: false` where they mean it.
   */
  readonly pruning: boolean;
}

const labelValue = {
  type: "string",
  maxLength: 63,
  pattern: "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$",
} as const;

/** ObjectMeta as the API server validates it; a CRD's own schema says only `metadata: {type: object}`. */
export const OBJECT_META: JsonSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    name: { type: "string", maxLength: 253 },
    generateName: { type: "string" },
    namespace: { type: "string", maxLength: 63, pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" },
    labels: { type: "object", additionalProperties: labelValue },
    annotations: { type: "object", additionalProperties: { type: "string" } },
    finalizers: { type: "array", items: { type: "string" } },
    ownerReferences: {
      type: "array",
      items: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    },
    uid: { type: "string" },
    resourceVersion: { type: "string" },
    generation: { type: "integer" },
    creationTimestamp: { type: "string", nullable: true },
    deletionTimestamp: { type: "string", nullable: true },
    deletionGracePeriodSeconds: { type: "integer" },
    managedFields: { type: "array", items: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
    selfLink: { type: "string" },
  },
};

const regexCache = new Map<string, RegExp | null>();
function regex(pattern: string): RegExp | null {
  let r = regexCache.get(pattern);
  if (r === undefined) {
    try {
      r = new RegExp(pattern, "u");
    } catch {
      r = null; // An RE2-only construct: skip rather than report a false positive.
    }
    regexCache.set(pattern, r);
  }
  return r;
}

const jsonType = (v: unknown): string =>
  v === null
    ? "null"
    : Array.isArray(v)
      ? "array"
      : typeof v === "number"
        ? Number.isInteger(v)
          ? "integer"
          : "number"
        : typeof v;

function typeMatches(t: string, v: unknown): boolean {
  switch (t) {
    case "object":
      return isRecord(v);
    case "array":
      return Array.isArray(v);
    case "string":
      return typeof v === "string";
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "number":
      return typeof v === "number";
    case "boolean":
      return typeof v === "boolean";
    case "null":
      return v === null;
    default:
      return true;
  }
}

function sameScalar(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  return false;
}

/** Validates `value` against a structural schema; returns every finding with its path. */
export function validateStructural(
  value: unknown,
  schema: JsonSchema,
  opts: StructuralOptions,
  base: SchemaPath = [],
): SchemaFinding[] {
  const out: SchemaFinding[] = [];
  walk(value, schema, [...base], out, opts.pruning);
  return out;
}

function walk(v: unknown, s: JsonSchema, path: (string | number)[], out: SchemaFinding[], pruning: boolean) {
  const err = (message: string, p: SchemaPath = path) =>
    out.push({ code: "SW_CHECK_SCHEMA", path: [...p], message });
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? (s.type as string[]) : [String(s.type)];

  if (v === null) {
    if (s.nullable === true || types.includes("null") || (types.length === 0 && !s.enum)) return;
    err(`null is not allowed here (expected ${types.join(" or ")})`);
    return;
  }
  if (s["x-kubernetes-int-or-string"] === true) {
    if (!(typeof v === "string" || (typeof v === "number" && Number.isInteger(v)))) {
      err(`expected an integer or a string, got ${jsonType(v)}`);
      return;
    }
  } else if (types.length > 0 && !types.some((t) => typeMatches(t, v))) {
    err(`expected ${types.filter((t) => t !== "null").join(" or ")}, got ${jsonType(v)}`);
    return;
  }
  if (Array.isArray(s.enum) && !s.enum.some((e) => sameScalar(e, v))) {
    const shown = s.enum.slice(0, 8).map((e) => JSON.stringify(e));
    err(`must be one of ${shown.join(", ")}${s.enum.length > 8 ? ", …" : ""}; got ${JSON.stringify(v)}`);
  }

  if (typeof v === "string") {
    const len = [...v].length;
    if (typeof s.maxLength === "number" && len > s.maxLength) err(`longer than ${s.maxLength} characters`);
    if (typeof s.minLength === "number" && len < s.minLength) err(`shorter than ${s.minLength} characters`);
    if (typeof s.pattern === "string") {
      const r = regex(s.pattern);
      if (r && !r.test(v)) err(`does not match the pattern ${s.pattern}`);
    }
  } else if (typeof v === "number") {
    const exMin = s.exclusiveMinimum;
    const exMax = s.exclusiveMaximum;
    if (typeof s.minimum === "number" && (exMin === true ? v <= s.minimum : v < s.minimum)) {
      err(`must be ${exMin === true ? ">" : ">="} ${s.minimum}`);
    }
    if (typeof s.maximum === "number" && (exMax === true ? v >= s.maximum : v > s.maximum)) {
      err(`must be ${exMax === true ? "<" : "<="} ${s.maximum}`);
    }
    if (typeof exMin === "number" && v <= exMin) err(`must be > ${exMin}`);
    if (typeof exMax === "number" && v >= exMax) err(`must be < ${exMax}`);
  } else if (Array.isArray(v)) {
    if (typeof s.maxItems === "number" && v.length > s.maxItems) err(`more than ${s.maxItems} items`);
    if (typeof s.minItems === "number" && v.length < s.minItems) err(`fewer than ${s.minItems} items`);
    const items = s.items;
    if (isRecord(items)) {
      for (const [i, item] of v.entries()) walk(item, items, [...path, i], out, pruning);
    }
    checkListType(v, s, path, err);
  } else if (isRecord(v)) {
    walkObject(v, s, path, out, pruning, err);
  }

  // Composition keywords validate values only; in a CRD they cannot declare the structure, so
  // pruning does not apply inside them.
  if (Array.isArray(s.allOf)) {
    for (const sub of s.allOf) if (isRecord(sub)) walk(v, sub, path, out, false);
  }
  if (Array.isArray(s.anyOf)) {
    const branches = s.anyOf.filter(isRecord);
    if (branches.length > 0 && !branches.some((b) => probe(v, b, path))) {
      err(`does not match any allowed alternative${alternatives(branches)}`);
    }
  }
  if (Array.isArray(s.oneOf)) {
    const branches = s.oneOf.filter(isRecord);
    const n = branches.filter((b) => probe(v, b, path)).length;
    if (branches.length > 0 && n !== 1) {
      err(
        n === 0
          ? `does not match any allowed alternative${alternatives(branches)}`
          : `matches ${n} alternatives where exactly one is allowed${alternatives(branches)}`,
      );
    }
  }
  if (isRecord(s.not) && probe(v, s.not, path)) err("matches a schema it must not match");
}

function probe(v: unknown, s: JsonSchema, path: (string | number)[]): boolean {
  const sub: SchemaFinding[] = [];
  walk(v, s, path, sub, false);
  return sub.length === 0;
}

/** `(one of: a, b)` when the alternatives are "set one of these fields", the usual CRD idiom. */
function alternatives(branches: readonly Record<string, unknown>[]): string {
  const req = branches.map((b) =>
    Array.isArray(b.required) && Object.keys(b).length === 1 ? b.required : null,
  );
  if (req.every((r) => r !== null && r.length > 0)) {
    return ` (set exactly one of: ${req.map((r) => (r as string[]).join("+")).join(", ")})`;
  }
  return "";
}

function walkObject(
  v: Record<string, unknown>,
  s: JsonSchema,
  path: (string | number)[],
  out: SchemaFinding[],
  pruning: boolean,
  err: (m: string, p?: SchemaPath) => void,
) {
  const props = isRecord(s.properties) ? s.properties : undefined;
  const additional = s.additionalProperties;
  const embedded = s["x-kubernetes-embedded-resource"] === true;
  const preserve = s["x-kubernetes-preserve-unknown-fields"] === true;
  const forbidUnknown =
    additional === false || (pruning && props !== undefined && !preserve && additional === undefined);
  if (Array.isArray(s.required)) {
    for (const r of s.required) {
      if (typeof r === "string" && !(r in v)) {
        out.push({
          code: "SW_CHECK_SCHEMA",
          path: [...path, r],
          message: `missing required field ${r}`,
          missing: true,
        });
      }
    }
  }
  const n = Object.keys(v).length;
  if (typeof s.maxProperties === "number" && n > s.maxProperties) err(`more than ${s.maxProperties} fields`);
  if (typeof s.minProperties === "number" && n < s.minProperties) err(`fewer than ${s.minProperties} fields`);
  for (const [k, val] of Object.entries(v)) {
    const p = [...path, k];
    const ps = props?.[k];
    if (isRecord(ps)) {
      walk(val, ps, p, out, pruning);
    } else if (embedded && (k === "apiVersion" || k === "kind")) {
      if (typeof val !== "string") err(`expected string, got ${jsonType(val)}`, p);
    } else if (embedded && k === "metadata") {
      walk(val, OBJECT_META, p, out, pruning);
    } else if (isRecord(additional)) {
      walk(val, additional, p, out, pruning);
    } else if (forbidUnknown) {
      out.push({
        code: "SW_CHECK_UNKNOWN_FIELD",
        path: p,
        message: `unknown field ${JSON.stringify(k)}${props ? nearest(k, Object.keys(props)) : ""}`,
      });
    }
  }
}

function checkListType(
  v: readonly unknown[],
  s: JsonSchema,
  path: (string | number)[],
  err: (m: string, p?: SchemaPath) => void,
) {
  const lt = s["x-kubernetes-list-type"];
  if (lt === "set") {
    const seen = new Set<string>();
    v.forEach((item, i) => {
      const key = JSON.stringify(item);
      if (seen.has(key)) err(`duplicate entry ${key} in a set`, [...path, i]);
      seen.add(key);
    });
  } else if (lt === "map" && Array.isArray(s["x-kubernetes-list-map-keys"])) {
    const keys = s["x-kubernetes-list-map-keys"] as string[];
    const seen = new Set<string>();
    v.forEach((item, i) => {
      if (!isRecord(item)) return;
      const key = JSON.stringify(keys.map((k) => item[k] ?? null));
      if (seen.has(key)) err(`duplicate entry for ${keys.join(", ")} = ${key}`, [...path, i]);
      seen.add(key);
    });
  }
}

/** ` (did you mean "x"?)` for a close property name. */
function nearest(k: string, names: readonly string[]): string {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const n of names) {
    const d = editDistance(k.toLowerCase(), n.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = n;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(k.length / 4))
    ? ` (did you mean ${JSON.stringify(best)}?)`
    : "";
}
