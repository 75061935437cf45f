import type { BudgetEntry } from "../../render/component.js";
import type { K8sObject } from "../../render/k8s.js";
import { budgetEntry, type Resources, resourcesValue } from "../../render/resources.js";
import { externalSecret } from "../external-secrets/contract.js";
import { backendAppProtocol } from "../gateway/contract.js";
import type { PostgresEndpoint } from "../postgres/contract.js";
import { databaseSecretPath } from "../postgres/contract.js";

export const ZITADEL_CHART = {
  repoURL: "https://charts.zitadel.com",
  chart: "zitadel",
  version: "9.34.0",
  schemaRef: "helm-zitadel/9.34.0",
  /** ZITADEL v4.13.0, the chart's appVersion; pinned so a chart bump is a visible diff. */
  imageTag: "v4.13.0",
} as const;

/** Release name; the chart names its Deployment and Service after it. */
export const ZITADEL_RELEASE = "zitadel";
/** The chart's API Service (HTTP/2 cleartext: gRPC, gRPC-web, REST and the console on one port). */
export const ZITADEL_SERVICE = { name: "zitadel", port: 8080 } as const;
/** Database and owning role on the shared PostgreSQL. */
export const ZITADEL_DATABASE = "zitadel";

/** Vault KV path of the 32-byte masterkey (property `masterkey`), written once by a person. */
export const ZITADEL_MASTERKEY_PATH = "identity/zitadel";
/** Secret ESO writes the masterkey to; the chart reads key `masterkey` from it. */
export const ZITADEL_MASTERKEY_SECRET = "zitadel-masterkey";
/** Secret ESO writes the database owner's credentials to. */
export const ZITADEL_DATABASE_SECRET = "zitadel-database";

/**
 * The first-instance machine user (IAM_OWNER). ZITADEL's setup Job writes its JSON key into a
 * Secret the chart creates in the cluster, named after the user, key `<user>.json`; a person copies
 * it into Vault once ({@link ZITADEL_ADMIN_KEY_PATH}), where Terraform reads it.
 */
export const ZITADEL_ADMIN_USER = "zitadel-admin-sa";
/** Vault KV path (property `key`) of the machine user's JSON key. */
export const ZITADEL_ADMIN_KEY_PATH = "identity/zitadel-admin-sa";
/**
 * Expiry of that key. A fixed date keeps rendering pure; rotating it is a Terraform
 * `zitadel_machine_key` away (docs/components/identity.md).
 */
const ADMIN_KEY_EXPIRY = "2029-01-01T00:00:00Z";

export const ZITADEL_RESOURCES: Resources = {
  requests: { cpu: "100m", memory: "192Mi" },
  limits: { memory: "512Mi" },
};
/** The init and setup Jobs run migrations once per sync; the machine-key writer only runs kubectl. */
const JOB_RESOURCES: Resources = { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } };
const KUBECTL_RESOURCES: Resources = {
  requests: { cpu: "10m", memory: "32Mi" },
  limits: { memory: "128Mi" },
};

const LABELS = {
  "app.kubernetes.io/managed-by": "slipway",
  "app.kubernetes.io/part-of": "identity",
  "app.kubernetes.io/instance": "zitadel",
};

/**
 * The Secrets the chart's hooks read, from Vault through ESO. They live in their own Application
 * synced before the chart's: Argo CD runs the chart's `pre-install` hooks (init and setup Jobs) as
 * PreSync, before any plain manifest of the same Application would exist.
 */
export function zitadelSecrets(namespace: string): K8sObject[] {
  return [
    externalSecret({
      name: ZITADEL_MASTERKEY_SECRET,
      namespace,
      labels: LABELS,
      data: [{ secretKey: "masterkey", key: ZITADEL_MASTERKEY_PATH, property: "masterkey" }],
    }),
    externalSecret({
      name: ZITADEL_DATABASE_SECRET,
      namespace,
      labels: LABELS,
      data: [
        { secretKey: "username", key: databaseSecretPath(ZITADEL_DATABASE), property: "username" },
        { secretKey: "password", key: databaseSecretPath(ZITADEL_DATABASE), property: "password" },
      ],
    }),
  ];
}

/**
 * Chart values (only what differs from the chart's defaults, and why):
 * - external domain/port/secure: TLS ends at Cloudflare, so ZITADEL serves plain HTTP/2 in the
 *   cluster but must issue `https://<host>` URLs (issuer, redirects, cookies);
 * - the database on the shared PostgreSQL, provisioned (database + owner) by the postgres
 *   component, so the init Job only creates ZITADEL's schemas (`command: zitadel`, no admin login);
 *   the owner's password arrives as an env var from the ESO-written Secret;
 * - the masterkey from an existing Secret (ESO), never in values;
 * - Login V2 off: it is a second Deployment behind `/ui/v2/login`, while the platform routes one
 *   hostname to one backend; the built-in login (v1) serves the same flows;
 * - a machine user with a JSON key as first-instance admin (for Terraform), no PAT.
 */
export function zitadelValues(host: string, db: PostgresEndpoint): Record<string, unknown> {
  const containerSecurity = {
    runAsNonRoot: true,
    runAsUser: 1000,
    readOnlyRootFilesystem: true,
    privileged: false,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
  return {
    replicaCount: 1,
    image: { repository: "ghcr.io/zitadel/zitadel", tag: ZITADEL_CHART.imageTag },
    zitadel: {
      masterkeySecretName: ZITADEL_MASTERKEY_SECRET,
      configmapConfig: {
        ExternalDomain: host,
        ExternalPort: 443,
        ExternalSecure: true,
        TLS: { Enabled: false },
        Database: {
          Postgres: {
            Host: db.host,
            Port: db.port,
            Database: ZITADEL_DATABASE,
            MaxOpenConns: 10,
            MaxIdleConns: 5,
            MaxConnLifetime: "30m",
            MaxConnIdleTime: "5m",
            // The in-cluster server speaks plain TCP; the mesh (when enabled) encrypts pod traffic.
            User: { Username: ZITADEL_DATABASE, SSL: { Mode: "disable" } },
          },
        },
        DefaultInstance: { Features: { LoginV2: { Required: false } } },
        FirstInstance: {
          Org: {
            Machine: {
              Machine: { Username: ZITADEL_ADMIN_USER, Name: "Slipway Terraform" },
              MachineKey: { ExpirationDate: ADMIN_KEY_EXPIRY, Type: 1 },
              // null removes the chart's default: no long-lived PAT besides the key.
              Pat: null,
            },
          },
        },
      },
    },
    env: [
      {
        name: "ZITADEL_DATABASE_POSTGRES_USER_PASSWORD",
        valueFrom: { secretKeyRef: { name: ZITADEL_DATABASE_SECRET, key: "password" } },
      },
    ],
    login: { enabled: false },
    service: { appProtocol: backendAppProtocol("h2c") },
    podSecurityContext: {
      runAsNonRoot: true,
      runAsUser: 1000,
      fsGroup: 1000,
      seccompProfile: { type: "RuntimeDefault" },
    },
    securityContext: containerSecurity,
    resources: resourcesValue(ZITADEL_RESOURCES),
    initJob: { command: "zitadel", resources: resourcesValue(JOB_RESOURCES) },
    setupJob: {
      resources: resourcesValue(JOB_RESOURCES),
      machinekeyWriter: { resources: resourcesValue(KUBECTL_RESOURCES) },
    },
    cleanupJob: { resources: resourcesValue(KUBECTL_RESOURCES) },
  };
}

export const zitadelBudget = (): BudgetEntry[] => [budgetEntry("zitadel", 1, ZITADEL_RESOURCES)];
