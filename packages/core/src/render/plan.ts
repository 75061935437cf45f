import type { WorkloadCustomizer } from "./workload.js";

/**
 * Cross-cutting concerns declared as data. In the plan phase each enabled component (in dependency
 * order) declares what it needs from others: hostnames, namespaces, databases, Vault access, OIDC
 * clients. In the contribute phase the single owner of each concern renders all declarations
 * (gateway: routes; cloudflare: DNS; postgres: databases; vault: policies and roles). Components
 * never edit each other's output.
 */

export interface HostnameDecl {
  /** Fully qualified hostname, always under the platform domain. */
  readonly host: string;
  /** Kubernetes Service that serves it. */
  readonly namespace: string;
  readonly service: string;
  readonly port: number;
  /** Public hostnames get a DNS record and a tunnel ingress rule; internal ones only a route. */
  readonly public: boolean;
  /** `h2c` when the backend needs HTTP/2 cleartext (gRPC, gRPC-web). */
  readonly protocol: "http" | "h2c";
  readonly owner: string;
}

export interface NamespaceDecl {
  readonly name: string;
  /** AppProject whose Applications deploy into it. */
  readonly project: "platform" | "workloads";
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly owner: string;
}

/** Adjusts a namespace before it is rendered (e.g. the mesh adds its enrolment label). */
export type NamespaceCustomizer = (ns: NamespaceDecl & { labels: Record<string, string> }) => void;

export interface DatabaseDecl {
  /** Database name on the shared PostgreSQL. */
  readonly name: string;
  /** Owning role. */
  readonly owner: string;
  /** Who asked (component id or `service:<name>`). */
  readonly consumer: string;
  /** Credentials come from Vault's database engine instead of a static owner password. */
  readonly dynamic: boolean;
}

export interface VaultPolicyDecl {
  readonly name: string;
  readonly rules: readonly { path: string; capabilities: readonly string[] }[];
  readonly owner: string;
}

export interface VaultKubernetesRoleDecl {
  readonly name: string;
  readonly serviceAccounts: readonly string[];
  readonly namespaces: readonly string[];
  readonly policies: readonly string[];
  readonly ttl: string;
  readonly owner: string;
}

export interface OidcClientDecl {
  readonly name: string;
  readonly namespace: string;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  /** Vault KV path (under the platform's KV mount) the client id and secret are written to. */
  readonly vaultPath: string;
  readonly owner: string;
}

const NONE: Readonly<Record<string, string>> = Object.freeze({});

/** Two label or annotation maps merged (the second wins); one shared empty map when both are empty. */
function merged(a?: Record<string, string>, b?: Record<string, string>): Record<string, string> {
  const out = { ...a, ...b };
  return Object.keys(out).length === 0 ? (NONE as Record<string, string>) : out;
}

/**
 * Something that exists on the cluster and is not Slipway's (ADR 0013): Slipway renders around it,
 * never an object of the same kind, namespace and name, and `check` proves it (policy
 * `no-existing-collision`).
 */
export interface ExistingDecl {
  readonly kind: string;
  /** Absent for cluster-scoped kinds (Namespace, CustomResourceDefinition). */
  readonly namespace?: string | undefined;
  readonly name: string;
  /** `spec.cluster.existing`, or the component whose external mode declared it. */
  readonly declaredBy: string;
}

/** One ingress rule of a Cloudflare tunnel, as cloudflared reads it (first match wins). */
export interface TunnelRule {
  /** Exact or wildcard (`*.example.com`) hostname; absent on the catch-all. */
  readonly hostname?: string | undefined;
  readonly path?: string | undefined;
  /** Origin URL, or `http_status:404` and the like. */
  readonly service: string;
}

export class Plan {
  readonly hostnames: HostnameDecl[] = [];
  readonly namespaces = new Map<string, NamespaceDecl>();
  readonly namespaceCustomizers: NamespaceCustomizer[] = [];
  /**
   * Capabilities' adjustments of every service's workload (OTel env, OIDC client, dynamic database
   * credentials), pushed from each component's `plan()`; they run in plan order (a component after
   * those it syncs after), between the services component's own customizers and its last one.
   */
  readonly workloadCustomizers: WorkloadCustomizer[] = [];
  readonly databases: DatabaseDecl[] = [];
  readonly vaultPolicies: VaultPolicyDecl[] = [];
  readonly vaultKubernetesRoles: VaultKubernetesRoleDecl[] = [];
  readonly oidcClients: OidcClientDecl[] = [];
  /** Repositories Applications pull from (chart repos); AppProjects allow exactly these plus the platform repo. */
  readonly sourceRepos = new Set<string>();
  /**
   * Namespaces platform Applications deploy into without owning them (e.g. mesh policies inside
   * service namespaces); the platform AppProject allows them as destinations.
   */
  readonly platformDestinations = new Set<string>();
  /** What exists and is not Slipway's; see {@link ExistingDecl}. */
  readonly existing: ExistingDecl[] = [];
  /**
   * Who owns the zone's DNS records for the platform's hostnames (ADR 0013): `slipway` renders them
   * (never for `foreignNames`, owned by another owner); `external-dns` owns them all.
   */
  readonly dns: { owner: "slipway" | "external-dns"; foreignNames: string[] } = {
    owner: "slipway",
    foreignNames: [],
  };
  /** Set when Slipway merges its routes into an existing tunnel: that tunnel's rules it keeps. */
  tunnel: { keptRules: TunnelRule[] } | undefined = undefined;

  /** Declares a namespace; declaring the same one twice merges labels (first project wins). */
  namespace(decl: Omit<NamespaceDecl, "labels" | "annotations"> & Partial<NamespaceDecl>): void {
    const prev = this.namespaces.get(decl.name);
    this.namespaces.set(decl.name, {
      name: decl.name,
      project: prev?.project ?? decl.project,
      owner: prev?.owner ?? decl.owner,
      labels: merged(prev?.labels, decl.labels),
      annotations: merged(prev?.annotations, decl.annotations),
    });
  }

  /** Namespaces after all customizers ran, sorted by name. */
  resolvedNamespaces(): NamespaceDecl[] {
    return [...this.namespaces.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((ns) => {
        const copy = { ...ns, labels: { ...ns.labels }, annotations: { ...ns.annotations } };
        for (const c of this.namespaceCustomizers) c(copy);
        return copy;
      });
  }
}
