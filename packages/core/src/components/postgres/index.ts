import { createHash } from "node:crypto";
import { z } from "zod";
import { memoryQuantity } from "../../config/primitives.js";
import { diag, InputError } from "../../diagnostics.js";
import { app, type ConfigOf, defineComponent } from "../../render/component.js";
import type { K8sObject } from "../../render/k8s.js";
import type { DatabaseDecl } from "../../render/plan.js";
import { type Resources, resourcesValue } from "../../render/resources.js";
import { STATEFUL_LABEL } from "../argocd/contract.js";
import { externalSecret } from "../external-secrets/contract.js";
import {
  databaseSecretPath,
  POSTGRES_ADMIN_SECRET,
  POSTGRES_ADMIN_SECRET_PATH,
  POSTGRES_NAMESPACE,
  postgresEndpoint,
} from "./contract.js";
import { passwordEnv, provisioningSql } from "./sql.js";

/** The official image runs as `postgres`, uid/gid 999. */
const POSTGRES_UID = 999;
const SERVER_RESOURCES: Resources = {
  requests: { cpu: "100m", memory: "256Mi" },
  limits: { memory: "512Mi" },
};
const JOB_RESOURCES: Resources = { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } };

const SELECTOR = { "app.kubernetes.io/name": "postgres", "app.kubernetes.io/instance": "postgres" };
const LABELS = {
  ...SELECTOR,
  "app.kubernetes.io/managed-by": "slipway",
  "app.kubernetes.io/part-of": "postgres",
};

const config = z.strictObject({
  /** `in-cluster` runs the StatefulSet; `external` provisions databases on an existing server. */
  mode: z
    .enum(["in-cluster", "external"])
    .default("in-cluster")
    .describe("in-cluster: a StatefulSet; external: databases provisioned on an existing server"),
  /** Host of the external server; required when `mode: external`. */
  host: z
    .string()
    .regex(/^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$/, { error: "must be a hostname or IP address" })
    .optional()
    .describe("Host of the external server; required with mode: external"),
  port: z.int().min(1).max(65535).default(5432).describe("Port of the server"),
  /** Tag of the official `postgres` image (and of the psql the provisioning Job runs). */
  version: z
    .string()
    .regex(/^\d+(\.\d+)?(-[a-z0-9]+)?$/, {
      error: "must be a postgres image tag such as 17.6 or 17.6-bookworm",
    })
    .default("17.6")
    .describe("Tag of the official postgres image (and of the provisioning Job's psql)"),
  /** Size of the data volume (in-cluster mode). @default "10Gi" */
  storageSize: memoryQuantity.default("10Gi").describe("Size of the data volume (in-cluster mode)"),
});
type PostgresConfig = z.output<typeof config>;

const image = (c: PostgresConfig) => `docker.io/library/postgres:${c.version}`;

const podSecurityContext = {
  runAsNonRoot: true,
  runAsUser: POSTGRES_UID,
  runAsGroup: POSTGRES_UID,
  fsGroup: POSTGRES_UID,
  seccompProfile: { type: "RuntimeDefault" },
};
const containerSecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
};

const secretEnv = (name: string, secret: string, key: string) => ({
  name,
  valueFrom: { secretKeyRef: { name: secret, key } },
});

/** Secret holding a static owner's credentials, written by ESO from Vault `postgres/<database>`. */
export const ownerSecretName = (db: Pick<DatabaseDecl, "name">) =>
  `postgres-owner-${db.name.replace(/_/g, "-")}`;

function adminExternalSecret(): K8sObject {
  return externalSecret({
    name: POSTGRES_ADMIN_SECRET,
    namespace: POSTGRES_NAMESPACE,
    labels: LABELS,
    // Before anything that mounts the Secret.
    annotations: { "argocd.argoproj.io/sync-wave": "-1" },
    data: [
      { secretKey: "username", key: POSTGRES_ADMIN_SECRET_PATH, property: "username" },
      { secretKey: "password", key: POSTGRES_ADMIN_SECRET_PATH, property: "password" },
    ],
  });
}

