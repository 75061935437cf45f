import { z } from "zod";
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
    out.push("| field | type | default | description |", "|---|---|---|---|");
    for (const r of rows) out.push(`| \`${r.path}\` | ${r.type} | ${r.def} | ${r.description} |`);
  }
  return `${out.join("\n")}\n`;
}

function list(ids: readonly string[]): string {
  return ids.length === 0 ? "—" : ids.map((d) => `\`${d}\``).join(", ");
}

function fields(
  node: JsonSchemaNode,
  prefix: string,
): { path: string; type: string; def: string; description: string }[] {
  const rows: { path: string; type: string; def: string; description: string }[] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    rows.push({
      path,
      type: typeOf(child),
      def: child.default === undefined ? "—" : `\`${JSON.stringify(child.default)}\``,
      description: (child.description ?? "").replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|"),
    });
    if (child.properties) rows.push(...fields(child, path));
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
