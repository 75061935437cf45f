import { z } from "zod";
import type { AnyComponent } from "../render/component.js";
import { type AccessSpec, accessSchema } from "./access.js";
import { environmentRules } from "./environment.js";
import {
  awsRegion,
  cpuQuantity,
  dnsLabel,
  envName,
  hostname,
  imageRef,
  memoryQuantity,
  resources,
} from "./primitives.js";

export const API_VERSION = "slipway.dev/v1alpha1";

const metadata = z.strictObject({
  name: dnsLabel.describe(
    "Name: a DNS label (lowercase letters, digits, '-'); a service's equals its file name",
  ),
  labels: z.record(z.string(), z.string()).optional().describe("Free-form labels; not rendered"),
  annotations: z.record(z.string(), z.string()).optional().describe("Free-form annotations; not rendered"),
});

const node = z.strictObject({
  name: dnsLabel.describe("Node name, as the kubelet registers it"),
  cpu: cpuQuantity.describe('Allocatable CPU: cores (4) or millicores ("3500m")'),
  memory: memoryQuantity.describe("Allocatable memory, such as 16Gi"),
  /** CPU architecture: every image Slipway pins must be published for it (check/arch.ts). */
  arch: z
    .enum(["amd64", "arm64"])
    .default("amd64")
    .describe("CPU architecture of the node; every image the platform runs must be published for it"),
});

/** AWS settings of an EKS cluster (spec.cluster.aws); only with distribution eks (ADR 0014). */
const awsRoleArn = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, {
  error: "must be an IAM role ARN such as arn:aws:iam::123456789012:role/vault-unseal",
});
const aws = z.strictObject({
  region: awsRegion.describe("AWS region of the cluster (and of the KMS key Vault unseals with)"),
  ingress: z
    .discriminatedUnion("type", [
      z.strictObject({
        type: z.literal("cloudflare-tunnel").describe("Cloudflare tunnel, as on every distribution"),
      }),
      z.strictObject({
        type: z
          .literal("nlb")
          .describe("A Network Load Balancer by the AWS Load Balancer Controller in front of Traefik"),
        certificateArn: z
          .string()
          .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/, {
            error: "must be an ACM certificate ARN",
          })
          .describe("ACM certificate the NLB terminates TLS with on port 443"),
        scheme: z
          .enum(["internet-facing", "internal"])
          .default("internet-facing")
          .describe("internet-facing, or internal to the VPC"),
      }),
    ])
    .default({ type: "cloudflare-tunnel" })
    .describe("How requests reach Traefik: the Cloudflare tunnel (default) or an AWS NLB"),
  vaultIam: z
    .strictObject({
      mode: z
        .enum(["irsa", "pod-identity"])
        .describe(
          "irsa: the role ARN annotates Vault's service account; pod-identity: an EKS Pod Identity association",
        ),
      roleArn: awsRoleArn.describe(
        "IAM role allowed kms:Encrypt, kms:Decrypt, kms:DescribeKey on the unseal key",
      ),
    })
    .optional()
    .describe("The IAM role Vault's service account assumes (AWS KMS auto-unseal)"),
});

/** Argo CD's address for the cluster it runs in. */
export const IN_CLUSTER_SERVER = "https://kubernetes.default.svc";

const absolutePath = z
  .string()
  .regex(/^\/[^\0]*$/, { error: "must be an absolute path such as /etc/cni/net.d" });

const cni = z
  .strictObject({
    /** flannel: K3s's bundled CNI (or kubeadm's); cilium: installed by you; other: give the paths. */
    plugin: z
      .enum(["flannel", "cilium", "other"])
      .default("flannel")
      .describe(
        "flannel: K3s's bundled CNI (or kubeadm's); cilium: installed by you; other: give confDir and binDir",
      ),
    /** Where the CNI reads its config (istio-cni `cniConfDir`); required for `other`. */
    confDir: absolutePath
      .optional()
      .describe("Where the CNI reads its config (istio-cni cniConfDir); required for other"),
    /** Where the CNI's plugin binaries live (istio-cni `cniBinDir`); required for `other`. */
    binDir: absolutePath
      .optional()
      .describe("Where the CNI's plugin binaries live (istio-cni cniBinDir); required for other"),
    /**
     * The Cilium Helm values Istio ambient needs, as they are set on the running Cilium (Slipway
     * does not install it): `cni.exclusive: false` and `socketLB.hostNamespaceOnly: true`.
     */
    cilium: z
      .strictObject({
        exclusive: z.boolean().describe("Cilium's cni.exclusive; ambient needs false"),
        socketLBHostNamespaceOnly: z
          .boolean()
          .describe("Cilium's socketLB.hostNamespaceOnly; ambient needs true with kube-proxy replacement"),
      })
      .optional()
      .describe("The running Cilium's settings Istio ambient depends on (Slipway does not install Cilium)"),
  })
  .default({ plugin: "flannel" });