function serverObjects(c: PostgresConfig, storageClass: string): K8sObject[] {
  const ports = [{ name: "postgres", port: c.port, targetPort: "postgres", protocol: "TCP" }];
  const isReady = {
    exec: { command: ["pg_isready", "--host=127.0.0.1", "--port=5432", "--dbname=postgres"] },
  };
  return [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "postgres", namespace: POSTGRES_NAMESPACE, labels: LABELS },
      spec: { type: "ClusterIP", selector: SELECTOR, ports },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "postgres-headless", namespace: POSTGRES_NAMESPACE, labels: LABELS },
      spec: { clusterIP: "None", publishNotReadyAddresses: true, selector: SELECTOR, ports },
    },
    {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "postgres", namespace: POSTGRES_NAMESPACE, labels: LABELS },
      spec: {
        serviceName: "postgres-headless",
        replicas: 1,
        selector: { matchLabels: SELECTOR },
        // Deleting the StatefulSet (or the Application) must never delete the data.
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
        template: {
          metadata: { labels: LABELS },
          spec: {
            automountServiceAccountToken: false,
            securityContext: podSecurityContext,
            terminationGracePeriodSeconds: 60,
            containers: [
              {
                name: "postgres",
                image: image(c),
                imagePullPolicy: "IfNotPresent",
                ports: [{ name: "postgres", containerPort: 5432, protocol: "TCP" }],
                env: [
                  secretEnv("POSTGRES_USER", POSTGRES_ADMIN_SECRET, "username"),
                  secretEnv("POSTGRES_PASSWORD", POSTGRES_ADMIN_SECRET, "password"),
                  { name: "POSTGRES_INITDB_ARGS", value: "--auth-host=scram-sha-256" },
                  // A subdirectory: the volume root holds lost+found on some storage classes.
                  { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
                ],
                startupProbe: { ...isReady, periodSeconds: 5, failureThreshold: 60 },
                readinessProbe: { ...isReady, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
                livenessProbe: { ...isReady, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
                resources: resourcesValue(SERVER_RESOURCES),
                securityContext: containerSecurityContext,
                volumeMounts: [
                  { name: "data", mountPath: "/var/lib/postgresql/data" },
                  { name: "run", mountPath: "/var/run/postgresql" },
                  { name: "tmp", mountPath: "/tmp" },
                ],
              },
            ],
            volumes: [
              { name: "run", emptyDir: {} },
              { name: "tmp", emptyDir: {} },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            // Written in full: the API server fills these in, and a shorter template stays OutOfSync.
            apiVersion: "v1",
            kind: "PersistentVolumeClaim",
            metadata: { name: "data" },
            spec: {
              accessModes: ["ReadWriteOnce"],
              storageClassName: storageClass,
              volumeMode: "Filesystem",
              resources: { requests: { storage: c.storageSize } },
            },
          },
        ],
      },
    },
  ];
}

/**
 * The SQL in a ConfigMap and the Job that runs it, both named after a hash of what they do:
 * any change to the databases, the image or the target renders a new Job, which Argo CD runs
 * (and prunes the old one). Credentials come only from ESO-written Secrets.
 */
function* provisioningObjects(
  c: PostgresConfig,
  host: string,
  databases: readonly DatabaseDecl[],
): Generator<K8sObject> {
  const sql = provisioningSql(databases);
  const statics = databases.filter((d) => !d.dynamic).sort((a, b) => (a.name < b.name ? -1 : 1));
  const hash = provisioningHash(sql, {
    image: image(c),
    host,
    port: c.port,
    statics: statics.map((d) => d.name),
  });
  const name = `postgres-provision-${hash.slice(0, 10)}`;
  for (const db of statics) {
    yield externalSecret({
      name: ownerSecretName(db),
      namespace: POSTGRES_NAMESPACE,
      labels: LABELS,
      annotations: { "argocd.argoproj.io/sync-wave": "-1" },
      data: [
        { secretKey: "username", key: databaseSecretPath(db.name), property: "username" },
        { secretKey: "password", key: databaseSecretPath(db.name), property: "password" },
      ],
    });
  }
  yield {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: POSTGRES_NAMESPACE, labels: LABELS },
    data: { "provision.sql": sql },
  };
  yield {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name,
      namespace: POSTGRES_NAMESPACE,
      labels: LABELS,
      // After the server (wave 0) is healthy.
      annotations: { "argocd.argoproj.io/sync-wave": "1" },
    },
    spec: {
      backoffLimit: 10,
      template: {
        metadata: { labels: { ...LABELS, "app.kubernetes.io/component": "provisioning" } },
        spec: {
          restartPolicy: "OnFailure",
          automountServiceAccountToken: false,
          securityContext: podSecurityContext,
          containers: [
            {
              name: "psql",
              image: image(c),
              imagePullPolicy: "IfNotPresent",
              command: ["psql", "--no-psqlrc", "--set=ON_ERROR_STOP=1", "--file=/sql/provision.sql"],
              env: [
                { name: "PGHOST", value: host },
                { name: "PGPORT", value: String(c.port) },
                { name: "PGDATABASE", value: "postgres" },
                { name: "PGCONNECT_TIMEOUT", value: "10" },
                secretEnv("PGUSER", POSTGRES_ADMIN_SECRET, "username"),
                secretEnv("PGPASSWORD", POSTGRES_ADMIN_SECRET, "password"),
                ...statics.map((db) => secretEnv(passwordEnv(db), ownerSecretName(db), "password")),
              ],
              resources: resourcesValue(JOB_RESOURCES),
              securityContext: containerSecurityContext,
              volumeMounts: [
                { name: "sql", mountPath: "/sql", readOnly: true },
                { name: "tmp", mountPath: "/tmp" },
              ],
            },
          ],
          volumes: [
            { name: "sql", configMap: { name } },
            { name: "tmp", emptyDir: {} },
          ],
        },
      },
    },
  };
}

