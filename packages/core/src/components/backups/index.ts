import { z } from "zod";
import { dnsLabel, memoryQuantity } from "../../config/primitives.js";
import { app, type ConfigOf, defineComponent } from "../../render/component.js";
import type { K8sObject } from "../../render/k8s.js";
import { type Resources, resourcesValue } from "../../render/resources.js";
import { RETAIN_SYNC_OPTIONS, SYNC_OPTIONS_ANNOTATION } from "../argocd/contract.js";
import { POSTGRES_ADMIN_SECRET, POSTGRES_NAMESPACE, postgresEndpoint } from "../postgres/contract.js";
import { VAULT, VAULT_CHART } from "../vault/contract.js";
import { BACKUP_OF_LABEL } from "./contract.js";
import { POSTGRES_DUMP_SCRIPT, VAULT_SNAPSHOT_SCRIPT } from "./scripts.js";

/** Vault policy and Kubernetes auth role of the snapshot Job: `read` on the raft snapshot, nothing else. */
export const VAULT_SNAPSHOT_ROLE = "backup-vault-snapshot";
export const VAULT_SNAPSHOT_SERVICE_ACCOUNT = "vault-snapshot";
const VAULT_SNAPSHOT_POLICY_RULES = [{ path: "sys/storage/raft/snapshot", capabilities: ["read"] }] as const;
/** Where the projected service account token (audience `vault`) is mounted. */
const JWT_DIR = "/var/run/secrets/vault";
const BACKUP_DIR = "/backup";

/** The official Vault image runs as `vault`, uid 100, gid 1000 (as vault-helm runs the server). */
const VAULT_UID = 100;
const VAULT_GID = 1000;
const POSTGRES_UID = 999;
const JOB_RESOURCES: Resources = { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } };

const config = z.strictObject({
  /** When both backups run, in cron syntax (the controller's time zone, UTC on K3s). @default "17 3 * * *" */
  schedule: z
    .string()
    .regex(/^(\S+\s+){4}\S+$/, { error: "must be a cron schedule of five fields, e.g. '17 3 * * *'" })
    .default("17 3 * * *")
    .describe("When both backups run (cron, the controller's time zone: UTC on K3s)"),
  /** How many backups of each kind to keep; older ones are deleted after a successful run. @default 7 */
  keep: z
    .int()
    .min(1)
    .max(365)
    .default(7)
    .describe("How many backups of each kind to keep (older ones are deleted)"),
  /**
   * Where backups go. `pvc`: a PersistentVolumeClaim in the namespace of what is backed up (never
   * pruned nor deleted by Argo CD). Copy them off the node yourself (docs/runbooks/restore.md).
   */
  target: z
    .strictObject({
      type: z
        .literal("pvc")
        .describe("pvc: a claim beside what is backed up, never pruned nor deleted by Argo CD"),
      /** Size of each claim. @default "5Gi" */
      size: memoryQuantity.default("5Gi").describe("Size of each claim"),
      /** Storage class; the cluster's by default. */
      storageClass: dnsLabel
        .optional()
        .describe("Storage class of the claims (default: spec.cluster.storageClass)"),
    })
    .default({ type: "pvc", size: "5Gi" })
    .describe("Where backups are written; copy them off the node yourself (docs/runbooks/restore.md)"),
});
export type BackupsConfig = z.output<typeof config>;

const labels = (name: string, of: string) => ({
  "app.kubernetes.io/name": name,
  "app.kubernetes.io/component": "backup",
  "app.kubernetes.io/managed-by": "slipway",
  "app.kubernetes.io/part-of": "backups",
  [BACKUP_OF_LABEL]: of,
});

const containerSecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
};

/** The claim backups are written to; kept when the component is disabled or the Application deleted. */
function claim(
  name: string,
  namespace: string,
  of: string,
  c: BackupsConfig,
  storageClass: string,
): K8sObject {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: {
      name,
      namespace,
      labels: labels(name, of),
      annotations: { [SYNC_OPTIONS_ANNOTATION]: RETAIN_SYNC_OPTIONS },
    },
    spec: {
      accessModes: ["ReadWriteOnce"],
      storageClassName: c.target.storageClass ?? storageClass,
      volumeMode: "Filesystem",
      resources: { requests: { storage: c.target.size } },
    },
  };
}

