import type { PlatformSpec, ServiceSpec } from "../../config/schema.js";
import { toYaml, toYamlStream } from "../../render/yaml.js";
import { TEMPLATES_DIR } from "./config.js";
import { CATALOG_DIR } from "./contract.js";

/** A Backstage catalog entity as plain data (`@backstage/catalog-model`'s `Entity`). */
export interface CatalogEntity {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: Record<string, unknown> & { readonly name: string };
  readonly spec?: Record<string, unknown>;
}

/** Where the catalog's links point; built by the component from the platform's components. */
export interface CatalogLinks {
  /** `https://<argocd host>`, when Argo CD's UI has one. */
  readonly argocd: string;
  /** Grafana's base URL. */
  readonly grafana: string;
}

/** The catalog's files, relative to the GitOps tree's root. */
export const CATALOG_PATHS = {
  /** The root Location the app-config registers. */
  root: `${CATALOG_DIR}/all.yaml`,
  /** The platform's System and the Groups that own services. */
  platform: `${CATALOG_DIR}/platform.yaml`,
  component: (name: string) => `${CATALOG_DIR}/components/${name}.yaml`,
  /** The Location `slipway template backstage` writes beside the templates. */
  templates: `${TEMPLATES_DIR}/all.yaml`,
} as const;

/** `[kind:][namespace/]name`, each part as Backstage's catalog-model accepts it. */
const ENTITY_REF =
  /^(?:[A-Za-z][A-Za-z0-9]{0,62}:)?(?:[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\/)?[A-Za-z0-9]([-_.A-Za-z0-9]{0,61}[A-Za-z0-9])?$/;

/** Whether an owner is an entity reference Backstage accepts (a bare name is a Group). */
export const isOwnerRef = (owner: string): boolean => ENTITY_REF.test(owner);

/**
 * The web address of a file in the platform repository at the synced revision
 * (`https://github.com/<owner>/<repo>/blob/<revision>/<path>`), as Backstage's GitHub integration
 * reads a `url` location; ssh URLs are read as the same host and path.
 */
export function repositoryFileUrl(platform: PlatformSpec, path: string): string {
  const u = new URL(platform.git.repoURL);
  const repo = u.pathname.replace(/\.git$/, "").replace(/^\/+/, "");
  return `https://${u.hostname}/${repo}/blob/${platform.git.revision}/${path}`;
}

/** Owner entity ref of a service: a bare name is a Group (Backstage's default kind for owners). */
const ownerRef = (owner: string) =>
  owner.includes(":") ? owner : owner.includes("/") ? `group:${owner}` : `group:default/${owner}`;

/** The System every service of the platform belongs to, named after the platform. */
export function platformSystem(platform: PlatformSpec): CatalogEntity {
  return {
    apiVersion: "backstage.io/v1alpha1",
    kind: "System",
    metadata: {
      name: platform.name,
      description: `Services of the ${platform.name} platform (${platform.domain})`,
      links: [{ url: repositoryFileUrl(platform, "platform.yaml"), title: "platform.yaml" }],
    },
    spec: { owner: ownerRef(platform.github.owner) },
  };
}

/**
 * One Group per owner named by the platform or its services (without a kind prefix), and one per
 * group `spec.access` declares (ADR 0012: the groups people sign in with, whose refs the sign-in
 * resolver puts in their Backstage token, ADR 0019): every owner and every ownership ref exists in
 * the catalog. People and memberships stay in the identity provider.
 */
export function ownerGroups(platform: PlatformSpec, services: readonly ServiceSpec[]): CatalogEntity[] {
  const descriptions = new Map<string, string>([
    [platform.github.owner, `Owner of services on the ${platform.name} platform`],
  ]);
  for (const s of services) {
    if (s.owner.includes(":") || s.owner.includes("/")) continue;
    descriptions.set(s.owner, `Owner of services on the ${platform.name} platform`);
  }
  for (const g of platform.access?.groups ?? []) {
    if (descriptions.has(g.name)) continue;
    descriptions.set(g.name, g.description ?? `People of the ${platform.name} platform (spec.access)`);
  }
  return [...descriptions.keys()].sort().map((name) => ({
    apiVersion: "backstage.io/v1alpha1",
    kind: "Group",
    metadata: { name, description: descriptions.get(name) as string },
    spec: { type: "team", children: [] },
  }));
}

/**
 * A service's Component: owner, lifecycle, its Argo CD Application (`argocd/app-name`, the
 * Argo CD plugin's annotation), its Kubernetes objects (`backstage.io/kubernetes-*`), Grafana
 * dashboards tagged with its name (`grafana/dashboard-selector`, the Grafana plugin's), and links
 * to the service, its Application and Grafana. `services/<name>.yaml` is its view and edit URL.
 */
export function serviceComponent(platform: PlatformSpec, s: ServiceSpec, links: CatalogLinks): CatalogEntity {
  const spec = repositoryFileUrl(platform, `services/${s.name}.yaml`);
  const grafana = `${links.grafana}/dashboards?tag=${encodeURIComponent(s.name)}`;
  return {
    apiVersion: "backstage.io/v1alpha1",
    kind: "Component",
    metadata: {
      name: s.name,
      ...(s.description ? { description: s.description } : {}),
      annotations: {
        "argocd/app-name": s.name,
        "backstage.io/edit-url": spec,
        "backstage.io/kubernetes-id": s.name,
        "backstage.io/kubernetes-namespace": s.namespace,
        "backstage.io/view-url": spec,
        "grafana/dashboard-selector": `tags @> '${s.name}'`,
        ...(s.preset ? { "slipway.dev/preset": s.preset } : {}),
      },
      tags: [s.runtime],
      links: [
        ...(s.host ? [{ url: `https://${s.host}`, title: s.host, icon: "web" }] : []),
        { url: `${links.argocd}/applications/argocd/${s.name}`, title: "Argo CD", icon: "dashboard" },
        { url: grafana, title: "Grafana", icon: "dashboard" },
      ],
    },
    spec: {
      type: s.runtime === "static" ? "website" : "service",
      lifecycle: "production",
      owner: ownerRef(s.owner),
      system: platform.name,
      ...(s.dependsOn && s.dependsOn.length > 0
        ? { dependsOn: s.dependsOn.map((d) => `component:default/${d}`) }
        : {}),
    },
  };
}

/** The root Location: the platform file, one file per service, and the exported templates. */
export function catalogLocation(platform: PlatformSpec, services: readonly ServiceSpec[]): CatalogEntity {
  const here = (path: string) => `./${path.slice(CATALOG_DIR.length + 1)}`;
  return {
    apiVersion: "backstage.io/v1alpha1",
    kind: "Location",
    metadata: {
      name: `${platform.name}-catalog`,
      description: `Everything the ${platform.name} platform repository declares`,
    },
    spec: {
      targets: [
        here(CATALOG_PATHS.platform),
        ...services.map((s) => here(CATALOG_PATHS.component(s.name))),
        `../${CATALOG_PATHS.templates.slice("backstage/".length)}`,
      ],
    },
  };
}

/**
 * The catalog as files of the GitOps tree, one service at a time (ADR 0007): `all.yaml` (the
 * Location the app-config registers), `platform.yaml` (System and Groups), `components/<name>.yaml`.
 */
export function* catalogFiles(
  platform: PlatformSpec,
  services: readonly ServiceSpec[],
  links: CatalogLinks,
): Generator<{ path: string; content: string }> {
  const sorted = [...services].sort((a, b) => (a.name < b.name ? -1 : 1));
  yield { path: CATALOG_PATHS.root, content: toYaml(catalogLocation(platform, sorted)) };
  yield {
    path: CATALOG_PATHS.platform,
    content: toYamlStream([platformSystem(platform), ...ownerGroups(platform, sorted)]),
  };
  for (const s of sorted) {
    yield { path: CATALOG_PATHS.component(s.name), content: toYaml(serviceComponent(platform, s, links)) };
  }
}
