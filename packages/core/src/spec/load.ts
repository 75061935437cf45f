import { readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { z } from "zod";
import { type Diagnostic, diag, InputError } from "../diagnostics.js";
import type { AnyComponent } from "../render/component.js";
import { crossFieldRules } from "./rules.js";
import { type PlatformSpec, platformSchema, type ServiceSpec, serviceSchema } from "./schema.js";
import { readSource, type SourceFile } from "./source.js";

export interface LoadedSpec {
  readonly platform: PlatformSpec;
  /** Sorted by name. */
  readonly services: readonly ServiceSpec[];
  /** The root of the platform repository (the directory holding platform.yaml). */
  readonly root: string;
  readonly sources: ReadonlyMap<string, SourceFile>;
}

/**
 * Reads `platform.yaml` and `services/*.yaml` beside it, validates both, and applies the
 * cross-field rules. Throws {@link InputError} carrying every problem found, each with its position.
 */
export function loadSpec(configPath: string, components: readonly AnyComponent[]): LoadedSpec {
  const root = dirname(configPath);
  const display = (p: string) => relative(process.cwd(), p) || p;
  const sources = new Map<string, SourceFile>();
  const diagnostics: Diagnostic[] = [];

  const platformSrc = readSource(configPath, display(configPath));
  sources.set(platformSrc.file, platformSrc);
  const platformDoc = validate(platformSrc, platformSchema(components), diagnostics);

  const servicesDir = join(root, "services");
  let serviceFiles: string[] = [];
  try {
    serviceFiles = readdirSync(servicesDir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
  } catch {
    // No services directory: a platform with no services yet.
  }
  const services: { doc: z.output<typeof serviceSchema>; src: SourceFile }[] = [];
  for (const f of serviceFiles) {
    const src = readSource(join(servicesDir, f), display(join(servicesDir, f)));
    sources.set(src.file, src);
    const doc = validate(src, serviceSchema, diagnostics);
    if (doc) services.push({ doc, src });
  }

  if (!platformDoc) throw new InputError(diagnostics);
  const platform: PlatformSpec = {
    name: platformDoc.metadata.name,
    domain: platformDoc.spec.domain,
    git: platformDoc.spec.git,
    github: platformDoc.spec.github,
    cluster: platformDoc.spec.cluster,
    components: platformDoc.spec.components as PlatformSpec["components"],
  };
  const specs: ServiceSpec[] = services.map(({ doc, src }) => {
    const s = doc.spec;
    const name = doc.metadata.name;
    return {
      ...s,
      name,
      namespace: s.namespace ?? name,
      owner: s.owner ?? platform.github.owner,
      database:
        s.database === false
          ? false
          : { name: s.database.name ?? name.replace(/-/g, "_"), dynamic: s.database.dynamic },
      ...(s.subdomain ? { host: `${s.subdomain}.${platform.domain}` } : {}),
      file: src.file,
    };
  });
  specs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  diagnostics.push(
    ...crossFieldRules({ platform, services: specs, sources, platformFile: platformSrc.file, components }),
  );
  if (diagnostics.some((d) => d.severity === "error")) throw new InputError(diagnostics);
  return { platform, services: specs, root, sources };
}

/** Validates a parsed file against a schema, turning every zod issue into a positioned diagnostic. */
export function validate<S extends z.ZodType>(
  src: SourceFile,
  schema: S,
  out: Diagnostic[],
): z.output<S> | undefined {
  if (src.diagnostics.length > 0) {
    out.push(...src.diagnostics);
    return undefined;
  }
  const result = schema.safeParse(src.data ?? {});
  if (result.success) return result.data;
  for (const issue of result.error.issues) out.push(issueToDiagnostic(issue, src));
  return undefined;
}

function issueToDiagnostic(issue: z.core.$ZodIssue, src: SourceFile): Diagnostic {
  const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  switch (issue.code) {
    case "unrecognized_keys": {
      const key = issue.keys[0] ?? "";
      const keyPath = [...path, key];
      return diag("SW_SPEC_UNKNOWN_KEY", `unknown key '${key}'`, {
        path: keyPath,
        location: src.locate(keyPath, { key: true }),
        hint: "Unknown keys are errors, not ignored: check the spelling against the schema (schemas/*.schema.json).",
      });
    }
    case "invalid_type": {
      const missing = issue.input === undefined;
      return diag(
        missing ? "SW_SPEC_REQUIRED" : "SW_SPEC_TYPE",
        missing ? `${String(path.at(-1) ?? "value")} is required` : `expected ${issue.expected}`,
        {
          path,
          location: src.locate(missing ? path.slice(0, -1) : path),
          hint: missing ? `Add '${String(path.at(-1))}'.` : `Give a value of type ${issue.expected}.`,
        },
      );
    }
    case "invalid_value":
      return diag(
        "SW_SPEC_VALUE",
        `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`,
        {
          path,
          location: src.locate(path),
          hint: "Use one of the listed values.",
        },
      );
    case "invalid_format":
      return diag("SW_SPEC_FORMAT", issue.message, {
        path,
        location: src.locate(path),
        hint: "Fix the value's format.",
      });
    case "too_small":
    case "too_big":
      return diag("SW_SPEC_RANGE", issue.message, {
        path,
        location: src.locate(path),
        hint: "Use a value in range.",
      });
    default:
      return diag("SW_SPEC_INVALID", issue.message, {
        path,
        location: src.locate(path),
        hint: "Fix this value.",
      });
  }
}
