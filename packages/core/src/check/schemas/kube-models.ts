import type { SchemaFinding, SchemaPath } from "./structural.js";

/**
 * Offline validation with the `kubernetes-models` classes (core kinds) and the
 * `@kubernetes-models/*` CRD packages. Each class carries a precompiled validator, so a kind costs
 * one module import; only the kinds present in the tree are loaded.
 */

interface ModelClass {
  new (data: unknown): { validate(): void };
}

interface AjvLikeError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly message?: string;
  readonly params: Record<string, unknown>;
}

/** Which package models an API group. */
function packageFor(group: string): string | undefined {
  if (group === "gateway.networking.k8s.io" || group === "gateway.networking.x-k8s.io") {
    return "@kubernetes-models/gateway-api";
  }
  if (group === "" || !group.includes(".") || group.endsWith(".k8s.io")) return "kubernetes-models";
  if (group === "argoproj.io") return "@kubernetes-models/argo-cd";
  if (group === "cert-manager.io" || group.endsWith(".cert-manager.io") || group === "trust-manager.io") {
    return "@kubernetes-models/cert-manager";
  }
  if (group === "external-secrets.io" || group.endsWith(".external-secrets.io")) {
    return "@kubernetes-models/external-secrets";
  }
  if (group.endsWith(".istio.io")) return "@kubernetes-models/istio";
  if (group === "traefik.io" || group === "traefik.containo.us") return "@kubernetes-models/traefik";
  return undefined;
}

const cache = new Map<string, Promise<ModelClass | undefined>>();

/** The model class for `apiVersion`/`kind`, or undefined when no installed package has it. */
export function loadModel(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const key = `${apiVersion}/${kind}`;
  let p = cache.get(key);
  if (!p) {
    p = importModel(apiVersion, kind);
    cache.set(key, p);
  }
  return p;
}

async function importModel(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const pkg = packageFor(group);
  if (!pkg || !/^[A-Za-z0-9]+$/.test(kind) || !/^[a-z0-9.-]*$/.test(group) || !/^v[a-z0-9]+$/.test(version)) {
    return undefined;
  }
  const specifier = group === "" ? `${pkg}/${version}/${kind}` : `${pkg}/${group}/${version}/${kind}`;
  try {
    const mod = (await import(specifier)) as Record<string, unknown>;
    const cls = mod[kind];
    return typeof cls === "function" ? (cls as ModelClass) : undefined;
  } catch {
    return undefined; // Not modelled by the package (a kind or version it does not ship).
  }
}

/** Splits an Ajv instance path (`/spec/ports/0/port`) into a path, numbering array indices. */
export function instancePath(pointer: string, data: unknown): (string | number)[] {
  const out: (string | number)[] = [];
  if (pointer === "") return out;
  let cur: unknown = data;
  for (const raw of pointer.slice(1).split("/")) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(cur) && /^\d+$/.test(seg)) {
      out.push(Number(seg));
      cur = cur[Number(seg)];
    } else {
      out.push(seg);
      cur = typeof cur === "object" && cur !== null ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

/** Maps Ajv errors to findings: one per path, unknown properties as SW_CHECK_UNKNOWN_FIELD. */
export function ajvFindings(
  errors: readonly AjvLikeError[],
  data: unknown,
  base: SchemaPath = [],
): SchemaFinding[] {
  const out: SchemaFinding[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // Branch failures of anyOf/oneOf repeat as noise; the summary error names the path.
    if (e.keyword === "if" || e.keyword === "then" || e.keyword === "else") continue;
    const path = [...base, ...instancePath(e.instancePath, data)];
    let code: SchemaFinding["code"] = "SW_CHECK_SCHEMA";
    let message = e.message ?? e.keyword;
    let missing = false;
    if (e.keyword === "additionalProperties" || e.keyword === "unevaluatedProperties") {
      const extra = String(e.params.additionalProperty ?? e.params.unevaluatedProperty ?? "");
      path.push(extra);
      code = "SW_CHECK_UNKNOWN_FIELD";
      message = `unknown field ${JSON.stringify(extra)}`;
    } else if (e.keyword === "required") {
      path.push(String(e.params.missingProperty));
      message = `missing required field ${String(e.params.missingProperty)}`;
      missing = true;
    } else if (e.keyword === "enum" && Array.isArray(e.params.allowedValues)) {
      message = `must be one of ${e.params.allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
    }
    const key = JSON.stringify(path);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ code, path, message, ...(missing ? { missing } : {}) });
  }
  return out;
}

/** Validates one object with its model class; findings carry paths inside the object. */
export async function validateWithModel(obj: {
  apiVersion: string;
  kind: string;
}): Promise<{ modelled: boolean; findings: SchemaFinding[] }> {
  const cls = await loadModel(obj.apiVersion, obj.kind);
  if (!cls) return { modelled: false, findings: [] };
  try {
    new cls(obj).validate();
    return { modelled: true, findings: [] };
  } catch (e) {
    const errors = (e as { errors?: AjvLikeError[] }).errors;
    if (!Array.isArray(errors)) throw e;
    return { modelled: true, findings: ajvFindings(errors, obj) };
  }
}
