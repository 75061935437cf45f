import { type Diagnostic, diag, InputError } from "@slipway/core/lite";
import { z } from "zod";
import type { CommonParameters, ProjectDescription } from "./description.js";
import { PARAMETER_ERRORS } from "./parameters.js";
import type { ParametersSchema, Preset } from "./preset.js";
import { getPreset } from "./registry.js";

/** A request as it arrives from the CLI, a YAML file or a web form: untrusted. */
export type ProjectRequest = Readonly<Record<string, unknown>>;

/**
 * Turns an untrusted request into a {@link ProjectDescription}: the one place input is validated.
 * Form values are accepted: integer parameters as decimal strings, and an empty string for an optional
 * parameter counts as not given.
 *
 * @throws NotFoundError `SW_PRESET_NOT_FOUND` for an unknown preset id
 * @throws InputError with one diagnostic per problem; `path` is `[parameter]`. Codes:
 *   `SW_PRESET_UNKNOWN_PARAMETER`, `SW_PRESET_MISSING_PARAMETER`, `SW_PRESET_INVALID_NAME`,
 *   `SW_PRESET_INVALID_OWNER`, `SW_PRESET_INVALID_PACKAGE`, `SW_PRESET_INVALID_GROUP_ID`,
 *   `SW_PRESET_INVALID_PARAMETER`, `SW_PRESET_INVALID_REQUEST`
 * @example describe("node-service", { name: "demo", owner: "octocat" })
 */
export function describe(presetId: string, request: unknown): ProjectDescription {
  const preset = getPreset(presetId);
  if (request === null || typeof request !== "object" || Array.isArray(request)) {
    throw new InputError([
      diag("SW_PRESET_INVALID_REQUEST", "the request must be an object of parameters", {
        hint: `parameters of ${preset.id}: ${Object.keys(preset.parameters.shape).join(", ")}`,
      }),
    ]);
  }
  const input = fromFormValues(preset, request as ProjectRequest);
  const result = preset.parameters.safeParse(input);
  if (!result.success) throw new InputError(toDiagnostics(preset, result.error, input));
  return describeValid(preset, result.data as unknown as CommonParameters);
}

function describeValid(preset: Preset, parameters: CommonParameters): ProjectDescription {
  const slug = `${parameters.owner}/${parameters.name}`;
  return {
    preset: { id: preset.id, version: preset.version },
    parameters,
    repository: { slug, url: `https://github.com/${slug}` },
    image: `ghcr.io/${parameters.owner.toLowerCase()}/${parameters.name}`,
  };
}

/** JSON Schema (draft 2020-12) of a preset's parameters as a form or API client sends them. */
export function parametersJsonSchema(preset: Preset): Record<string, unknown> {
  let cached = schemaCache.get(preset.parameters);
  if (cached === undefined) {
    cached = z.toJSONSchema(preset.parameters, { io: "input" }) as Record<string, unknown>;
    schemaCache.set(preset.parameters, cached);
  }
  return cached;
}

const schemaCache = new WeakMap<ParametersSchema, Record<string, unknown>>();

/**
 * Forms and query strings only send strings: decimal strings become numbers for integer parameters,
 * and an empty string for an optional parameter means "not given" (an empty form field).
 */
function fromFormValues(preset: Preset, request: ProjectRequest): ProjectRequest {
  const schema = parametersJsonSchema(preset) as {
    properties?: Record<string, { type?: string }>;
    required?: string[];
  };
  const props = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(request)) {
    const known = Object.hasOwn(props, k);
    if (known && v === "" && !required.has(k)) continue;
    const type = known ? props[k]?.type : undefined;
    const value =
      (type === "integer" || type === "number") && typeof v === "string" && /^\d{1,9}$/.test(v)
        ? Number(v)
        : v;
    // An own property even for `__proto__`, so the schema refuses it as unknown (an assignment
    // would set the prototype and the parameter would vanish).
    Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function toDiagnostics(preset: Preset, error: z.ZodError, input: ProjectRequest): Diagnostic[] {
  const known = Object.keys(preset.parameters.shape);
  const out: Diagnostic[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        out.push(
          diag("SW_PRESET_UNKNOWN_PARAMETER", `${preset.id} has no parameter ${JSON.stringify(key)}`, {
            path: [key],
            hint: `parameters of ${preset.id}: ${known.join(", ")}`,
          }),
        );
      }
      continue;
    }
    const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    const param = typeof path[0] === "string" ? path[0] : "";
    if (issue.code === "invalid_type" && path.length === 1 && input[param] === undefined) {
      out.push(diag("SW_PRESET_MISSING_PARAMETER", `${param} is required`, { path, hint: `set ${param}` }));
      continue;
    }
    const known_ = PARAMETER_ERRORS[param];
    out.push(
      diag(known_?.code ?? "SW_PRESET_INVALID_PARAMETER", `${param}: ${issue.message}`, {
        path,
        ...(known_ ? { hint: known_.hint } : {}),
      }),
    );
  }
  return out;
}
