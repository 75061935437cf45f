import { z } from "zod";
import { platformSchema, serviceSchema } from "../config/schema.js";
import type { AnyComponent } from "../render/component.js";

interface JsonSchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  items?: JsonSchemaNode;
}

/**
 * The component reference (docs/reference/components.md), generated from the registry itself so
 * it cannot drift: ids, dependencies, defaults and every config field with its type, default and
 * description. `npm run gen` rewrites it; a golden test fails when it is stale.
 */
export function componentReference(components: readonly AnyComponent[]): string {
  const out: string[] = [
    "# Component reference",
    "",
    "Generated from `packages/core/src/components/index.ts` by `npm run gen`; do not edit.",
    "Each component is configured under `spec.components.<id>` in `platform.yaml`; every one also",
    "takes `enabled`. Dependencies must be enabled too; `after` only orders the sync when enabled.",
    "",
    "| id | enabled by default | depends on | syncs after | what |",
    "|---|---|---|---|---|",
  ];
  for (const c of components) {
    out.push(
      `| [\`${c.id}\`](#${c.id}) | ${c.enabledByDefault ? "yes" : "no"} | ${list(c.dependsOn)} | ${list(c.after ?? [])} | ${c.description} |`,
    );
  }
  for (const c of components) {
    out.push("", `## ${c.id}`, "", c.description, "");
    const schema = z.toJSONSchema(c.config, {
      io: "input",
      target: "draft-07",
      unrepresentable: "any",
    }) as JsonSchemaNode;
    const rows = fields(schema, "");
    if (rows.length === 0) {
      out.push("No settings besides `enabled`.");
      continue;
    }
    out.push(...table(rows));
  }
  return `${out.join("\n")}\n`;
}

/**
 * The field reference of `services/<name>.yaml` and of `platform.yaml` outside
 * `spec.components` (docs/reference/services.md), from the same zod schemas that validate them:
 * every field with its type, default and description. Components have their own page.
 */
export function specReference(components: readonly AnyComponent[]): string {
  const service = toJson(serviceSchema);
  const platform = toJson(platformSchema(components));
  const platformRows = fields(platform, "").filter((r) => !r.path.startsWith("spec.components"));
  return `${[
    "# Service and platform field reference",
    "",
    "Generated from `packages/core/src/config/schema.ts` by `npm run gen`; do not edit. Editors show the",
    "same descriptions on hover through `packages/core/schemas/*.schema.json` (the files' first line",
    "names the schema). Components are configured under `spec.components`: see",
    "[components.md](components.md).",
    "",
    "## `services/<name>.yaml`",
    "",
    "One file per onboarded service; `slipway new` writes it, a person may edit it. The file name is",
    "the service name and must equal `metadata.name`.",
    "",
    ...table(fields(service, "")),
    "",
    "## `platform.yaml`",
    "",
    ...table(platformRows),
  ].join("\n")}\n`;
}

/** `Service <path>` / `Platform <path>` of every field with no description: the reference test fails on any. */
export function undocumentedFields(components: readonly AnyComponent[]): string[] {
  const platform = fields(toJson(platformSchema(components)), "").filter(
    (r) => !r.path.startsWith("spec.components"),
  );
  return [
    ...fields(toJson(serviceSchema), "")
      .filter((r) => r.description === "")
      .map((r) => `Service ${r.path}`),
    ...platform.filter((r) => r.description === "").map((r) => `Platform ${r.path}`),
  ];
}

function toJson(schema: z.ZodType): JsonSchemaNode {
  return z.toJSONSchema(schema, {
    io: "input",
    target: "draft-07",
    unrepresentable: "any",
  }) as JsonSchemaNode;
}

function table(rows: readonly Row[]): string[] {
  return [
    "| field | type | default | description |",
    "|---|---|---|---|",
    ...rows.map((r) => `| \`${r.path}\` | ${r.type} | ${r.def} | ${r.description} |`),
  ];
}

function list(ids: readonly string[]): string {
  return ids.length === 0 ? "—" : ids.map((d) => `\`${d}\``).join(", ");
}

interface Row {
  readonly path: string;
  readonly type: string;
  readonly def: string;
  readonly description: string;
}

function fields(node: JsonSchemaNode, prefix: string): Row[] {
  const rows: Row[] = [];
  const required = new Set(node.required ?? []);
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    rows.push({
      path,
      // Required as the user writes the file: a field with a default is never required.
      type:
        required.has(key) && child.default === undefined ? `${typeOf(child)}, **required**` : typeOf(child),
      def: child.default === undefined ? "—" : `\`${JSON.stringify(child.default)}\``,
      // One table cell: no line breaks, pipes escaped, `<name>` not read as an HTML tag.
      description: (child.description ?? "")
        .replace(/\s*\n\s*/g, " ")
        .replace(/\|/g, "\\|")
        .replace(/</g, "\\<"),
    });
    // Into objects, array items (`secrets[].env`) and the object branch of a union (`database`).
    if (child.properties) rows.push(...fields(child, path));
    else if (child.items?.properties) rows.push(...fields(child.items, `${path}[]`));
    else
      for (const alt of child.anyOf ?? child.oneOf ?? []) if (alt.properties) rows.push(...fields(alt, path));
  }
  return rows;
}

function typeOf(n: JsonSchemaNode): string {
  if (n.enum) return n.enum.map((v) => `\`${JSON.stringify(v)}\``).join(" \\| ");
  if (n.const !== undefined) return `\`${JSON.stringify(n.const)}\``;
  const alts = n.anyOf ?? n.oneOf;
  if (alts) return alts.map(typeOf).join(" \\| ");
  if (Array.isArray(n.type)) return n.type.join(" \\| ");
  if (n.type === "array" && n.items) return `${typeOf(n.items)}[]`;
  return n.type ?? "any";
}
