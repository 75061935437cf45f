import { lstatSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { z } from "zod";
import { type Diagnostic, diag, formatPath, InputError, NotFoundError, printable } from "../diagnostics.js";
import type { ErrorCode } from "../errors.js";
import type { AnyComponent } from "../render/component.js";
import { resolveCluster } from "./environment.js";
import { allowedKeys, closest } from "./introspect.js";
import { crossFieldRules, serviceFileStem } from "./rules.js";
import { API_VERSION, type PlatformSpec, platformSchema, type ServiceSpec, serviceSchema } from "./schema.js";
import { type ParsedSource, readSource, type SourceFile } from "./source.js";

export interface LoadedSpec {
  readonly platform: PlatformSpec;
  /** Sorted by name. */
  readonly services: readonly ServiceSpec[];
  /** The root of the platform repository (the directory holding platform.yaml). */
  readonly root: string;
  /** The platform file itself, absolute (`<root>/platform.yaml` when a directory was given). */
  readonly configFile: string;
}

/** The file name `slipway` looks for when given a directory. */
export const PLATFORM_FILE = "platform.yaml";

/**
 * Reads `platform.yaml` and `services/*.yaml` beside it, validates both, and applies the
 * cross-field rules. Throws {@link InputError} carrying every problem found, each with its position,
 * or {@link NotFoundError} (`SW_CONFIG_NOT_FOUND`) when there is no platform.yaml.
 *
 * `configPath` may also be the platform repository's directory.
 */
export function loadSpec(configPath: string, components: readonly AnyComponent[]): LoadedSpec {
  const display = (p: string) => relative(process.cwd(), p) || p;
  const configFile = isDirectory(configPath) ? join(configPath, PLATFORM_FILE) : configPath;
  // Not followed: a link is refused by readSource (SW_SPEC_NOT_A_FILE), as is a directory or FIFO.
  if (lstatSync(configFile, { throwIfNoEntry: false }) === undefined) {
    throw new NotFoundError([
      diag("SW_CONFIG_NOT_FOUND", `${display(configFile)} does not exist`, {
        hint: "Pass the platform file with --config, or create a starter repository with 'slipway init'.",
      }),
    ]);
  }
  const root = dirname(configFile);
  const diagnostics: Diagnostic[] = [];

  const platformParsed = readSource(configFile, display(configFile));
  const platformSrc = platformParsed.source;
  const platformDoc = validate(platformParsed, platformSchema(components), diagnostics, "Platform");

  const servicesDir = join(root, "services");
  let serviceFiles: string[] = [];
  const servicesStat = lstatSync(servicesDir, { throwIfNoEntry: false });
  if (servicesStat === undefined) {
    // No services directory: a platform with no services yet.
  } else if (!servicesStat.isDirectory()) {
    // A link (to /etc, say) would have its YAML files read and quoted; a file would read as "no
    // services" and delete every service's rendered files.
    diagnostics.push(
      diag(
        "SW_SPEC_SERVICES_NOT_A_DIR",
        `${display(servicesDir)} is ${servicesStat.isSymbolicLink() ? "a symbolic link" : "not a directory"}`,
        {
          location: { file: display(servicesDir), line: 1, col: 1 },
          hint: "services/ is a plain directory of services/<name>.yaml files in the platform repository.",
        },
      ),
    );
  } else {
    serviceFiles = readdirSync(servicesDir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
  }
  const platform: PlatformSpec | undefined = platformDoc && {
    name: platformDoc.metadata.name,
    domain: platformDoc.spec.domain,
    git: platformDoc.spec.git,
    github: platformDoc.spec.github,
    cluster: resolveCluster(platformDoc.spec.cluster),
    components: platformDoc.spec.components as PlatformSpec["components"],
    ...(platformDoc.spec.access ? { access: platformDoc.spec.access } : {}),
  };
  // Each file becomes its ServiceSpec as soon as it is valid: the validated documents are not kept
  // to the end of the loop.
  const specs: ServiceSpec[] = [];
  const shared = new Interner();
  const invalidServices = new Set<string>();
  for (const f of serviceFiles) {
    const parsed = readSource(join(servicesDir, f), display(join(servicesDir, f)));
    const doc = validate(parsed, serviceSchema, diagnostics, "Service");
    if (!doc) invalidServices.add(serviceFileStem(f));
    else if (platform) specs.push(serviceSpec(doc, parsed.source.file, platform, shared));
  }

  if (!platform) throw new InputError(diagnostics);
  specs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  diagnostics.push(
    ...crossFieldRules({
      platform,
      services: specs,
      invalidServices,
      platformFile: platformSrc.file,
      components,
    }),
  );
  if (diagnostics.some((d) => d.severity === "error")) throw new InputError(diagnostics);
  return { platform, services: specs, root, configFile: resolve(configFile) };
}

/** A validated service document with its defaults resolved against the platform. */
function serviceSpec(
  doc: z.output<typeof serviceSchema>,
  file: string,
  platform: PlatformSpec,
  shared: Interner,
): ServiceSpec {
  const s = doc.spec;
  const name = doc.metadata.name;
  return {
    ...s,
    // Values most services share are one frozen object.
    exposure: shared.value(s.exposure),
    runtime: shared.value(s.runtime),
    auth: shared.value(s.auth),
    resources: shared.value({
      requests: shared.value(s.resources.requests),
      limits: shared.value(s.resources.limits),
    }),
    secrets: shared.value(s.secrets),
    health: shared.value(s.health),
    dependsOn: shared.value(s.dependsOn),
    mesh: shared.value(s.mesh),
    name,
    namespace: s.namespace ?? name,
    owner: s.owner ?? platform.github.owner,
    database:
      s.database === false
        ? false
        : { name: s.database.name ?? name.replace(/-/g, "_"), dynamic: s.database.dynamic },
    ...(s.subdomain ? { host: `${s.subdomain}.${platform.domain}` } : {}),
    file,
  };
}

/**
 * Shares equal values between services: the first of each is kept (deeply frozen) and returned for
 * every equal one after it. Bounded, so a field whose values all differ costs a few hundred keys.
 */
class Interner {
  static readonly LIMIT = 512;
  readonly #values = new Map<string, unknown>();

  value<T>(v: T): T {
    const key = typeof v === "string" ? `s${v}` : `j${JSON.stringify(v)}`;
    const known = this.#values.get(key);
    if (known !== undefined) return known as T;
    if (this.#values.size < Interner.LIMIT) this.#values.set(key, deepFreeze(v));
    return v;
  }
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === "object" && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

function isDirectory(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false })?.isDirectory() === true;
}

/** What a document of each kind is and where it lives, for the header hints. */
const KIND_HOME = {
  Platform: "platform.yaml describes the platform",
  Service: "each services/<name>.yaml describes one service",
} as const;

/**
 * Validates a parsed file against a schema, turning every zod issue into a positioned diagnostic.
 * The header (apiVersion, kind) is checked first: a document of another version or kind would
 * only produce noise when validated field by field.
 */
export function validate<S extends z.ZodType>(
  parsed: ParsedSource,
  schema: S,
  out: Diagnostic[],
  kind: keyof typeof KIND_HOME,
): z.output<S> | undefined {
  const src = parsed.source;
  if (parsed.diagnostics.length > 0) {
    out.push(...parsed.diagnostics);
    return undefined;
  }
  const header = `apiVersion: ${API_VERSION} and kind: ${kind}`;
  if (parsed.empty || parsed.data === null || parsed.data === undefined) {
    out.push(
      diag("SW_SPEC_EMPTY", `${src.file} is empty`, {
        location: { file: src.file, line: 1, col: 1 },
        hint: `Start the file with ${header}.`,
      }),
    );
    return undefined;
  }
  if (!isMapping(parsed.data)) {
    out.push(
      diag("SW_SPEC_NOT_MAPPING", `the document is ${describeValue(parsed.data)}, not a mapping`, {
        location: src.locate([]),
        hint: `The top level must be a mapping with ${header}, metadata and spec.`,
      }),
    );
    return undefined;
  }
  const headerProblem = checkHeader(parsed.data, src, kind);
  if (headerProblem) {
    out.push(headerProblem);
    return undefined;
  }
  const result = schema.safeParse(parsed.data);
  if (result.success) return result.data;
  // Each diagnostic locates itself by parsing the file again: a file of thousands of wrong values
  // reports its first ones, and the count of the rest.
  const issues = result.error.issues;
  for (const issue of issues.slice(0, MAX_ISSUES)) {
    out.push(...issueToDiagnostics(issue, [], { src, data: parsed.data, schema }));
  }
  if (issues.length > MAX_ISSUES)
    out.push(
      diag(
        "SW_SPEC_MORE_ERRORS",
        `${issues.length - MAX_ISSUES} more problems in ${src.file} are not shown`,
        {
          severity: "info",
          location: { file: src.file, line: 1, col: 1 },
          hint: `Only the first ${MAX_ISSUES} are reported; fix those and run again.`,
        },
      ),
    );
  return undefined;
}

/** Schema problems reported per file. */
const MAX_ISSUES = 50;

function checkHeader(
  data: Record<string, unknown>,
  src: SourceFile,
  kind: keyof typeof KIND_HOME,
): Diagnostic | undefined {
  const { apiVersion, kind: actualKind } = data;
  if (apiVersion !== undefined && apiVersion !== API_VERSION) {
    return diag("SW_SPEC_API_VERSION", `unsupported apiVersion ${JSON.stringify(apiVersion)}`, {
      path: ["apiVersion"],
      location: src.locate(["apiVersion"]),
      hint: `Use apiVersion: ${API_VERSION}, the version this slipway reads.`,
    });
  }
  if (actualKind !== undefined && actualKind !== kind) {
    const other = (Object.keys(KIND_HOME) as (keyof typeof KIND_HOME)[]).find((k) => k === actualKind);
    return diag("SW_SPEC_KIND", `expected kind ${kind}, got ${JSON.stringify(actualKind)}`, {
      path: ["kind"],
      location: src.locate(["kind"]),
      hint: other
        ? `${KIND_HOME[kind]} (kind: ${kind}); ${KIND_HOME[other]} (kind: ${other}).`
        : `Use kind: ${kind}; ${KIND_HOME[kind]}.`,
    });
  }
  return undefined;
}

interface IssueContext {
  readonly src: SourceFile;
  readonly data: unknown;
  readonly schema: z.ZodType;
}

type Issue = z.core.$ZodIssue;
type Path = (string | number)[];

/** Maps one zod issue (possibly nested in a union) to diagnostics; `prefix` is the union's path. */
function issueToDiagnostics(issue: Issue, prefix: Path, ctx: IssueContext): Diagnostic[] {
  const { src } = ctx;
  const path: Path = [...prefix, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))];
  const actual = valueAt(ctx.data, path);
  const field = path.length > 0 ? printable(String(path.at(-1))) : "document";

  // A missing value shows up as a type error (or a failed union or literal); report it at the parent
  // mapping, where the key has to be added.
  if (issue.code !== "unrecognized_keys" && issue.code !== "invalid_key" && actual === undefined) {
    const parent = path.slice(0, -1);
    return [
      diag("SW_SPEC_REQUIRED", `'${field}' is required`, {
        path,
        // The parent's key (`spec:`) reads better than its first child when the whole mapping is meant.
        location: src.locate(parent, { key: parent.length > 0 }),
        hint: `Add '${field}' to ${parent.length > 0 ? formatPath(parent) : "the top level"}.`,
      }),
    ];
  }

  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = allowedKeys(ctx.schema, path);
      return issue.keys.map((key) => {
        const keyPath = [...path, key];
        const guess = closest(key, allowed);
        const list = allowed.length > 0 ? `Allowed here: ${allowed.join(", ")}.` : "";
        return diag(
          "SW_SPEC_UNKNOWN_KEY",
          `unknown key '${printable(key)}' in ${formatPath(path) || "the document"}`,
          {
            path: keyPath,
            location: src.locate(keyPath, { key: true }),
            hint: guess
              ? `did you mean '${guess}'? ${list}`
              : `Unknown keys are errors, not ignored. ${list}`,
          },
        );
      });
    }
    case "invalid_type":
      return [typeMismatch(path, [describeExpected(issue.expected)], actual, ctx)];
    case "invalid_union": {
      // A union fails as a whole when the value has the wrong type for every branch; otherwise the
      // branch whose type matched explains the problem.
      const rootMismatch = (branch: readonly Issue[]) =>
        branch.length === 1 &&
        branch[0]?.path.length === 0 &&
        (branch[0].code === "invalid_type" || branch[0].code === "invalid_value");
      const matched = issue.errors.find((branch) => !rootMismatch(branch));
      if (matched) return matched.flatMap((i) => issueToDiagnostics(i, path, ctx));
      const expected = issue.errors.flatMap((branch) =>
        branch.flatMap((i) =>
          i.code === "invalid_type"
            ? [describeExpected(i.expected)]
            : i.code === "invalid_value"
              ? i.values.map((v) => JSON.stringify(v))
              : [],
        ),
      );
      return [typeMismatch(path, expected, actual, ctx)];
    }
    case "invalid_value": {
      const values = issue.values.map((v) => JSON.stringify(v));
      const guess = typeof actual === "string" ? closest(actual, issue.values.map(String)) : undefined;
      return [
        diag("SW_SPEC_VALUE", `${field} is ${quoted(actual)}; it must be one of ${values.join(", ")}`, {
          path,
          location: src.locate(path),
          hint: guess ? `did you mean '${guess}'?` : `Use one of ${values.join(", ")}.`,
        }),
      ];
    }
    case "invalid_format":
      return [
        diag("SW_SPEC_FORMAT", `${field} ${quoted(actual)} is not valid`, {
          path,
          location: src.locate(path),
          hint: formatHint(issue),
        }),
      ];
    case "too_small":
    case "too_big": {
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const noun = issue.origin === "array" ? "item" : issue.origin === "string" ? "character" : "";
      // Schemas that explain their bound (cluster.nodes) say why; zod's defaults start with "Too".
      const custom = /^(Too|Invalid)/.test(issue.message) ? undefined : issue.message;
      const rel = issue.code === "too_small" ? "at least" : "at most";
      return [
        diag(
          "SW_SPEC_RANGE",
          custom ?? `${field} must be ${rel} ${plural(bound, noun)}, got ${describeSize(actual)}`,
          {
            path,
            location: src.locate(path),
            hint: `Use ${rel} ${plural(bound, noun)}.`,
          },
        ),
      ];
    }
    case "invalid_key": {
      const inner = issue.issues[0];
      const rule = inner && inner.code === "invalid_format" ? formatHint(inner) : "Rename the key.";
      return [
        diag("SW_SPEC_FORMAT", `key '${field}' is not valid`, {
          path,
          location: src.locate(path, { key: true }),
          hint: rule,
        }),
      ];
    }
    case "custom": {
      // Refinements in the schema carry their own code and hint in `params` (see primitives.ts).
      const params = (issue.params ?? {}) as { code?: ErrorCode; hint?: string };
      return [
        diag(params.code ?? "SW_SPEC_VALUE", `${field} ${quoted(actual)} ${issue.message}`, {
          path,
          location: src.locate(path),
          hint: params.hint ?? "Change the value.",
        }),
      ];
    }
    default:
      return [
        diag("SW_SPEC_INVALID", `${field}: ${issue.message}`, {
          path,
          location: src.locate(path),
          hint: "Change the value; the JSON Schema in packages/core/schemas describes what is accepted.",
        }),
      ];
  }
}

