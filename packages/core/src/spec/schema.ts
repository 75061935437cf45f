import { z } from "zod";
import type { AnyComponent } from "../render/component.js";
import { type AccessSpec, accessSchema } from "./access.js";
import {
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
  name: dnsLabel,
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const node = z.strictObject({
  name: dnsLabel,
  cpu: cpuQuantity,
  memory: memoryQuantity,
});

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
    .strictObject({ cpu: cpuQuantity, memory: memoryQuantity })
    .default({ cpu: "250m", memory: "512Mi" })
    .describe("Capacity kept back for the OS, kubelet and system pods"),
  storageClass: z.string().default("local-path"),
});

const git = z.strictObject({
  /** The platform repository Argo CD syncs from. */
  repoURL: z.url({ protocol: /^(https|ssh)$/ }).describe("The platform repository Argo CD syncs from"),
  revision: z.string().min(1).default("main"),
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
    apiVersion: z.literal(API_VERSION),
    kind: z.literal("Platform"),
    metadata,
    spec: z.strictObject({
      domain: hostname,
      git,
      github: z.strictObject({
        owner: z
          .string()
          .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, { error: "must be a GitHub user or org" }),
      }),
      cluster,
      components: z.strictObject(shape).prefault({}),
      /** Groups of people and their roles in the platform UIs (SSO, ADR 0012); omitted: no SSO. */
      access: accessSchema
        .optional()
        .describe(
          "Groups of people and their roles in Argo CD, Grafana and Vault (needs the identity component)",
        ),
    }),
  });
}

const database = z.strictObject({
  /** Database name; defaults to the service name with '-' replaced by '_'. */
  name: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: "must be a PostgreSQL identifier (lowercase, digits, '_')" })
    .optional(),
  /** Vault dynamic credentials instead of a static owner password. */
  dynamic: z.boolean().default(false),
});

const secretRef = z.strictObject({
  /** Environment variable the value is exposed as. */
  env: envName,
  /** Vault KV path under the platform's mount, e.g. `blog/api`. */
  key: z.string().regex(/^[a-z0-9][-a-z0-9_/]*$/, { error: "must be a Vault KV path such as blog/api" }),
  property: z.string().min(1),
});

export const serviceSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal("Service"),
  metadata,
  spec: z.strictObject({
    description: z.string().optional(),
    /** Backstage owner; defaults to the platform's GitHub owner. */
    owner: z.string().optional(),
    image: imageRef.describe("Container image pinned to a tag or digest, such as ghcr.io/owner/app:1.2.3"),
    port: z.int().min(1).max(65535).describe("Container port the service listens on"),
    /** `<subdomain>.<domain>` routes to the service; omit for no HTTP route. */
    subdomain: dnsLabel.optional().describe("<subdomain>.<domain> routes to the service; omit for no route"),
    /** `public` adds a DNS record and tunnel route; `internal` routes inside the cluster only. */
    exposure: z
      .enum(["public", "internal"])
      .default("public")
      .describe("public: DNS record and tunnel route; internal: routed inside the cluster only"),
    /** Namespace; defaults to the service name (one namespace per personal service). */
    namespace: dnsLabel.optional().describe("Namespace; defaults to the service name"),
    replicas: z.int().min(0).max(20).default(1),
    resources: resources.default({ requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } }),
    env: z.record(envName, z.string()).default({}),
    secrets: z.array(secretRef).default([]),
    health: z
      .strictObject({
        liveness: z.string().startsWith("/").default("/healthz"),
        readiness: z.string().startsWith("/").default("/readyz"),
      })
      .default({ liveness: "/healthz", readiness: "/readyz" }),
    runtime: z.enum(["generic", "java", "node", "static"]).default("generic"),
    /** Other services this one must start after (same platform). */
    dependsOn: z.array(dnsLabel).default([]).describe("Services this one syncs after"),
    // Hooks filled by capability issues: identity, databases, mesh, presets.
    auth: z.enum(["none", "oidc"]).default("none").describe("oidc: an OIDC client is provisioned for it"),
    database: z.union([z.literal(false), database]).default(false),
    mesh: z
      .strictObject({
        /** L7 features through the namespace's waypoint. */
        l7: z.boolean().default(false),
        /** Services allowed to call this one (mesh AuthorizationPolicy). */
        callers: z.array(dnsLabel).default([]),
      })
      .default({ l7: false, callers: [] }),
    preset: z.string().optional().describe("The preset the service repository was generated from"),
  }),
});

export type PlatformDocument = z.output<ReturnType<typeof platformSchema>>;
export type ServiceDocument = z.output<typeof serviceSchema>;

/** The validated platform: the document's spec plus its name. */
export interface PlatformSpec {
  readonly name: string;
  readonly domain: string;
  readonly git: { readonly repoURL: string; readonly revision: string };
  readonly github: { readonly owner: string };
  readonly cluster: PlatformDocument["spec"]["cluster"];
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