interface JobSpec {
  readonly name: string;
  readonly namespace: string;
  readonly of: string;
  readonly image: string;
  readonly script: string;
  readonly uid: number;
  readonly gid: number;
  readonly env: readonly Record<string, unknown>[];
  readonly serviceAccountName?: string;
  readonly extraVolumes?: readonly Record<string, unknown>[];
  readonly extraMounts?: readonly Record<string, unknown>[];
}

/** A CronJob that runs `script` with `sh -c`, never two at once, its pods meeting Pod Security `restricted`. */
function cronJob(j: JobSpec, c: BackupsConfig, claimName: string): K8sObject {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: j.name, namespace: j.namespace, labels: labels(j.name, j.of) },
    spec: {
      schedule: c.schedule,
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels: labels(j.name, j.of) },
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: 3600,
          template: {
            metadata: { labels: labels(j.name, j.of) },
            spec: {
              restartPolicy: "Never",
              ...(j.serviceAccountName ? { serviceAccountName: j.serviceAccountName } : {}),
              automountServiceAccountToken: false,
              securityContext: {
                runAsNonRoot: true,
                runAsUser: j.uid,
                runAsGroup: j.gid,
                fsGroup: j.gid,
                seccompProfile: { type: "RuntimeDefault" },
              },
              containers: [
                {
                  name: "backup",
                  image: j.image,
                  imagePullPolicy: "IfNotPresent",
                  command: ["/bin/sh", "-c", j.script],
                  env: [
                    { name: "BACKUP_DIR", value: BACKUP_DIR },
                    { name: "KEEP", value: String(c.keep) },
                    { name: "HOME", value: "/tmp" },
                    ...j.env,
                  ],
                  resources: resourcesValue(JOB_RESOURCES),
                  securityContext: containerSecurityContext,
                  volumeMounts: [
                    { name: "backup", mountPath: BACKUP_DIR },
                    { name: "tmp", mountPath: "/tmp" },
                    ...(j.extraMounts ?? []),
                  ],
                },
              ],
              volumes: [
                { name: "backup", persistentVolumeClaim: { claimName } },
                { name: "tmp", emptyDir: {} },
                ...(j.extraVolumes ?? []),
              ],
            },
          },
        },
      },
    },
  };
}

/** Vault's raft snapshot: a service account, its claim and the CronJob, all in the `vault` namespace. */
export function vaultSnapshotObjects(c: BackupsConfig, storageClass: string): K8sObject[] {
  const name = "vault-snapshot";
  return [
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: {
        name: VAULT_SNAPSHOT_SERVICE_ACCOUNT,
        namespace: VAULT.namespace,
        labels: labels(name, VAULT.namespace),
      },
      automountServiceAccountToken: false,
    },
    claim("vault-snapshots", VAULT.namespace, VAULT.namespace, c, storageClass),
    cronJob(
      {
        name,
        namespace: VAULT.namespace,
        of: VAULT.namespace,
        image: `docker.io/hashicorp/vault:${VAULT_CHART.imageTag}`,
        script: VAULT_SNAPSHOT_SCRIPT,
        uid: VAULT_UID,
        gid: VAULT_GID,
        serviceAccountName: VAULT_SNAPSHOT_SERVICE_ACCOUNT,
        env: [
          { name: "VAULT_ADDR", value: VAULT.address },
          { name: "VAULT_AUTH_PATH", value: VAULT.kubernetesAuthPath },
          { name: "VAULT_ROLE", value: VAULT_SNAPSHOT_ROLE },
          { name: "VAULT_JWT_FILE", value: `${JWT_DIR}/token` },
        ],
        // A token for Vault's audience only, short-lived, instead of the default API token.
        extraVolumes: [
          {
            name: "vault-token",
            projected: {
              sources: [
                {
                  serviceAccountToken: {
                    audience: VAULT.kubernetesAuthAudience,
                    expirationSeconds: 600,
                    path: "token",
                  },
                },
              ],
            },
          },
        ],
        extraMounts: [{ name: "vault-token", mountPath: JWT_DIR, readOnly: true }],
      },
      c,
      "vault-snapshots",
    ),
  ];
}

