import { cpuMillis, memoryBytes } from "../../config/primitives.js";
import type { PlatformSpec, ServiceSpec } from "../../config/schema.js";
import { diag, InputError } from "../../diagnostics.js";
import { componentConfig } from "../../render/component.js";
import type { K8sObject } from "../../render/k8s.js";
import type { VaultKubernetesRoleDecl, VaultPolicyDecl } from "../../render/plan.js";
import type { Resources } from "../../render/resources.js";
import { serviceSecretStore } from "../external-secrets/contract.js";
import { GATEWAY } from "../gateway/contract.js";
import { oidcClientSecretPath } from "../identity/contract.js";
import { ISTIO_NAMESPACE, ISTIO_RESOURCES } from "../istio/contract.js";
import {
  JAVA_INSTRUMENTATION,
  javaInstrumentation,
  OTEL_COLLECTOR,
  OTEL_NAMESPACE,
} from "../otel/contract.js";
import {
  databaseSecretPath,
  POSTGRES_ADMIN_SECRET_PATH,
  POSTGRES_NAMESPACE,
  postgresEndpoint,
} from "../postgres/contract.js";
import {
  kvPolicyPaths,
  serviceKvRole,
  serviceSecretPrefix,
  serviceSecretStore as storeName,
} from "../vault/contract.js";
import { selectorLabels } from "./contract.js";
import { serviceLabels, type WorkloadModel } from "./workload.js";

/**
 * Tenant isolation of service namespaces (issue 13, part 3), all platform-owned: one platform
 * Application writes it into the service namespaces, so a service's own Application never holds
 * (nor can prune) its guardrails.
 * - secrets: a SecretStore per service that logs in to Vault as the service and reads only its paths;
 * - network: default-deny ingress and egress per namespace, then what each service needs;
 * - capacity: a ResourceQuota and a LimitRange per namespace, from its services' resources.
 */
export const TENANCY_APP = "services-tenancy";

/** Names of the per-namespace objects. */
export const TENANCY = {
  defaultDeny: "default-deny",
  dns: "allow-dns",
  quota: "services",
  limitRange: "services",
  waypoint: "waypoint",
} as const;

/** Deployments roll with Kubernetes' default surge: 25% of the replicas, rounded up. */
export const MAX_SURGE_PERCENT = 25;

/** Pods a Deployment of `replicas` may run at once during a rollout. */
export const rolloutPods = (replicas: number) => replicas + Math.ceil((replicas * MAX_SURGE_PERCENT) / 100);

/** Istio ambient: HBONE between ztunnels; the kubelet's probes arrive SNATed from this address. */
const HBONE_PORT = 15008;
const AMBIENT_PROBE_SOURCE = "169.254.7.127/32";

/** Addresses that are never the public internet (RFC 1918, CGNAT, link-local, ULA): cluster and LAN. */
const PRIVATE_V4 = ["10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"];
const PRIVATE_V6 = ["fc00::/7", "fe80::/10"];

const labels = (extra: Record<string, string> = {}) => ({
  "app.kubernetes.io/managed-by": "slipway",
  "app.kubernetes.io/part-of": "services-tenancy",
  ...extra,
});

const nsSelector = (ns: string) => ({ matchLabels: { "kubernetes.io/metadata.name": ns } });

/** What one pod asks for, once init containers are counted (a pod reserves the larger of the two). */
interface PodResources {
  cpuRequest: number;
  memoryRequest: number;
  cpuLimit: number | undefined;
  memoryLimit: number;
}

/** Resources as a service spec or a chart literal states them. */
type Declared = {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu?: string | undefined; readonly memory: string };
};

function podResources(r: Declared, init?: Declared): PodResources {
  const pod: PodResources = {
    cpuRequest: cpuMillis(r.requests.cpu),
    memoryRequest: memoryBytes(r.requests.memory),
    cpuLimit: r.limits.cpu === undefined ? undefined : cpuMillis(r.limits.cpu),
    memoryLimit: memoryBytes(r.limits.memory),
  };
  if (!init) return pod;
  return {
    cpuRequest: Math.max(pod.cpuRequest, cpuMillis(init.requests.cpu)),
    memoryRequest: Math.max(pod.memoryRequest, memoryBytes(init.requests.memory)),
    cpuLimit:
      pod.cpuLimit === undefined || init.limits.cpu === undefined
        ? undefined
        : Math.max(pod.cpuLimit, cpuMillis(init.limits.cpu)),
    memoryLimit: Math.max(pod.memoryLimit, memoryBytes(init.limits.memory)),
  };
}

