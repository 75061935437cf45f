import { diag, type ErrorCode, InputError } from "@slipway/core/lite";
import { describe, type Preset, type ProjectDescription, presets } from "@slipway/presets";
import { isSlipwayError } from "../errors.js";
import {
  BOOT_VERSION,
  BOOT_VERSION_IDS,
  BUILD_TYPES,
  DEFAULT_TYPE,
  dependenciesOf,
  dependencyById,
  isBuildType,
  LISTED_DEPENDENCIES,
  presetById,
  presetParameters,
  SPRING_PRESETS,
  springCombinations,
  traitsOf,
  UNSUPPORTED_TYPES,
} from "./catalog.js";

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
  /** The directory every archive entry sits under; "" (the default, as in Initializr) for the root. */
  readonly baseDir: string;
}

const bad = (parameter: string, code: ErrorCode, message: string, hint?: string): InputError =>
  new InputError([diag(code, message, { path: [parameter], ...(hint !== undefined ? { hint } : {}) })]);

const TYPES_HINT = `types: ${BUILD_TYPES.map((t) => t.id).join(", ")}; the other presets with preset=<id> (${presets
  .filter((p) => !traitsOf(p.id).java)
  .map((p) => p.id)
  .join(", ")})`;

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

  if (traitsOf(preset.id).java) {
    if (query.language !== undefined && query.language !== "" && query.language !== "java")
      throw bad("language", "SW_SCAFFOLD_UNSUPPORTED", `${preset.id} is a Java project`, "use language=java");
    if (query.packaging !== undefined && query.packaging !== "" && query.packaging !== "jar")
      throw bad("packaging", "SW_SCAFFOLD_UNSUPPORTED", `${preset.id} packages a jar`, "use packaging=jar");
    if (
      query.bootVersion !== undefined &&
      query.bootVersion !== "" &&
      !BOOT_VERSION_IDS.has(query.bootVersion)
    )
      throw bad(
        "bootVersion",
        "SW_SCAFFOLD_UNSUPPORTED",
        `${preset.id} is generated for Spring Boot ${BOOT_VERSION} only`,
        `use bootVersion=${BOOT_VERSION}, or leave it out`,
      );
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

/**
 * The preset of a request. `preset=<id>` names one; so does `type=<preset id>`, kept for the curl
 * users of the time when presets were types. Otherwise the type is a build system (`maven-project`
 * when none is given) and the dependencies choose the smallest Spring preset that has them all.
 * `database`/`auth` constrain the choice the same way.
 */
function choosePreset(query: StarterQuery): Preset {
  const type = query.type || undefined;
  let typePreset: Preset | undefined;
  if (type !== undefined && !isBuildType(type)) {
    if (UNSUPPORTED_TYPES.has(type)) {
      throw bad(
        "type",
        "SW_SCAFFOLD_UNSUPPORTED_TYPE",
        `${type}: Slipway generates Java projects with Maven only`,
        `use type=${DEFAULT_TYPE}`,
      );
    }
    typePreset = presetById(type);
    if (typePreset === undefined) {
      throw bad("type", "SW_SCAFFOLD_UNKNOWN_TYPE", `unknown type ${JSON.stringify(type)}`, TYPES_HINT);
    }
  }
  let named: Preset | undefined = typePreset;
  if (query.preset) {
    named = presetById(query.preset);
    if (named === undefined) {
      throw bad(
        "preset",
        "SW_PRESET_NOT_FOUND",
        `no preset ${JSON.stringify(query.preset)}`,
        `presets: ${presets.map((p) => p.id).join(", ")}`,
      );
    }
    if (typePreset !== undefined && typePreset.id !== named.id) {
      throw bad("type", "SW_SCAFFOLD_CONFLICT", "type and preset name different presets", "give only one");
    }
    if (type !== undefined && isBuildType(type) && !traitsOf(named.id).java) {
      throw bad(
        "type",
        "SW_SCAFFOLD_CONFLICT",
        `${named.id} is not a Maven project`,
        `leave type out with preset=${named.id}`,
      );
    }
  }
  const candidates = named !== undefined ? [named] : SPRING_PRESETS.map((id) => presetById(id) as Preset);
  const wanted = wantedCapabilities(query);
  const match = candidates.find((p) => wanted.every((w) => w.satisfiedBy(p.id)));
  if (match !== undefined) return match;
  const first = (named !== undefined ? wanted.find((w) => !w.satisfiedBy(named.id)) : wanted[0]) as Wanted;
  if (named !== undefined) {
    const offered = dependenciesOf(named.id);
    const providers = presets.filter((p) => first.satisfiedBy(p.id)).map((p) => p.id);
    throw bad(
      first.parameter,
      "SW_SCAFFOLD_UNSUPPORTED",
      `${named.id} does not provide ${first.what}`,
      first.parameter !== "dependencies"
        ? `${first.what} comes with ${providers.join(", ") || "no preset"}`
        : offered.length > 0
          ? `${named.id} has dependencies ${offered.join(",")}`
          : `${named.id} has none of the listed dependencies; the Spring presets by dependencies: ${springCombinations()}`,
    );
  }
  throw bad(
    first.parameter,
    "SW_SCAFFOLD_UNSUPPORTED",
    "no preset provides this combination",
    `the Spring presets by dependencies: ${springCombinations()}`,
  );
}

interface Wanted {
  readonly parameter: string;
  readonly what: string;
  readonly satisfiedBy: (presetId: string) => boolean;
}

function wantedCapabilities(query: StarterQuery): Wanted[] {
  const out: Wanted[] = [];
  const deps = [query.dependencies, query.style].filter((v): v is string => v !== undefined && v !== "");
  for (const id of deps
    .join(",")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")) {
    const dep = dependencyById(id);
    if (dep === undefined) {
      throw bad(
        "dependencies",
        "SW_SCAFFOLD_UNKNOWN_DEPENDENCY",
        `unknown dependency ${JSON.stringify(id)}`,
        `dependencies: ${LISTED_DEPENDENCIES.map((d) => d.id).join(", ")}`,
      );
    }
    out.push({
      parameter: "dependencies",
      what: `dependency ${id}`,
      satisfiedBy: (p) => dep.presets.includes(p),
    });
  }
  const choice = (param: "database" | "auth", allowed: readonly string[]) => {
    const v = query[param];
    if (v === undefined || v === "") return;
    if (!allowed.includes(v)) {
      throw bad(param, "SW_SCAFFOLD_INVALID_PARAMETER", `${param} must be one of ${allowed.join(", ")}`);
    }
    out.push({ parameter: param, what: `${param} ${v}`, satisfiedBy: (p) => traitsOf(p)[param] === v });
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
