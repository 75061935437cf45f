import { presets } from "@slipway/presets";
import {
  BOOT_VERSION,
  BUILD_TYPES,
  DEFAULT_TYPE,
  LISTED_DEPENDENCIES,
  SPRING_PRESETS,
  springCombinations,
  traitsOf,
} from "./catalog.js";
import type { MetadataType } from "./negotiate.js";

/** The fields of Initializr's templated links (its own list: baseDir is not among them). */
const STARTER_FIELDS =
  "dependencies,packaging,javaVersion,language,bootVersion,groupId,artifactId,version,name,description,packageName";

/**
 * Initializr's client metadata (`/metadata/client`, and `GET /` for API clients). `type` lists the
 * build systems (Maven only), `dependencies` the Initializr ids the Spring presets contain, grouped
 * as start.spring.io groups them. The document is the same for every version this service speaks:
 * it has no version ranges, the one place v2.1 and v2.2 differ. Only the Content-Type tells them apart.
 */
export function clientMetadata(base: string, _version: MetadataType): Record<string, unknown> {
  const links: Record<string, unknown> = {};
  for (const t of BUILD_TYPES) {
    links[t.id] = { href: `${base}${t.action}?type=${t.id}{&${STARTER_FIELDS}}`, templated: true };
  }
  links.dependencies = { href: `${base}/dependencies{?bootVersion}`, templated: true };
  const groups: { name: string; values: { id: string; name: string; description: string }[] }[] = [];
  for (const d of LISTED_DEPENDENCIES) {
    const name = d.group as string;
    let group = groups.find((g) => g.name === name);
    if (group === undefined) {
      group = { name, values: [] };
      groups.push(group);
    }
    group.values.push({ id: d.id, name: d.name, description: d.description });
  }
  return {
    _links: links,
    dependencies: { type: "hierarchical-multi-select", values: groups },
    type: {
      type: "action",
      default: DEFAULT_TYPE,
      values: BUILD_TYPES.map((t) => ({
        id: t.id,
        name: t.name,
        description: t.description,
        action: t.action,
        tags: t.tags,
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

/**
 * `GET /dependencies`: each listed dependency's Maven coordinates for the (only) boot version, which
 * clients use to add a dependency to an existing pom.xml.
 */
export function dependenciesMetadata(): Record<string, unknown> {
  return {
    bootVersion: BOOT_VERSION,
    dependencies: Object.fromEntries(
      LISTED_DEPENDENCIES.flatMap((d) => (d.maven !== undefined ? [[d.id, { ...d.maven }]] : [])),
    ),
    repositories: {},
    boms: {},
  };
}

/** Plain-text help for `curl` and HTTPie. */
export function helpText(base: string): string {
  const others = presets.filter((p) => !traitsOf(p.id).java);
  const spring = SPRING_PRESETS.map((id) => presets.find((p) => p.id === id)).filter((p) => p !== undefined);
  const row = (id: string, text: string) => `  ${id.padEnd(28)}${text}`;
  return `Slipway scaffold: an Initializr-compatible service over the Slipway presets.

Spring Boot (type=maven-project, the default; type=maven-build or /pom.xml for the pom alone):
${spring.map((p) => row(p.id, p.description)).join("\n")}
  The dependencies choose the preset: ${springCombinations()}.
  Gradle types are not generated.

Other presets (preset=<id>):
${others.map((p) => row(p.id, p.description)).join("\n")}

Dependencies (dependencies=a,b):
${LISTED_DEPENDENCIES.map((d) => row(d.id, d.name)).join("\n")}

Parameters: type, preset, dependencies, name, subdomain, owner, description, port, system, lifecycle,
groupId, artifactId, packageName, javaVersion, database, auth, baseDir (default: none, files at the root)

Examples:
  curl ${base}/starter.zip -d dependencies=web -d groupId=org.acme -d artifactId=orders -o orders.zip
  curl ${base}/starter.tgz -d dependencies=postgresql,oauth2-client -d name=shop -d baseDir=shop | tar -xzvf -
  curl ${base}/starter.zip -d preset=node-service -d name=demo -o demo.zip
  curl ${base}/pom.xml -d dependencies=web -d artifactId=orders -o pom.xml
`;
}