/**
 * sha256 of `JSON.stringify({ sql, ...rest })`, hashed in pieces: the script of thousands of
 * databases is not copied whole into its JSON form (the same bytes, so the same Job names).
 */
function provisioningHash(sql: string, rest: Record<string, unknown>): string {
  const h = createHash("sha256").update('{"sql":"');
  for (let start = 0; ; ) {
    const end = sql.indexOf("\n", start);
    const line = end === -1 ? sql.slice(start) : sql.slice(start, end);
    h.update(JSON.stringify(line).slice(1, -1));
    if (end === -1) break;
    h.update("\\n");
    start = end + 1;
  }
  return h.update(`"${JSON.stringify(rest).replace(/^\{/, ",")}`).digest("hex");
}

function checkDatabases(databases: readonly DatabaseDecl[]): void {
  const seen = new Map<string, string>();
  for (const db of databases) {
    const prev = seen.get(db.name);
    if (prev !== undefined) {
      throw new InputError([
        diag(
          "SW_POSTGRES_DUPLICATE_DATABASE",
          `database ${db.name} is declared by both ${prev} and ${db.consumer}`,
          {
            hint: "Give one of them another database name (services: spec.database.name).",
          },
        ),
      ]);
    }
    seen.set(db.name, db.consumer);
  }
}

export const postgres = defineComponent({
  id: "postgres",
  description: "The shared PostgreSQL server, databases and owners per consumer",
  dependsOn: ["external-secrets"],
  after: [],
  enabledByDefault: true,
  before: ["services"],
  namespaces: [POSTGRES_NAMESPACE],
  capabilities: [
    { feature: "a database", path: (s) => (s.database !== false ? ["spec", "database"] : undefined) },
  ],
  config,
  plan(ctx) {
    if (ctx.config.mode === "external" && !ctx.config.host) {
      throw new InputError([
        diag("SW_POSTGRES_HOST_REQUIRED", "postgres.mode is external but no host is given", {
          path: ["spec", "components", "postgres", "host"],
          hint: "Set spec.components.postgres.host to the server's address, or use mode: in-cluster.",
        }),
      ]);
    }
    // In-cluster, the namespace holds the data volume: never pruned nor deleted with its Application.
    ctx.plan.namespace({
      name: POSTGRES_NAMESPACE,
      project: "platform",
      owner: ctx.id,
      ...(ctx.config.mode === "in-cluster" ? { labels: { [STATEFUL_LABEL]: "true" } } : {}),
    });
  },
  *contribute(ctx) {
    const databases = ctx.plan.databases;
    checkDatabases(databases);
    const host = postgresEndpoint(ctx.platform).host;
    const config = ctx.config;
    const storageClass = ctx.platform.cluster.storageClass;
    // One object at a time: the provisioning objects grow with the databases (one owner secret each).
    function* manifests(): Generator<K8sObject> {
      yield adminExternalSecret();
      if (config.mode === "in-cluster") yield* serverObjects(config, storageClass);
      if (databases.length > 0) yield* provisioningObjects(config, host, databases);
    }
    yield app({
      name: "postgres",
      project: "platform",
      namespace: POSTGRES_NAMESPACE,
      manifests: manifests(),
    });
  },
});

declare module "../../render/component.js" {
  interface ComponentConfigs {
    postgres: ConfigOf<typeof config>;
  }
}
