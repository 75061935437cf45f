import { type Preset, parametersJsonSchema, presets } from "@slipway/presets";
import { traitsOf } from "../initializr/catalog.js";

/** The JSON Schema keywords the form reads from a preset parameter. */
export interface PropertySchema {
  readonly type?: string;
  readonly title?: string;
  readonly description?: string;
  readonly default?: unknown;
  readonly enum?: readonly string[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly maxLength?: number;
}

/** Where a field sits on the page. */
export type FieldGroup = "service" | "build";

/** One input of the form and the presets it belongs to. */
export interface FormField {
  readonly name: string;
  readonly prop: PropertySchema;
  readonly required: boolean;
  /** Ids of the presets that take it; the stylesheet hides it while another preset is checked. */
  readonly presets: readonly string[];
  readonly group: FieldGroup;
  /** Option labels of a `select`, by value. */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * The API's platform parameters (`/starter.zip`'s `subdomain`, `auth`, `database`) as form fields.
 * They are not preset parameters: the request mapping (`starterRequest`) turns `subdomain` into the
 * service name and checks `auth` and `database` against what the chosen preset provides, exactly as
 * for an API client, so a field is shown only for the presets where it has a valid value.
 */
const PLATFORM_FIELDS: readonly FormField[] = [
  {
    name: "subdomain",
    prop: {
      type: "string",
      title: "Subdomain",
      description:
        "Optional: <subdomain>.<domain> serves the service. It is the service name too: give it instead of Name, or the same.",
      maxLength: 63,
    },
    required: false,
    presets: presets.map((p) => p.id),
    group: "service",
  },
  {
    name: "auth",
    prop: {
      type: "string",
      title: "Login",
      description: "oidc: the platform's identity provider registers a client for the service.",
      enum: ["oidc", "none"],
      default: "oidc",
    },
    required: false,
    presets: presets.filter((p) => traitsOf(p.id).auth !== "none").map((p) => p.id),
    group: "service",
    labels: { oidc: "OIDC login (platform identity provider)", none: "None" },
  },
  {
    name: "database",
    prop: {
      type: "string",
      title: "Database",
      description: "postgres: a database on the platform's shared PostgreSQL, credentials from Vault.",
      enum: ["postgres", "none"],
      default: "postgres",
    },
    required: false,
    presets: presets.filter((p) => traitsOf(p.id).database !== "none").map((p) => p.id),
    group: "service",
    labels: { postgres: "PostgreSQL (platform)", none: "None" },
  },
];

/** Preset parameters, then the platform fields after the first `after` parameter. */
const ORDER_AFTER: Readonly<Record<string, string>> = { subdomain: "name", auth: "port", database: "auth" };

function schemaOf(preset: Preset): { properties: Record<string, PropertySchema>; required: Set<string> } {
  const schema = parametersJsonSchema(preset) as {
    properties?: Record<string, PropertySchema>;
    required?: string[];
  };
  return { properties: schema.properties ?? {}, required: new Set(schema.required ?? []) };
}

/**
 * Every field of every preset, once, in the presets' order: the form renders all of them, and each
 * one that not every preset takes is marked with the presets that do. A field two presets share
 * comes from the first one's schema (the shared pieces in `@slipway/presets` parameters.ts).
 */
function buildFields(): readonly FormField[] {
  const byName = new Map<string, { prop: PropertySchema; required: boolean; presets: string[] }>();
  for (const preset of presets) {
    const { properties, required } = schemaOf(preset);
    for (const [name, prop] of Object.entries(properties)) {
      const known = byName.get(name);
      if (known === undefined) byName.set(name, { prop, required: required.has(name), presets: [preset.id] });
      else known.presets.push(preset.id);
    }
  }
  const out: FormField[] = [...byName].map(([name, f]) => ({
    name,
    ...f,
    group: f.presets.length === presets.length ? "service" : "build",
  }));
  for (const field of PLATFORM_FIELDS) {
    const at = out.findIndex((f) => f.name === ORDER_AFTER[field.name]);
    out.splice(at === -1 ? out.length : at + 1, 0, field);
  }
  return out;
}

export const FORM_FIELDS: readonly FormField[] = buildFields();

/** Whether `preset` takes the form field `name` (a field of another preset is left out of its request). */
export function takesField(preset: Preset, name: string): boolean {
  return FORM_FIELDS.some((f) => f.name === name && f.presets.includes(preset.id));
}

/** Whether `name` is a field of the form at all (for any preset). */
export function isFormField(name: string): boolean {
  return FORM_FIELDS.some((f) => f.name === name);
}
