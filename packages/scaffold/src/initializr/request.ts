import { diag, InputError } from "@slipway/core/lite";
import { describe, type Preset, type ProjectDescription, presets } from "@slipway/presets";
import { isSlipwayError } from "../errors.js";
import { DEFAULT_TYPE, DEPENDENCIES, presetById, presetParameters, traitsOf } from "./catalog.js";

/**
 * The parameters of `/starter.zip` and `/starter.tgz`: Initializr's, then the platform's own.
 * One schema for the query string and the form body (STYLE 9); every value is a string.
 */
const STARTER_PARAMETERS = [
  "type",
  "dependencies",
  "style",
  "packaging",
  "javaVersion",
  "language",
  "bootVersion",
  "groupId",
  "artifactId",
  "version",
  "name",
  "description",
  "packageName",
  "baseDir",
  "applicationName",
  "configurationFileFormat",
  "preset",
  "subdomain",
  "database",
  "auth",
  "owner",
  "port",
  "system",
  "lifecycle",
] as const;

export type StarterParameter = (typeof STARTER_PARAMETERS)[number];
export type StarterQuery = Partial<Record<StarterParameter, string>>;

export const starterSchema = {
  type: "object",
  properties: Object.fromEntries(STARTER_PARAMETERS.map((p) => [p, { type: "string", maxLength: 1024 }])),
  additionalProperties: false,
} as const;

/** Initializr parameters a client always sends that only the Java presets use: ignored elsewhere. */
const JAVA_ONLY: ReadonlySet<string> = new Set(["groupId", "artifactId", "packageName", "javaVersion"]);

export interface StarterRequest {
  readonly description: ProjectDescription;
  /** The directory every archive entry sits under; "" for the root. */
  readonly baseDir: string;
}

const bad = (parameter: string, code: string, message: string, hint?: string): InputError =>
  new InputError([diag(code, message, { path: [parameter], ...(hint !== undefined ? { hint } : {}) })]);

/**
 * Turns an Initializr request into a {@link ProjectDescription}. The mapping only renames: every
 * value is validated by the preset's schema in `describe()` (STYLE 10), and a failure names the
 * parameter the client sent (a preset's `name` may have come from `subdomain` or `artifactId`).
 *
 * @throws InputError whose diagnostics' `path[0]` is a request parameter
 */
export function starterRequest(query: StarterQuery, defaults: { readonly owner: string }): StarterRequest {
  for (const key of Object.keys(query)) {
    if (!(STARTER_PARAMETERS as readonly string[]).includes(key)) {
      throw bad(key, "SW_SCAFFOLD_UNKNOWN_PARAMETER", `unknown parameter ${JSON.stringify(key)}`);
    }
  }
  const preset = choosePreset(query);
  const accepted = presetParameters(preset);
  const request: Record<string, unknown> = { owner: defaults.owner };
  const source: Record<string, string> = {};
  const set = (param: string, from: StarterParameter) => {
    const v = query[from];
    if (v === undefined || v === "") return;
    request[param] = v;
    source[param] = from;
  };
  // The service name is also its subdomain; Initializr's `name` is a display name, `artifactId` a fallback.
  if (query.subdomain !== undefined && query.subdomain !== "") set("name", "subdomain");
  else if (query.name !== undefined && query.name !== "") set("name", "name");
  else if (query.artifactId !== undefined && query.artifactId !== "") set("name", "artifactId");
  else request.name = "demo";
  for (const p of ["description", "owner", "port", "system", "lifecycle"] as const) set(p, p);
  for (const p of JAVA_ONLY) if (accepted.has(p)) set(p, p as StarterParameter);

  const traits = traitsOf(preset.id);
  if (traits.language === "java") {
    if (query.language !== undefined && query.language !== "java")
      throw bad("language", "SW_SCAFFOLD_UNSUPPORTED", `${preset.id} is a Java project`, "use language=java");
    if (query.packaging !== undefined && query.packaging !== "jar")
      throw bad("packaging", "SW_SCAFFOLD_UNSUPPORTED", `${preset.id} packages a jar`, "use packaging=jar");
  }
  const baseDir = query.baseDir ?? "";
  let description: ProjectDescription;
  try {
    description = describe(preset.id, request);
  } catch (e) {
    throw renamed(e, (p) => source[p] ?? p);
  }
  return { description, baseDir };
}

/** `preset` or `type` names the preset; without either, the capabilities asked for choose one. */
function choosePreset(query: StarterQuery): Preset {
  const wanted = wantedCapabilities(query);
  const given = query.preset || query.type;
  const param = query.preset ? "preset" : "type";
  if (query.preset && query.type && query.preset !== query.type && presetById(query.type) !== undefined) {
    throw bad("type", "SW_SCAFFOLD_CONFLICT", "type and preset name different presets", "give only one");
  }
  if (given) {
    const preset = presetById(given);
    if (preset === undefined) {
      throw bad(
        param,
        "SW_PRESET_NOT_FOUND",
        `no preset ${JSON.stringify(given)}`,
        `presets: ${presets.map((p) => p.id).join(", ")}`,
      );
    }
    const traits = traitsOf(preset.id);
    for (const w of wanted) {
      if (traits[w.capability] !== w.value) {
        throw bad(
          w.parameter,
          "SW_SCAFFOLD_UNSUPPORTED",
          `${preset.id} does not provide ${w.capability} ${w.value}`,
        );
      }
    }
    return preset;
  }
  if (wanted.length === 0) return presetById(DEFAULT_TYPE) ?? (presets[0] as Preset);
  const match = presets.find((p) => wanted.every((w) => traitsOf(p.id)[w.capability] === w.value));
  if (match === undefined) {
    const first = wanted[0] as Wanted;
    throw bad(first.parameter, "SW_SCAFFOLD_UNSUPPORTED", "no preset provides this combination");
  }
  return match;
}

interface Wanted {
  readonly parameter: string;
  readonly capability: "database" | "auth";
  readonly value: string;
}

function wantedCapabilities(query: StarterQuery): Wanted[] {
  const out: Wanted[] = [];
  const deps = [query.dependencies, query.style].filter((v): v is string => v !== undefined && v !== "");
  for (const id of deps
    .join(",")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")) {
    const dep = DEPENDENCIES.find((d) => d.id === id);
    if (dep === undefined) {
      throw bad(
        "dependencies",
        "SW_SCAFFOLD_UNKNOWN_DEPENDENCY",
        `unknown dependency ${JSON.stringify(id)}`,
        `dependencies: ${DEPENDENCIES.map((d) => d.id).join(", ")}`,
      );
    }
    for (const [capability, value] of Object.entries(dep.requires)) {
      out.push({ parameter: "dependencies", capability: capability as Wanted["capability"], value });
    }
  }
  const choice = (param: "database" | "auth", allowed: readonly string[]) => {
    const v = query[param];
    if (v === undefined || v === "") return;
    if (!allowed.includes(v)) {
      throw bad(param, "SW_SCAFFOLD_INVALID_PARAMETER", `${param} must be one of ${allowed.join(", ")}`);
    }
    out.push({ parameter: param, capability: param, value: v });
  };
  choice("database", ["postgres", "none"]);
  choice("auth", ["oidc", "none"]);
  return out;
}

function renamed(e: unknown, rename: (param: string) => string): unknown {
  if (!isSlipwayError(e) || e.kind !== "input") return e;
  return new InputError(
    e.diagnostics.map((d) => {
      const [first, ...rest] = d.path;
      return typeof first === "string" ? { ...d, path: [rename(first), ...rest] } : d;
    }),
  );
}
