import { type Preset, parametersJsonSchema, presets } from "@slipway/presets";

/**
 * What the Initializr view of the presets needs beyond the presets themselves: the build tag IDE
 * clients filter types by, and the platform capabilities (`database`, `auth`) a preset provides.
 * Data only; a preset missing here is offered with no capabilities.
 */
interface PresetTraits {
  readonly build: string;
  readonly language: string;
  readonly database: "postgres" | "none";
  readonly auth: "oidc" | "none";
}

const TRAITS: Readonly<Record<string, PresetTraits>> = {
  "spring-boot-postgres-oidc": { build: "maven", language: "java", database: "postgres", auth: "oidc" },
  "spring-boot-microservice": { build: "maven", language: "java", database: "none", auth: "none" },
  "static-frontend": { build: "npm", language: "typescript", database: "none", auth: "none" },
  "node-service": { build: "npm", language: "typescript", database: "none", auth: "oidc" },
};

const NO_TRAITS: PresetTraits = { build: "none", language: "none", database: "none", auth: "none" };

export function traitsOf(presetId: string): PresetTraits {
  return TRAITS[presetId] ?? NO_TRAITS;
}

/** The Spring Boot version the Spring presets generate (their POM's parent). */
export const BOOT_VERSION = "3.5.7";

/** The type an Initializr client gets when it names none. */
export const DEFAULT_TYPE = "node-service";

/** Initializr dependency ids the platform understands, and the capability each one asks for. */
export const DEPENDENCIES: readonly {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly requires: Partial<Pick<PresetTraits, "database" | "auth">>;
}[] = [
  {
    id: "postgres",
    name: "PostgreSQL",
    description:
      "A database on the platform's shared PostgreSQL, credentials from Vault via a Kubernetes Secret.",
    requires: { database: "postgres" },
  },
  {
    id: "oidc",
    name: "OIDC login",
    description: "Login through the platform's OpenID Connect issuer.",
    requires: { auth: "oidc" },
  },
];

/** The parameter names a preset accepts (from its schema, the single source). */
export function presetParameters(preset: Preset): ReadonlySet<string> {
  const schema = parametersJsonSchema(preset) as { properties?: Record<string, unknown> };
  return new Set(Object.keys(schema.properties ?? {}));
}

export function presetById(id: string): Preset | undefined {
  return presets.find((p) => p.id === id);
}
