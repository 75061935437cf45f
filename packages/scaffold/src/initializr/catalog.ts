import { type Preset, parametersJsonSchema, presets, SPRING_BOOT_VERSION } from "@slipway/presets";

/**
 * The Initializr view of the presets. In Initializr a `type` is a build system and a project's
 * capabilities are its `dependencies`; here the Spring presets are `type=maven-project` and the
 * dependencies choose between them. The other presets are reached with `preset=<id>`. Data only.
 */

/** The Spring Boot version the Spring presets generate (their POM's parent). */
export const BOOT_VERSION = SPRING_BOOT_VERSION;

/** The boot version ids a client may send back: metadata v2.1 clients may add Initializr's old `.RELEASE` suffix. */
export const BOOT_VERSION_IDS: ReadonlySet<string> = new Set([BOOT_VERSION, `${BOOT_VERSION}.RELEASE`]);

export interface BuildType {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly action: "/starter.zip" | "/pom.xml";
  readonly tags: { readonly build: "maven"; readonly format: "project" | "build" };
}

/** The project types IDE clients are offered: the build systems Slipway generates (Maven only). */
export const BUILD_TYPES: readonly BuildType[] = [
  {
    id: "maven-project",
    name: "Maven",
    description: "Generate a Maven based project archive.",
    action: "/starter.zip",
    tags: { build: "maven", format: "project" },
  },
  {
    id: "maven-build",
    name: "Maven POM",
    description: "Generate a Maven pom.xml.",
    action: "/pom.xml",
    tags: { build: "maven", format: "build" },
  },
];

/** The type of a request that names neither a type nor a preset, as in Initializr. */
export const DEFAULT_TYPE = "maven-project";

/** Initializr types Slipway does not generate: refused with a hint, never listed. */
export const UNSUPPORTED_TYPES: ReadonlySet<string> = new Set([
  "gradle-project",
  "gradle-project-kotlin",
  "gradle-build",
]);

/** The presets behind `type=maven-project`, smallest first: dependencies pick the first that has them all. */
export const SPRING_PRESETS: readonly string[] = ["spring-boot-microservice", "spring-boot-postgres-oidc"];

const MICROSERVICE = "spring-boot-microservice";
const POSTGRES_OIDC = "spring-boot-postgres-oidc";

/** Platform capabilities per preset, for the `database` and `auth` parameters. */
interface PresetTraits {
  readonly java: boolean;
  readonly database: "postgres" | "none";
  readonly auth: "oidc" | "none";
}

const TRAITS: Readonly<Record<string, PresetTraits>> = {
  [POSTGRES_OIDC]: { java: true, database: "postgres", auth: "oidc" },
  [MICROSERVICE]: { java: true, database: "none", auth: "none" },
  "static-frontend": { java: false, database: "none", auth: "none" },
  "node-service": { java: false, database: "none", auth: "oidc" },
};

const NO_TRAITS: PresetTraits = { java: false, database: "none", auth: "none" };

export function traitsOf(presetId: string): PresetTraits {
  return TRAITS[presetId] ?? NO_TRAITS;
}

export interface InitializrDependency {
  /** Initializr's id for it (start.spring.io's), so that a client's remembered choice means the same. */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** The metadata group it is listed under; undefined for the platform's own ids, accepted but not listed. */
  readonly group: string | undefined;
  /** The Maven coordinates `/dependencies` reports (the ones in the generated pom.xml). */
  readonly maven?: { readonly groupId: string; readonly artifactId: string; readonly scope: string };
  /** The presets whose project contains it. */
  readonly presets: readonly string[];
}

const SPRING = [MICROSERVICE, POSTGRES_OIDC];
const selects = " Selects the Spring Boot + PostgreSQL + OIDC preset.";

/**
 * Every dependency id accepted, in metadata order. The listed ones are exactly what the Spring
 * presets' pom.xml contains; a request for some of them gets the smallest preset with all of them.
 */