/** PostgreSQL's dump: a claim and the CronJob in the `database` namespace, as the superuser. */
export function postgresDumpObjects(
  c: BackupsConfig,
  storageClass: string,
  pg: { image: string; host: string; port: number },
): K8sObject[] {
  const name = "postgres-dump";
  const secretEnv = (env: string, key: string) => ({
    name: env,
    valueFrom: { secretKeyRef: { name: POSTGRES_ADMIN_SECRET, key } },
  });
  return [
    claim("postgres-dumps", POSTGRES_NAMESPACE, POSTGRES_NAMESPACE, c, storageClass),
    cronJob(
      {
        name,
        namespace: POSTGRES_NAMESPACE,
        of: POSTGRES_NAMESPACE,
        image: pg.image,
        script: POSTGRES_DUMP_SCRIPT,
        uid: POSTGRES_UID,
        gid: POSTGRES_UID,
        env: [
          { name: "PGHOST", value: pg.host },
          { name: "PGPORT", value: String(pg.port) },
          { name: "PGDATABASE", value: "postgres" },
          { name: "PGCONNECT_TIMEOUT", value: "10" },
          secretEnv("PGUSER", "username"),
          secretEnv("PGPASSWORD", "password"),
        ],
      },
      c,
      "postgres-dumps",
    ),
  ];
}

/**
 * Scheduled backups of the platform's state (H4): a Vault raft snapshot and a pg_dump of the shared
 * PostgreSQL, each to a claim beside what it saves. Restoring: docs/runbooks/restore.md.
 */
export const backups = defineComponent({
  id: "backups",
  description: "Scheduled Vault raft snapshots and PostgreSQL dumps to a claim (docs/runbooks/restore.md)",
  dependsOn: [],
  after: ["vault", "postgres"],
  enabledByDefault: true,
  config,
  plan(ctx) {
    if (!ctx.isEnabled("vault")) return;
    ctx.plan.vaultPolicies.push({
      name: VAULT_SNAPSHOT_ROLE,
      rules: VAULT_SNAPSHOT_POLICY_RULES,
      owner: ctx.id,
    });
    ctx.plan.vaultKubernetesRoles.push({
      name: VAULT_SNAPSHOT_ROLE,
      serviceAccounts: [VAULT_SNAPSHOT_SERVICE_ACCOUNT],
      namespaces: [VAULT.namespace],
      policies: [VAULT_SNAPSHOT_ROLE],
      ttl: "15m",
      owner: ctx.id,
    });
  },
  *contribute(ctx) {
    const storageClass = ctx.platform.cluster.storageClass;
    // No resources finalizer: deleting these Applications must not delete the claims (the claims
    // also carry Prune=false,Delete=false).
    if (ctx.isEnabled("vault")) {
      yield app({
        name: "backups-vault",
        project: "platform",
        namespace: VAULT.namespace,
        order: 0,
        manifests: vaultSnapshotObjects(ctx.config, storageClass),
        finalizer: false,
      });
    }
    if (ctx.isEnabled("postgres")) {
      const pg = ctx.configOf("postgres");
      const endpoint = postgresEndpoint(ctx.platform);
      yield app({
        name: "backups-postgres",
        project: "platform",
        namespace: POSTGRES_NAMESPACE,
        order: 1,
        manifests: postgresDumpObjects(ctx.config, storageClass, {
          image: `docker.io/library/postgres:${pg.version}`,
          host: endpoint.host,
          port: endpoint.port,
        }),
        finalizer: false,
      });
    }
  },
});

declare module "../../render/component.js" {
  interface ComponentConfigs {
    backups: ConfigOf<typeof config>;
  }
}
