import { presets } from "@slipway/presets";
import { BOOT_VERSION, DEFAULT_TYPE, DEPENDENCIES, traitsOf } from "./catalog.js";
import type { MetadataType } from "./negotiate.js";

const STARTER_FIELDS =
  "dependencies,packaging,javaVersion,language,bootVersion,groupId,artifactId,version,name,description,packageName,baseDir";

/**
 * Initializr's client metadata (`/metadata/client`, and `GET /` for API clients), built from the
 * preset list: each preset is a `type`, the platform capabilities are `dependencies`. The document
 * is the same for every version this service speaks; only the Content-Type tells them apart.
 */
export function clientMetadata(base: string, _version: MetadataType): Record<string, unknown> {
  const links: Record<string, unknown> = {};
  for (const p of presets) {
    links[p.id] = { href: `${base}/starter.zip?type=${p.id}{&${STARTER_FIELDS}}`, templated: true };
  }
  links.dependencies = { href: `${base}/dependencies{?bootVersion}`, templated: true };
  return {
    _links: links,
    dependencies: {
      type: "hierarchical-multi-select",
      values: [
        {
          name: "Platform",
          values: DEPENDENCIES.map((d) => ({ id: d.id, name: d.name, description: d.description })),
        },
      ],
    },
    type: {
      type: "action",
      default: DEFAULT_TYPE,
      values: presets.map((p) => ({
        id: p.id,
        name: p.name,
        description: p.description,
        action: "/starter.zip",
        tags: { build: traitsOf(p.id).build, format: "project" },
      })),
    },
    packaging: { type: "single-select", default: "jar", values: [{ id: "jar", name: "Jar" }] },
    javaVersion: {
      type: "single-select",
      default: "21",
      values: [
        { id: "25", name: "25" },
        { id: "21", name: "21" },
      ],
    },
    language: { type: "single-select", default: "java", values: [{ id: "java", name: "Java" }] },
    bootVersion: {
      type: "single-select",
      default: BOOT_VERSION,
      values: [{ id: BOOT_VERSION, name: BOOT_VERSION }],
    },
    groupId: { type: "text", default: "com.example" },
    artifactId: { type: "text", default: "demo" },
    version: { type: "text", default: "0.0.1-SNAPSHOT" },
    name: { type: "text", default: "demo" },
    description: { type: "text", default: "A service on the Slipway platform" },
    packageName: { type: "text", default: "com.example.demo" },
  };
}

/** `GET /dependencies`: Initializr's dependency metadata for the (only) boot version. */
export function dependenciesMetadata(): Record<string, unknown> {
  return {
    bootVersion: BOOT_VERSION,
    dependencies: Object.fromEntries(DEPENDENCIES.map((d) => [d.id, { scope: "compile" }])),
    repositories: {},
    boms: {},
  };
}

/** Plain-text help for `curl` and HTTPie. */
export function helpText(base: string): string {
  const rows = presets.map((p) => `  ${p.id.padEnd(28)}${p.description}`).join("\n");
  const deps = DEPENDENCIES.map((d) => `  ${d.id.padEnd(28)}${d.name}`).join("\n");
  return `Slipway scaffold: an Initializr-compatible service over the Slipway presets.

Types (type= or preset=):
${rows}

Dependencies (dependencies=a,b):
${deps}

Parameters: type, preset, name, subdomain, owner, description, port, system, lifecycle,
groupId, artifactId, packageName, javaVersion, database, auth, baseDir

Examples:
  curl ${base}/starter.zip -d type=node-service -d name=demo -o demo.zip
  curl ${base}/starter.tgz -d type=spring-boot-postgres-oidc -d name=demo -d baseDir=demo | tar -xzvf -
`;
}