const destination = z
  .strictObject({
    /** The API server as Argo CD reaches it. @default "https://kubernetes.default.svc" */
    server: z
      .url({ protocol: /^https$/ })
      .default(IN_CLUSTER_SERVER)
      .describe("The API server as Argo CD reaches it"),
    /** The cluster's name in Argo CD (its cluster Secret); Applications then use `destination.name`. */
    name: dnsLabel
      .optional()
      .describe("The cluster's name in Argo CD (its cluster Secret); Applications then use it"),
  })
  .default({ server: IN_CLUSTER_SERVER });

const existingObject = z.strictObject({
  kind: z
    .string()
    .regex(/^[A-Z][A-Za-z0-9]*$/, { error: "must be a Kubernetes kind such as Deployment" })
    .describe("Kind, such as Deployment"),
  /** Omit for cluster-scoped kinds. */
  namespace: dnsLabel.optional().describe("Namespace; omit for cluster-scoped kinds"),
  name: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, { error: "must be a Kubernetes object name" })
    .describe("Name"),
});

const existing = z
  .strictObject({
    /**
     * Namespaces that exist and are not Slipway's: Applications may deploy into them, but no
     * Namespace object is rendered for them (so nothing Slipway prunes ever deletes them).
     */
    namespaces: z
      .array(dnsLabel)
      .default([])
      .describe("Namespaces that exist and are not Slipway's: deployed into, never rendered nor pruned"),
    /** Objects that exist and are not Slipway's; `check` fails if one is rendered. */
    objects: z
      .array(existingObject)
      .default([])
      .describe("Objects that exist and are not Slipway's; check fails if one is rendered"),
  })
  .default({ namespaces: [], objects: [] });

const cluster = z.strictObject({
  /** Changes only storage, TLS and IAM defaults: manifests stay environment-agnostic. */
  distribution: z
    .enum(["k3s", "kubeadm", "eks"])
    .describe("Kubernetes distribution; changes only storage, TLS and IAM defaults"),
  /** Kubernetes minor version the manifests are validated against. */
  kubernetesVersion: z
    .enum(["1.32", "1.35"])
    .default("1.32")
    .describe('Kubernetes minor version the manifests are validated against (quote it: "1.32")'),
  /** Node capacity; `slipway budget` fails when requests do not fit. */
  nodes: z
    .array(node)
    .min(1, { error: "at least one node is required so the budget can be checked" })
    .describe("Node capacity; `slipway budget` fails when requests do not fit"),
  /** Capacity kept back for the OS, kubelet and k3s system pods. */
  reserved: z
    .strictObject({
      cpu: cpuQuantity.describe("CPU kept back"),
      memory: memoryQuantity.describe("Memory kept back"),
    })
    .default({ cpu: "250m", memory: "512Mi" })
    .describe("Capacity kept back for the OS, kubelet and system pods"),
  storageClass: z
    .string()
    .min(1)
    .optional()
    .describe(
      "StorageClass of every PersistentVolumeClaim (Vault, PostgreSQL, backups). Default: local-path on k3s, gp3 on eks (rendered: EBS CSI); required on kubeadm",
    ),
  /** The pod network; decides where istio-cni writes its plugin (ADR 0013). */
  cni: cni.describe("The pod network (CNI); decides where istio-cni installs its plugin"),
  /**
   * How Argo CD addresses this cluster: in-cluster by default; the API address (and the name it
   * is registered under) when Argo CD runs on another cluster (ADR 0013).
   */
  destination: destination.describe(
    "How Argo CD addresses this cluster: in-cluster, or its API address from another cluster",
  ),
  /** What already runs on the cluster and is not Slipway's: rendered around, never over (ADR 0013). */
  existing: existing.describe("Namespaces and objects that exist and are not Slipway's: never rendered over"),
  /** Only with `distribution: eks`. */
  aws: aws.optional().describe("AWS settings; only with distribution: eks"),
});