function typeMismatch(
  path: Path,
  expected: readonly string[],
  actual: unknown,
  ctx: IssueContext,
): Diagnostic {
  const field = path.length > 0 ? printable(String(path.at(-1))) : "document";
  const unique = [...new Set(expected)];
  const want = unique.map(withArticle).join(" or ");
  let hint = `Give ${field} ${want}.`;
  if (actual === null) hint = `The value is empty: give ${field} ${want}, or remove the key.`;
  else if (
    unique.length === 1 &&
    unique[0] === "string" &&
    (typeof actual === "number" || typeof actual === "boolean")
  )
    hint = `Quote the value to make it a string: ${field}: "${String(actual)}".`;
  else if (unique.length === 1 && unique[0] === "boolean") hint = `Use true or false, unquoted.`;
  else if (unique.includes("integer") && typeof actual === "number")
    hint = `Use a whole number, such as ${Math.round(actual)}.`;
  return diag("SW_SPEC_TYPE", `${field} must be ${want}, got ${describeValue(actual)}`, {
    path,
    location: ctx.src.locate(path),
    hint,
  });
}

function withArticle(type: string): string {
  if (type.startsWith('"') || /^(true|false|null|\d)/.test(type)) return type;
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function plural(n: number | bigint, noun: string): string {
  return noun === "" ? String(n) : `${String(n)} ${noun}${Number(n) === 1 ? "" : "s"}`;
}

const FORMAT_HINTS: Record<string, string> = {
  url: "Use an https:// or ssh:// URL, such as https://github.com/owner/platform.git.",
  starts_with: "Use an absolute HTTP path starting with '/', such as /healthz.",
};

function formatHint(issue: Issue & { code: "invalid_format" }): string {
  if (FORMAT_HINTS[issue.format]) return FORMAT_HINTS[issue.format] as string;
  // Our primitives phrase their messages as the rule ("must be a DNS label: …, such as …").
  return /^Invalid/.test(issue.message)
    ? `The value must be a valid ${issue.format}.`
    : `It ${issue.message}.`;
}

function describeExpected(expected: string): string {
  switch (expected) {
    case "object":
    case "record":
      return "mapping";
    case "array":
    case "tuple":
      return "list";
    case "int":
      return "integer";
    default:
      return expected;
  }
}

function describeValue(v: unknown): string {
  if (v === null) return "an empty value (null)";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `a string ${quoted(v)}`;
  if (typeof v === "number") return Number.isInteger(v) ? `the integer ${v}` : `the number ${v}`;
  if (typeof v === "boolean") return `the boolean ${v}`;
  return typeof v;
}

function describeSize(v: unknown): string {
  if (Array.isArray(v)) return `${v.length}`;
  if (typeof v === "string") return `${v.length}`;
  return String(v);
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let cur = data;
  for (const seg of path) {
    if (Array.isArray(cur) && typeof seg === "number") cur = cur[seg];
    else if (isMapping(cur)) cur = Object.hasOwn(cur, seg) ? cur[seg] : undefined;
    else return undefined;
  }
  return cur;
}

/** A value quoted in a message: JSON-escaped (control characters included) and cut to a readable length. */
function quoted(v: unknown): string {
  const s = printable(JSON.stringify(v) ?? String(v));
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
