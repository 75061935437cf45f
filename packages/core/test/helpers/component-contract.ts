import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parseAllDocuments } from "yaml";
import { z } from "zod";
import type { ServiceSpec } from "../../src/config/schema.js";
import type { AnyComponent } from "../../src/render/component.js";
import { Plan } from "../../src/render/plan.js";
import type { WorkloadCustomizer } from "../../src/render/workload.js";
import { syncsAfter } from "../../src/resolve/graph.js";
import { type RenderedTree, renderFile, type ServiceSpecs, writePlatform } from "./component-fixture.js";

/**
 * The contract every component keeps (docs/guides/adding-a-component.md, ADR 0015): what it
 * declares about itself is what it does. Each check returns problems as sentences naming the
 * component and what it forgot, so a failing test says what to add.
 */

/** Every component on, as the example platform has them (SSO groups included, for the UIs' clients). */
export const ALL_ON: Record<string, unknown> = Object.fromEntries(
  [
    "argocd",
    "gateway",
    "cloudflare",
    "vault",
    "external-secrets",
    "postgres",
    "observability",
    "identity",
    "cert-manager",
    "otel",
    "istio",
    "dynamic-db",
    "scaffold",
    "backstage",
    "reloader",
  ].map((id) => [id, { enabled: true }]),
);

const RESOURCES = { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } };
const base = (image: string) => ({ image, port: 8080, resources: RESOURCES });

/** One service per feature a component may provide, plus `plain`, which uses none. */
export const FEATURE_SERVICES: ServiceSpecs = {
  plain: base("ghcr.io/example/plain:1.0.0"),
  routed: { ...base("ghcr.io/example/routed:1.0.0"), subdomain: "routed" },
  secrets: {
    ...base("ghcr.io/example/secrets:1.0.0"),
    secrets: [{ env: "TOKEN", key: "secrets/token", property: "token" }],
  },
  db: { ...base("ghcr.io/example/db:1.0.0"), database: { name: "db" } },
  dyn: { ...base("ghcr.io/example/dyn:1.0.0"), database: { dynamic: true } },
  oidc: { ...base("ghcr.io/example/oidc:1.0.0"), subdomain: "oidc", auth: "oidc" },
  mesh: { ...base("ghcr.io/example/mesh:1.0.0"), mesh: { l7: true, callers: ["plain"] } },
};

const ACCESS = {
  access: {
    groups: [{ name: "platform-admins", description: "Run the platform" }],
    argocd: { admin: ["platform-admins"] },
    grafana: { admin: ["platform-admins"] },
    vault: { admin: ["platform-admins"] },
  },
};

/**
 * The registry plus `extra` (registered the way synth takes it) rendered with every component on,
 * `on` merged over that, and {@link FEATURE_SERVICES}.
 */
export function renderEverything(
  extra: readonly AnyComponent[] = [],
  on: Record<string, unknown> = {},
): RenderedTree {
  return renderFile(writePlatform({ ...ALL_ON, ...on }, FEATURE_SERVICES, {}, ACCESS), extra);
}

/** The static checks: id, folder, description, documented config. */
export function declarationProblems(c: AnyComponent, folder: string): string[] {
  const out: string[] = [];
  if (basename(folder) !== c.id)
    out.push(`component '${c.id}' lives in folder '${basename(folder)}'; name it '${c.id}'`);
  if (!existsSync(join(folder, "index.ts"))) out.push(`component '${c.id}' has no ${folder}/index.ts`);
  else if (!readFileSync(join(folder, "index.ts"), "utf8").includes(`id: "${c.id}"`))
    out.push(`component '${c.id}' is not defined in ${folder}/index.ts`);
  if (c.description.trim() === "") out.push(`component '${c.id}' has no description`);
  const schema = z.toJSONSchema(c.config, { io: "input", unrepresentable: "any" });
  for (const field of undocumented(schema as JsonNode, "")) {
    out.push(`component '${c.id}' config field '${field}' has no description (.describe())`);
  }
  return out;
}

interface JsonNode {
  description?: string;
  properties?: Record<string, JsonNode>;
  items?: JsonNode;
  anyOf?: JsonNode[];
}

function undocumented(node: JsonNode, path: string): string[] {
  const out: string[] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const p = path ? `${path}.${key}` : key;
    if (!child.description) out.push(p);
    out.push(...undocumented(child, p));
  }
  return out;
}

interface Obj {
  kind: string;
  metadata?: { name: string; namespace?: string };
  spec?: { hostnames?: string[] };
}