export const DEPENDENCIES: readonly InitializrDependency[] = [
  {
    id: "web",
    name: "Spring Web",
    description:
      "Build web, including RESTful, applications using Spring MVC, with the platform's health probes.",
    group: "Web",
    maven: { groupId: "org.springframework.boot", artifactId: "spring-boot-starter-web", scope: "compile" },
    presets: SPRING,
  },
  {
    id: "actuator",
    name: "Spring Boot Actuator",
    description: "Health endpoints at /healthz, /livez and /readyz, the paths the platform probes.",
    group: "Ops",
    maven: {
      groupId: "org.springframework.boot",
      artifactId: "spring-boot-starter-actuator",
      scope: "compile",
    },
    presets: SPRING,
  },
  {
    id: "postgresql",
    name: "PostgreSQL Driver",
    description: `A database on the platform's shared PostgreSQL, credentials from Vault.${selects}`,
    group: "SQL",
    maven: { groupId: "org.postgresql", artifactId: "postgresql", scope: "runtime" },
    presets: [POSTGRES_OIDC],
  },
  {
    id: "data-jpa",
    name: "Spring Data JPA",
    description: `Persist data in PostgreSQL with Spring Data and Hibernate.${selects}`,
    group: "SQL",
    maven: {
      groupId: "org.springframework.boot",
      artifactId: "spring-boot-starter-data-jpa",
      scope: "compile",
    },
    presets: [POSTGRES_OIDC],
  },
  {
    id: "flyway",
    name: "Flyway Migration",
    description: `Schema migrations in src/main/resources/db/migration.${selects}`,
    group: "SQL",
    maven: { groupId: "org.flywaydb", artifactId: "flyway-core", scope: "compile" },
    presets: [POSTGRES_OIDC],
  },
  {
    id: "oauth2-client",
    name: "OAuth2 Client",
    description: `Login through the platform's OpenID Connect issuer.${selects}`,
    group: "Security",
    maven: {
      groupId: "org.springframework.boot",
      artifactId: "spring-boot-starter-oauth2-client",
      scope: "compile",
    },
    presets: [POSTGRES_OIDC],
  },
  {
    id: "oauth2-resource-server",
    name: "OAuth2 Resource Server",
    description: `API calls with the issuer's JWT bearer tokens, checked against its keys.${selects}`,
    group: "Security",
    maven: {
      groupId: "org.springframework.boot",
      artifactId: "spring-boot-starter-oauth2-resource-server",
      scope: "compile",
    },
    presets: [POSTGRES_OIDC],
  },
  {
    id: "security",
    name: "Spring Security",
    description: `Spring Security (through the OAuth2 client), configured for OIDC login with public health paths.${selects}`,
    group: "Security",
    maven: {
      groupId: "org.springframework.boot",
      artifactId: "spring-boot-starter-security",
      scope: "compile",
    },
    presets: [POSTGRES_OIDC],
  },
  {
    id: "postgres",
    name: "PostgreSQL",
    description: "The platform's PostgreSQL (Slipway's own id).",
    group: undefined,
    presets: [POSTGRES_OIDC],
  },
  {
    id: "oidc",
    name: "OIDC login",
    description: "Login through the platform's OpenID Connect issuer (Slipway's own id).",
    group: undefined,
    presets: [POSTGRES_OIDC, "node-service"],
  },
];

/** The dependencies IDE clients are offered (Initializr ids only). */
export const LISTED_DEPENDENCIES = DEPENDENCIES.filter((d) => d.group !== undefined);

export function dependencyById(id: string): InitializrDependency | undefined {
  return DEPENDENCIES.find((d) => d.id === id);
}

/** The listed dependency ids a preset's project contains. */
export function dependenciesOf(presetId: string): string[] {
  return LISTED_DEPENDENCIES.filter((d) => d.presets.includes(presetId)).map((d) => d.id);
}

/** One line per Spring preset: the dependencies that select it (the hint of a refused combination). */
export function springCombinations(): string {
  return SPRING_PRESETS.map((id) => `${id}: ${dependenciesOf(id).join(",")}`).join("; ");
}

export function isBuildType(type: string): boolean {
  return BUILD_TYPES.some((t) => t.id === type);
}

/** The parameter names a preset accepts (from its schema, the single source). */
export function presetParameters(preset: Preset): ReadonlySet<string> {
  const schema = parametersJsonSchema(preset) as { properties?: Record<string, unknown> };
  return new Set(Object.keys(schema.properties ?? {}));
}

export function presetById(id: string): Preset | undefined {
  return presets.find((p) => p.id === id);
}
