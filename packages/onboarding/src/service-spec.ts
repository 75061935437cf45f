import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { API_VERSION, type PlatformSpec, SCHEMA_FILES, toYaml } from "@slipway/core";
import type { ProjectDescription } from "@slipway/presets";

/**
 * What the platform must provide for a preset's service. `required` capabilities are declared
 * whatever the platform has enabled (so the platform's own rules refuse a platform that lacks
 * them); `optional` ones only when the platform has the component, otherwise they become a
 * one-time step.
 */
interface PresetNeeds {
  readonly runtime: "generic" | "java" | "node" | "static";
  readonly health?: { readonly liveness: string; readonly readiness: string };
  readonly resources: {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly memory: string };
  };
  readonly oidc?: "required" | "optional";
  readonly database?: boolean;
}

// Spring's probe groups are served on the main port as /livez and /readyz (presets/spring/features.ts).
const SPRING_HEALTH = { liveness: "/livez", readiness: "/readyz" };
const JVM = { requests: { cpu: "100m", memory: "384Mi" }, limits: { memory: "512Mi" } };

const NEEDS: Readonly<Record<string, PresetNeeds>> = {
  "spring-boot-postgres-oidc": {
    runtime: "java",
    health: SPRING_HEALTH,
    resources: JVM,
    oidc: "required",
    database: true,
  },
  "spring-boot-microservice": { runtime: "java", health: SPRING_HEALTH, resources: JVM },
  "static-frontend": {
    runtime: "static",
    resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
  },
  // Login is off when OIDC_ISSUER_URL is unset (presets/node-service/templates.ts).
  "node-service": {
    runtime: "node",
    resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "128Mi" } },
    oidc: "optional",
  },
};

const GENERIC: PresetNeeds = {
  runtime: "generic",
  resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
};

export interface ServiceDocumentResult {
  /** `services/<name>.yaml`, serialized. */
  readonly content: string;
  /** Capabilities the preset can use that the platform does not enable (one-time steps). */
  readonly skipped: readonly ("oidc" | "database")[];
}

/**
 * `services/<name>.yaml` for a generated project, built as data. `image` is pinned to the tag CI
 * pushes for the repository's first commit.
 */
export function serviceDocument(
  d: ProjectDescription,
  platform: PlatformSpec,
  image: string,
  modeline: string | undefined,
): ServiceDocumentResult {
  const needs = NEEDS[d.preset.id] ?? GENERIC;
  const p = d.parameters;
  const enabled = (id: string) => platform.components[id]?.enabled === true;
  const oidc = needs.oidc === "required" || (needs.oidc === "optional" && enabled("identity"));
  const skipped: ("oidc" | "database")[] = [];
  if (needs.oidc === "optional" && !oidc) skipped.push("oidc");
  const spec: Record<string, unknown> = {
    description: p.description,
    ...(p.owner !== platform.github.owner ? { owner: p.owner } : {}),
    image,
    port: p.port,
    subdomain: p.name,
    exposure: "public",
    runtime: needs.runtime,
    preset: d.preset.id,
    replicas: 1,
    resources: needs.resources,
    ...(needs.health ? { health: needs.health } : {}),
    ...(oidc ? { auth: "oidc" } : {}),
    ...(needs.database ? { database: {} } : {}),
  };
  const doc = { apiVersion: API_VERSION, kind: "Service", metadata: { name: p.name }, spec };
  const body = toYaml(doc, { preserveKeyOrder: true });
  return { content: modeline === undefined ? body : `${modeline}\n${body}`, skipped };
}

const MODELINE = /^# yaml-language-server: \$schema=(\S+)\s*$/m;

/**
 * The editor modeline for a new service file, following the repository's own convention: the one
 * an existing service file uses, else the platform file's schema directory seen from `services/`.
 */
export function serviceModeline(root: string, configFile: string): string | undefined {
  const servicesDir = join(root, "services");
  if (existsSync(servicesDir)) {
    for (const f of readdirSync(servicesDir).sort()) {
      if (!/\.ya?ml$/.test(f)) continue;
      const m = MODELINE.exec(readFileSync(join(servicesDir, f), "utf8"));
      if (m) return m[0].trimEnd();
    }
  }
  const m = MODELINE.exec(readFileSync(configFile, "utf8"));
  const schema = m?.[1];
  if (schema === undefined || /^[a-z]+:/i.test(schema) || schema.startsWith("/")) return undefined;
  // platform.yaml sits at the root; services/ is one level down.
  const fromRoot = posix.join(posix.dirname(schema), SCHEMA_FILES.service);
  const rel = posix.relative("services", fromRoot) || fromRoot;
  return `# yaml-language-server: $schema=${rel.replace(/\\/g, "/")}`;
}