/** What `c` rendered in `tree`: its objects (from the files it owns) and its Applications. */
function renderedBy(tree: RenderedTree, id: string): Obj[] {
  return tree.fileList
    .filter((f) => f.owner === id && f.path.endsWith(".yaml"))
    .flatMap((f) => parseAllDocuments(tree.files.get(f.path) ?? "").map((d) => d.toJS() as Obj | null))
    .filter((o): o is Obj => o !== null && typeof o === "object" && typeof o.kind === "string");
}

/** The components `c` may rely on being there first: what it depends on or syncs after, transitively. */
function upstream(c: AnyComponent, registry: readonly AnyComponent[]): Set<string> {
  const byId = new Map(registry.map((x) => [x.id, x]));
  const seen = new Set<string>();
  const walk = (x: AnyComponent) => {
    for (const d of [...x.dependsOn, ...syncsAfter(x, registry)]) {
      if (seen.has(d)) continue;
      seen.add(d);
      const next = byId.get(d);
      if (next) walk(next);
    }
  };
  walk(c);
  return seen;
}

/** The customizers `c` pushes from its plan(), run alone on a fresh Plan. */
function customizersOf(c: AnyComponent, tree: RenderedTree): WorkloadCustomizer[] {
  const { platform, services } = tree.session.spec;
  const plan = new Plan();
  c.plan?.({
    id: c.id,
    platform,
    services,
    config: platform.components[c.id],
    plan,
    isEnabled: (id) => platform.components[id]?.enabled === true,
  });
  return plan.workloadCustomizers;
}

/**
 * The checks against a rendered platform: every namespace it renders into is one it declares, one
 * a component before it declares, or one another component's declaration points it at; every namespace it plans is declared; every host it routes
 * was declared in the plan; a customizer that adjusts some services and not others does so for a
 * capability it declares; a provider of capabilities syncs before services.
 */
export function renderProblems(
  c: AnyComponent,
  registry: readonly AnyComponent[],
  tree: RenderedTree,
): string[] {
  const out: string[] = [];
  const { plan, spec } = tree.session;
  const own = new Set(c.namespaces ?? []);
  for (const ns of plan.namespaces.values()) {
    if (ns.owner === c.id && !own.has(ns.name))
      out.push(`component '${c.id}' plans namespace '${ns.name}' but does not declare it in namespaces`);
  }
  const allowed = new Set([
    ...own,
    "argocd", // every Application lives in Argo CD's namespace
    ...spec.services.map((s) => s.namespace),
    ...registry.filter((x) => upstream(c, registry).has(x.id)).flatMap((x) => x.namespaces ?? []),
    // Where others' declarations ask it to render (the gateway's ReferenceGrant beside a backend).
    ...[...plan.hostnames, ...plan.oidcClients].filter((d) => d.owner !== c.id).map((d) => d.namespace),
  ]);
  const targets = [
    ...renderedBy(tree, c.id)
      .filter((o) => o.metadata?.namespace !== undefined)
      .map((o) => ({ what: `${o.kind}/${o.metadata?.name}`, ns: o.metadata?.namespace as string })),
    ...tree.session.apps
      .filter((a) => a.owner === c.id)
      .map((a) => ({ what: `Application ${a.spec.name}`, ns: a.spec.namespace })),
  ];
  for (const t of targets) {
    if (!allowed.has(t.ns))
      out.push(
        `component '${c.id}' renders ${t.what} into namespace '${t.ns}', which neither it nor a component it syncs after declares in namespaces`,
      );
  }
  const declaredHosts = new Set(plan.hostnames.map((h) => h.host));
  for (const o of renderedBy(tree, c.id).filter((x) => x.kind === "HTTPRoute")) {
    for (const h of o.spec?.hostnames ?? []) {
      if (!declaredHosts.has(h))
        out.push(
          `component '${c.id}' routes host '${h}' (HTTPRoute/${o.metadata?.name}) without declaring it in plan.hostnames`,
        );
    }
  }
  const customizers = customizersOf(c, tree);
  const plain = spec.services.find((s) => s.name === "plain") as ServiceSpec;
  for (const cu of customizers) {
    for (const s of spec.services) {
      if (!cu.applies(s, spec.platform) || cu.applies(plain, spec.platform)) continue;
      if ((c.capabilities ?? []).some((cap) => cap.path(s) !== undefined)) continue;
      out.push(
        `component '${c.id}' adjusts service '${s.name}' (customizer '${cu.id}') for a feature it declares no capability for (capabilities)`,
      );
    }
  }
  const services = registry.find((x) => x.id === "services");
  const provides = customizers.length > 0 || (c.capabilities ?? []).length > 0;
  if (provides && services && !syncsAfter(services, registry).includes(c.id))
    out.push(
      `component '${c.id}' provides to services, but services do not sync after it: add before: ["services"]`,
    );
  return out;
}