const git = z.strictObject({
  /** The platform repository Argo CD syncs from. */
  repoURL: z.url({ protocol: /^(https|ssh)$/ }).describe("The platform repository Argo CD syncs from"),
  revision: z.string().min(1).default("main").describe("Branch, tag or commit Argo CD syncs"),
});

/** The spec of `platform.yaml`, with component configs keyed by component id. */
export function platformSchema(components: readonly AnyComponent[]) {
  const shape: Record<string, z.ZodType> = {};
  for (const c of components) {
    shape[c.id] = c.config
      .extend({ enabled: z.boolean().default(c.enabledByDefault) })
      .strict()
      // prefault, not default: an omitted component must still get its config's own defaults.
      .prefault({})
      // Shown by editors on hover through the exported JSON Schema.
      .meta({ description: c.description });
  }
  return z.strictObject({
    apiVersion: z.literal(API_VERSION).describe("Always slipway.dev/v1alpha1"),
    kind: z.literal("Platform").describe("Always Platform"),
    metadata: metadata.describe("The platform's name"),
    spec: z
      .strictObject({
        domain: hostname.describe(
          "Base domain: every host is <subdomain>.<domain>, such as blog.example.dev",
        ),
        git: git.describe("The platform repository (this one)"),
        github: z
          .strictObject({
            owner: z
              .string()
              .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, { error: "must be a GitHub user or org" })
              .describe("GitHub user or organization of the service repositories and their GHCR images"),
          })
          .describe("Where service repositories and images live"),
        cluster: cluster.superRefine(environmentRules).describe("The cluster the platform runs on"),
        components: z
          .strictObject(shape)
          .prefault({})
          .describe("Component settings: docs/reference/components.md"),
        /** Groups of people and their roles in the platform UIs (SSO, ADR 0012); omitted: no SSO. */
        access: accessSchema
          .optional()
          .describe(
            "Groups of people and their roles in Argo CD, Grafana and Vault (needs the identity component)",
          ),
      })
      .describe("The platform"),
  });
}

const database = z.strictObject({
  /** Database name; defaults to the service name with '-' replaced by '_'. */
  name: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: "must be a PostgreSQL identifier (lowercase, digits, '_')" })
    .optional()
    .describe("Database name; defaults to the service name with '-' replaced by '_'"),
  /** Vault dynamic credentials instead of a static owner password. */
  dynamic: z
    .boolean()
    .default(false)
    .describe(
      "Short-lived logins from Vault's database engine (dynamic-db) instead of a static owner password",
    ),
});

const secretRef = z.strictObject({
  /** Environment variable the value is exposed as. */
  env: envName.describe("Environment variable the value is exposed as"),
  /** Vault KV path under the platform's mount, e.g. `blog/api`. */
  key: z
    .string()
    .regex(/^[a-z0-9][-a-z0-9_/]*$/, { error: "must be a Vault KV path such as blog/api" })
    .describe("Vault KV path under the service's own prefix, such as blog/api"),
  property: z.string().min(1).describe("Property of the KV secret"),
});

