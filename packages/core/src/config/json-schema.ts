import { z } from "zod";
import type { AnyComponent } from "../render/component.js";
import { API_VERSION, platformSchema, serviceSchema } from "./schema.js";

/** File names of the exported schemas, under `packages/core/schemas/`. */
export const SCHEMA_FILES = {
  platform: "platform.schema.json",
  service: "service.schema.json",
} as const;

/**
 * The JSON Schemas of `platform.yaml` and `services/<name>.yaml`, generated from the same zod
 * schemas that validate them, for editors (yaml-language-server) and forms.
 *
 * `io: "input"` describes what a user may write (defaults make fields optional, and CPU quantities
 * accept numbers) rather than what validation produces. Draft-07 because it is the draft that
 * yaml-language-server and VS Code's JSON service support completely.
 *
 * @example
 * ```yaml
 * # yaml-language-server: $schema=../packages/core/schemas/platform.schema.json
 * apiVersion: slipway.dev/v1alpha1
 * kind: Platform
 * ```
 */
export function jsonSchemas(components: readonly AnyComponent[]): { path: string; content: string }[] {
  const platform = exportSchema(platformSchema(components), {
    title: "Slipway platform",
    description: `platform.yaml (${API_VERSION}, kind Platform): the platform, its cluster and its components.`,
  });
  const service = exportSchema(serviceSchema, {
    title: "Slipway service",
    description: `services/<name>.yaml (${API_VERSION}, kind Service): one service onboarded onto the platform.`,
  });
  return [
    { path: SCHEMA_FILES.platform, content: platform },
    { path: SCHEMA_FILES.service, content: service },
  ];
}

function exportSchema(schema: z.ZodType, meta: { title: string; description: string }): string {
  const json = z.toJSONSchema(schema, { io: "input", target: "draft-07", unrepresentable: "any" });
  // Title and description first so the file reads top-down; the rest keeps zod's stable order.
  return `${JSON.stringify({ $schema: json.$schema, ...meta, ...json }, null, 2)}\n`;
}