/** The OTel operator's Java init container, when the model asks for injection. */
function javaInit(m: WorkloadModel): Resources | undefined {
  if (m.podAnnotations[JAVA_INSTRUMENTATION.annotation] === undefined) return undefined;
  const spec = javaInstrumentation({ traceSampleRatio: 1 }).spec as { java: { resources: Resources } };
  return spec.java.resources;
}

/**
 * Quantities in the API server's canonical form (whole cores without `m`, the largest binary suffix
 * that divides exactly), so the stored object equals the file and Argo CD sees no diff.
 */
export const cpu = (millis: number) => (millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`);
const BINARY = [
  ["Ei", 1024 ** 6],
  ["Pi", 1024 ** 5],
  ["Ti", 1024 ** 4],
  ["Gi", 1024 ** 3],
  ["Mi", 1024 ** 2],
  ["Ki", 1024],
] as const;
export function memory(bytes: number): string {
  if (bytes === 0) return "0";
  for (const [suffix, factor] of BINARY) if (bytes % factor === 0) return `${bytes / factor}${suffix}`;
  return String(bytes);
}

/** One namespace's services with their workload models. */
export interface TenantNamespace {
  readonly name: string;
  readonly services: readonly WorkloadModel[];
  /** Whether istiod deploys a waypoint here (a service asks for mesh L7). */
  readonly waypoint: boolean;
}

/**
 * The namespace's ResourceQuota: every service's pods at full rollout surge, plus the waypoint's
 * (one replica and its surge), so the quota never blocks a rollout. `limits.cpu` only when every
 * pod has a CPU limit: a quota on it refuses pods without one.
 */
export function resourceQuota(t: TenantNamespace): K8sObject {
  let pods = 0;
  let cpuRequest = 0;
  let memoryRequest = 0;
  let memoryLimit = 0;
  let cpuLimit: number | undefined = 0;
  const add = (n: number, p: PodResources) => {
    pods += n;
    cpuRequest += n * p.cpuRequest;
    memoryRequest += n * p.memoryRequest;
    memoryLimit += n * p.memoryLimit;
    cpuLimit = cpuLimit === undefined || p.cpuLimit === undefined ? undefined : cpuLimit + n * p.cpuLimit;
  };
  for (const m of t.services)
    add(rolloutPods(m.service.replicas), podResources(m.service.resources, javaInit(m)));
  if (t.waypoint) add(rolloutPods(1), podResources(ISTIO_RESOURCES.waypoint));
  const hard: Record<string, string> = {
    pods: String(pods),
    "requests.cpu": cpu(cpuRequest),
    "requests.memory": memory(memoryRequest),
    "limits.memory": memory(memoryLimit),
  };
  if (cpuLimit !== undefined) hard["limits.cpu"] = cpu(cpuLimit);
  return {
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: { name: TENANCY.quota, namespace: t.name, labels: labels() },
    spec: { hard },
  };
}

/**
 * The namespace's LimitRange: a container that states no resources (an injected or debug
 * container) gets the smallest request and limit its namespace's services declare, so the quota
 * counts it instead of refusing it.
 */
export function limitRange(t: TenantNamespace): K8sObject {
  const rs = t.services.map((m) => m.service.resources);
  const min = (xs: number[]) => Math.min(...xs);
  const cpuLimits = rs.map((r) => r.limits.cpu);
  const defaults: Record<string, string> = {
    memory: memory(min(rs.map((r) => memoryBytes(r.limits.memory)))),
  };
  if (cpuLimits.every((c) => c !== undefined)) defaults.cpu = cpu(min(cpuLimits.map((c) => cpuMillis(c))));
  return {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: { name: TENANCY.limitRange, namespace: t.name, labels: labels() },
    spec: {
      limits: [
        {
          type: "Container",
          default: defaults,
          defaultRequest: {
            cpu: cpu(min(rs.map((r) => cpuMillis(r.requests.cpu)))),
            memory: memory(min(rs.map((r) => memoryBytes(r.requests.memory)))),
          },
        },
      ],
    },
  };
}

/** Default deny, both directions, for every pod of the namespace; then DNS for all of them. */
export function baseNetworkPolicies(namespace: string): K8sObject[] {
  return [
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: TENANCY.defaultDeny, namespace, labels: labels() },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: TENANCY.dns, namespace, labels: labels() },
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              {
                namespaceSelector: nsSelector("kube-system"),
                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
              },
            ],
            ports: [
              { protocol: "UDP", port: 53 },
              { protocol: "TCP", port: 53 },
            ],
          },
        ],
      },
    },
  ];
}

/** What the network policies of a service depend on besides the service itself. */
export interface NetworkContext {
  readonly platform: PlatformSpec;
  readonly services: ReadonlyMap<string, ServiceSpec>;
  /** Services that list each service among their `mesh.callers`, by caller name. */
  readonly callees: ReadonlyMap<string, readonly ServiceSpec[]>;
  readonly mesh: boolean;
  readonly gateway: boolean;
  readonly otel: boolean;
  readonly waypoints: ReadonlySet<string>;
}

const tcp = (port: number) => ({ protocol: "TCP", port });

/**
 * A service's allows on top of the namespace's default deny. Ingress: from the gateway when it has
 * a route, from the pods of its declared `mesh.callers`, from its namespace's waypoint, and (in the
 * ambient mesh) HBONE and the kubelet's SNATed probes. Egress: the services that list it as a
 * caller, PostgreSQL when it has a database, the OTel collector, and the public internet (external
 * APIs and the identity provider's public issuer URL), never another private address.
 */
export function serviceNetworkPolicy(s: ServiceSpec, ctx: NetworkContext): K8sObject {
  const ports = (port: number) => (ctx.mesh ? [tcp(port), tcp(HBONE_PORT)] : [tcp(port)]);
  const ingress: Record<string, unknown>[] = [];
  if (s.host && ctx.gateway)
    ingress.push({ from: [{ namespaceSelector: nsSelector(GATEWAY.namespace) }], ports: ports(s.port) });
  const callers = [...new Set(s.mesh.callers)].sort().flatMap((c) => {
    const caller = ctx.services.get(c);
    return caller
      ? [
          {
            namespaceSelector: nsSelector(caller.namespace),
            podSelector: { matchLabels: selectorLabels(caller) },
          },
        ]
      : [];
  });
  if (callers.length > 0) ingress.push({ from: callers, ports: ports(s.port) });
  if (ctx.waypoints.has(s.namespace))
    ingress.push({
      from: [
        { podSelector: { matchLabels: { "gateway.networking.k8s.io/gateway-name": TENANCY.waypoint } } },
      ],
      ports: ports(s.port),
    });
  if (ctx.mesh) ingress.push({ from: [{ ipBlock: { cidr: AMBIENT_PROBE_SOURCE } }], ports: [tcp(s.port)] });

  const egress: Record<string, unknown>[] = [];
  for (const t of ctx.callees.get(s.name) ?? [])
    egress.push({
      to: [{ namespaceSelector: nsSelector(t.namespace), podSelector: { matchLabels: selectorLabels(t) } }],
      ports: ports(t.port),
    });
  if (s.database !== false) {
    const { port } = postgresEndpoint(ctx.platform);
    const inCluster = componentConfig(ctx.platform, "postgres").mode !== "external";
    // An external server is a hostname: NetworkPolicy cannot name it, so only the port is pinned.
    egress.push(
      inCluster
        ? { to: [{ namespaceSelector: nsSelector(POSTGRES_NAMESPACE) }], ports: ports(port) }
        : { ports: [tcp(port)] },
    );
  }
  if (ctx.otel)
    egress.push({
      to: [{ namespaceSelector: nsSelector(OTEL_NAMESPACE) }],
      ports: [tcp(OTEL_COLLECTOR.grpcPort), tcp(OTEL_COLLECTOR.httpPort)],
    });
  egress.push({
    to: [
      { ipBlock: { cidr: "0.0.0.0/0", except: PRIVATE_V4 } },
      { ipBlock: { cidr: "::/0", except: PRIVATE_V6 } },
    ],
  });
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: s.name, namespace: s.namespace, labels: labels({ "slipway.dev/service": s.name }) },
    spec: {
      podSelector: { matchLabels: selectorLabels(s) },
      policyTypes: ["Ingress", "Egress"],
      ...(ingress.length > 0 ? { ingress } : {}),
      egress,
    },
  };
}

/**
 * The namespace's waypoint (istiod deploys it, labelled with its Gateway's name): HBONE in from
 * anywhere in the mesh, out to its namespace's pods, the control plane (istiod for config,
 * istio-csr in cert-manager for its certificate) and the collector for traces.
 */
export function waypointNetworkPolicy(namespace: string, ctx: NetworkContext): K8sObject {
  const egress: Record<string, unknown>[] = [
    { to: [{ podSelector: {} }] },
    {
      to: [
        { namespaceSelector: nsSelector(ISTIO_NAMESPACE) },
        { namespaceSelector: nsSelector("cert-manager") },
      ],
    },
  ];
  if (ctx.otel)
    egress.push({
      to: [{ namespaceSelector: nsSelector(OTEL_NAMESPACE) }],
      ports: [tcp(OTEL_COLLECTOR.grpcPort), tcp(OTEL_COLLECTOR.httpPort)],
    });
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: TENANCY.waypoint, namespace, labels: labels() },
    spec: {
      podSelector: { matchLabels: { "gateway.networking.k8s.io/gateway-name": TENANCY.waypoint } },
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ ports: [tcp(HBONE_PORT)] }, { from: [{ ipBlock: { cidr: AMBIENT_PROBE_SOURCE } }] }],
      egress,
    },
  };
}

/** The service's SecretStore: its own Vault role, logged in as its own service account. */
export function serviceStore(s: ServiceSpec): K8sObject {
  return serviceSecretStore({
    name: storeName(s.name),
    namespace: s.namespace,
    vaultRole: serviceKvRole(s.name),
    serviceAccount: s.name,
    labels: serviceLabels(s),
  });
}

/**
 * The Vault policy of a service's store: its own KV prefix, its database's static owner secret and
 * its OIDC client, and nothing of the platform's. A database whose secret path is a platform
 * secret's (`postgres/admin`) is refused: that name would hand the service the superuser.
 */
export function serviceVaultAccess(
  s: ServiceSpec,
  owner: string,
  oidc: boolean,
): { policy: VaultPolicyDecl; role: VaultKubernetesRoleDecl } {
  const own = kvPolicyPaths(`${serviceSecretPrefix(s.name)}*`);
  const rules: { path: string; capabilities: string[] }[] = [
    { path: own.data, capabilities: ["read"] },
    { path: own.metadata, capabilities: ["read", "list"] },
  ];
  if (s.database !== false && !s.database.dynamic) {
    const path = databaseSecretPath(s.database.name);
    if (path === POSTGRES_ADMIN_SECRET_PATH) {
      throw new InputError([
        diag(
          "SW_SERVICE_DATABASE_RESERVED",
          `${s.file}: service '${s.name}' names its database '${s.database.name}'`,
          {
            path: ["spec", "database", "name"],
            hint: `'${s.database.name}' is where the PostgreSQL superuser's secret lives (kv/${POSTGRES_ADMIN_SECRET_PATH}); choose another name.`,
          },
        ),
      ]);
    }
    rules.push({ path: kvPolicyPaths(path).data, capabilities: ["read"] });
  }
  if (oidc) rules.push({ path: kvPolicyPaths(oidcClientSecretPath(s.name)).data, capabilities: ["read"] });
  const name = serviceKvRole(s.name);
  return {
    policy: { name, rules, owner },
    role: { name, serviceAccounts: [s.name], namespaces: [s.namespace], policies: [name], ttl: "15m", owner },
  };
}