export const serviceSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION).describe("Always slipway.dev/v1alpha1"),
  kind: z.literal("Service").describe("Always Service"),
  metadata: metadata.describe("The service's name"),
  spec: z
    .strictObject({
      description: z.string().optional().describe("One line on what the service does (catalog, README)"),
      /** Backstage owner; defaults to the platform's GitHub owner. */
      owner: z.string().optional().describe("Owner in the catalog; defaults to the platform's GitHub owner"),
      image: imageRef.describe("Container image pinned to a tag or digest, such as ghcr.io/owner/app:1.2.3"),
      /**
       * Semver range Image Updater may move a `x.y.z`-tagged image within; defaults to `^<tag>` (newer
       * minors and patches, never a major). No `=`: Image Updater reads it as an alias separator.
       */
      updateConstraint: z
        .string()
        .regex(/^[v0-9.xX*^~<> ,|-]+$/, {
          error: "must be a semver range such as ^1.4.2, ~1.4 or <2.0.0, without '='",
          abort: true,
        })
        .refine((c) => /[\^~<>xX*]| - /.test(c), {
          error: "is an exact version, which Image Updater never moves from",
          params: {
            code: "SW_SPEC_UPDATE_CONSTRAINT_EXACT",
            hint: "Use a range: ^1.4.2 (newer minors and patches) or ~1.4.2 (patches only).",
          },
        })
        .optional()
        .describe("Semver range Image Updater may update the image within; defaults to ^<pinned tag>"),
      port: z.int().min(1).max(65535).describe("Container port the service listens on"),
      /** `<subdomain>.<domain>` routes to the service; omit for no HTTP route. */
      subdomain: dnsLabel
        .optional()
        .describe("<subdomain>.<domain> routes to the service; omit for no route"),
      /** `public` adds a DNS record and tunnel route; `internal` routes inside the cluster only. */
      exposure: z
        .enum(["public", "internal"])
        .default("public")
        .describe("public: DNS record and tunnel route; internal: routed inside the cluster only"),
      /** Namespace; defaults to the service name (one namespace per personal service). */
      namespace: dnsLabel.optional().describe("Namespace; defaults to the service name"),
      replicas: z.int().min(0).max(20).default(1).describe("Pods; 0 keeps the service deployed but stopped"),
      resources: resources
        .default({ requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } })
        .describe("Container requests and limits; requests count against the node budget"),
      env: z.record(envName, z.string()).default({}).describe("Plain environment variables (never secrets)"),
      secrets: z
        .array(secretRef)
        .default([])
        .describe("Environment variables from Vault KV, delivered by External Secrets"),
      health: z
        .strictObject({
          liveness: z.string().startsWith("/").default("/healthz").describe("Path of the liveness probe"),
          readiness: z.string().startsWith("/").default("/readyz").describe("Path of the readiness probe"),
        })
        .default({ liveness: "/healthz", readiness: "/readyz" })
        .describe("HTTP probe paths on the service port"),
      runtime: z
        .enum(["generic", "java", "node", "static"])
        .default("generic")
        .describe("java: OpenTelemetry Java agent injected; node and static: their hardening defaults"),
      /** Other services this one must start after (same platform). */
      dependsOn: z.array(dnsLabel).default([]).describe("Services this one syncs after"),
      // Hooks filled by capability issues: identity, databases, mesh, presets.
      auth: z.enum(["none", "oidc"]).default("none").describe("oidc: an OIDC client is provisioned for it"),
      database: z
        .union([z.literal(false), database])
        .default(false)
        .describe("A database of its own on the shared PostgreSQL; false for none"),
      mesh: z
        .strictObject({
          /** L7 features through the namespace's waypoint. */
          l7: z.boolean().default(false).describe("L7 features (HTTP policy, telemetry) through a waypoint"),
          /** Services allowed to call this one (mesh AuthorizationPolicy). */
          callers: z
            .array(dnsLabel)
            .default([])
            .describe("Services allowed to call this one (AuthorizationPolicy and NetworkPolicy)"),
        })
        .default({ l7: false, callers: [] })
        .describe("Istio ambient settings (istio component)"),
      preset: z.string().optional().describe("The preset the service repository was generated from"),
    })
    .describe("The service"),
});

export type PlatformDocument = z.output<ReturnType<typeof platformSchema>>;
export type ServiceDocument = z.output<typeof serviceSchema>;

/** `spec.cluster` with the distribution's defaults resolved (config/environment.ts): what components read. */
export type ClusterSpec = Omit<PlatformDocument["spec"]["cluster"], "storageClass"> & {
  /** Never empty: the document's, or the distribution's default (DEFAULT_STORAGE_CLASS). */
  readonly storageClass: string;
};

/** The validated platform: the document's spec plus its name. */
export interface PlatformSpec {
  readonly name: string;
  readonly domain: string;
  readonly git: { readonly repoURL: string; readonly revision: string };
  readonly github: { readonly owner: string };
  /** The document's cluster with the distribution's defaults resolved (config/environment.ts). */
  readonly cluster: ClusterSpec;
  /** Config of every component (enabled or not), defaults applied. */
  readonly components: Readonly<Record<string, { enabled: boolean } & Record<string, unknown>>>;
  /** `spec.access`: groups and their roles per UI; absent when the platform declares no SSO. */
  readonly access?: AccessSpec;
}

/** A validated service with defaults resolved (namespace, owner, database name). */
export interface ServiceSpec extends Omit<ServiceDocument["spec"], "namespace" | "owner" | "database"> {
  readonly name: string;
  readonly namespace: string;
  readonly owner: string;
  readonly database: false | { readonly name: string; readonly dynamic: boolean };
  /** `host` when the service has a subdomain. */
  readonly host?: string;
  /** Where it was declared, for diagnostics raised after validation. */
  readonly file: string;
}
