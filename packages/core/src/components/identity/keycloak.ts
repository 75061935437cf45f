import type { BudgetEntry } from "../../render/component.js";
import type { K8sObject } from "../../render/k8s.js";
import { budgetEntry, type Resources, resourcesValue } from "../../render/resources.js";
import { toYaml } from "../../render/yaml.js";
import { externalSecret } from "../external-secrets/contract.js";
import type { PostgresEndpoint } from "../postgres/contract.js";
import { databaseSecretPath } from "../postgres/contract.js";

export const KEYCLOAK_CHART = {
  repoURL: "https://codecentric.github.io/helm-charts",
  chart: "keycloakx",
  version: "7.1.11",
  schemaRef: "helm-keycloakx/7.1.11",
  /** Keycloak 26.5.6, the chart's appVersion; pinned so a chart bump is a visible diff. */
  imageTag: "26.5.6",
} as const;

/** `fullnameOverride`: the StatefulSet is `keycloak`, its HTTP Service `keycloak-http`. */
export const KEYCLOAK_FULLNAME = "keycloak";
export const KEYCLOAK_SERVICE = { name: `${KEYCLOAK_FULLNAME}-http`, port: 80 } as const;
export const KEYCLOAK_DATABASE = "keycloak";

/** Vault KV path of the bootstrap admin (`username`, `password`), written once by a person. */
export const KEYCLOAK_ADMIN_PATH = "identity/keycloak-admin";
export const KEYCLOAK_ADMIN_SECRET = "keycloak-admin";
export const KEYCLOAK_DATABASE_SECRET = "keycloak-database";

/** A JVM: the heap defaults to 70% of the limit, so the limit is what sizes it. */
export const KEYCLOAK_RESOURCES: Resources = {
  requests: { cpu: "100m", memory: "512Mi" },
  limits: { memory: "1Gi" },
};

const LABELS = {
  "app.kubernetes.io/managed-by": "slipway",
  "app.kubernetes.io/part-of": "identity",
  "app.kubernetes.io/instance": "keycloak",
};

/** The database owner and the bootstrap admin, from Vault through ESO (synced before the chart). */
export function keycloakSecrets(namespace: string): K8sObject[] {
  return [
    externalSecret({
      name: KEYCLOAK_ADMIN_SECRET,
      namespace,
      labels: LABELS,
      data: [
        { secretKey: "username", key: KEYCLOAK_ADMIN_PATH, property: "username" },
        { secretKey: "password", key: KEYCLOAK_ADMIN_PATH, property: "password" },
      ],
    }),
    externalSecret({
      name: KEYCLOAK_DATABASE_SECRET,
      namespace,
      labels: LABELS,
      data: [
        { secretKey: "username", key: databaseSecretPath(KEYCLOAK_DATABASE), property: "username" },
        { secretKey: "password", key: databaseSecretPath(KEYCLOAK_DATABASE), property: "password" },
      ],
    }),
  ];
}

const secretEnv = (name: string, secret: string, key: string) => ({
  name,
  valueFrom: { secretKeyRef: { name: secret, key } },
});

/**
 * Chart values (and why):
 * - `kc.sh start` at the root path (`http.relativePath: /`), so the issuer is
 *   `https://<host>/realms/<realm>` like every current Keycloak;
 * - `KC_HOSTNAME` is the full public URL: TLS ends at Cloudflare, and a fixed frontend URL does not
 *   depend on forwarded headers surviving cloudflared and Traefik;
 * - one replica with a local cache (no Infinispan cluster, no Kubernetes API access);
 * - the database on the shared PostgreSQL, the owner's password and the bootstrap admin from
 *   ESO-written Secrets. The chart takes extra env as a YAML string: built as data, serialized once.
 */
export function keycloakValues(host: string, db: PostgresEndpoint): Record<string, unknown> {
  const extraEnv = [
    { name: "KC_HOSTNAME", value: `https://${host}` },
    { name: "KC_PROXY_HEADERS", value: "xforwarded" },
    { name: "KC_CACHE", value: "local" },
    secretEnv("KC_BOOTSTRAP_ADMIN_USERNAME", KEYCLOAK_ADMIN_SECRET, "username"),
    secretEnv("KC_BOOTSTRAP_ADMIN_PASSWORD", KEYCLOAK_ADMIN_SECRET, "password"),
  ];
  return {
    fullnameOverride: KEYCLOAK_FULLNAME,
    replicas: 1,
    image: { repository: "quay.io/keycloak/keycloak", tag: KEYCLOAK_CHART.imageTag },
    command: ["/opt/keycloak/bin/kc.sh"],
    args: ["start"],
    http: { relativePath: "/" },
    // The chart's KC_PROXY was removed in Keycloak 25; KC_PROXY_HEADERS (above) replaces it.
    // KC_HTTP_ENABLED comes from the chart (proxy.http.enabled), never from extraEnv too: the env
    // list would hold it twice, which server-side apply refuses.
    proxy: { enabled: false, http: { enabled: true } },
    cache: { stack: "custom" },
    database: {
      vendor: "postgres",
      hostname: db.host,
      port: db.port,
      database: KEYCLOAK_DATABASE,
      username: KEYCLOAK_DATABASE,
      existingSecret: KEYCLOAK_DATABASE_SECRET,
      existingSecretKey: "password",
    },
    extraEnv: toYaml(extraEnv),
    enableServiceLinks: false,
    serviceAccount: { automountServiceAccountToken: false },
    podSecurityContext: { fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
    securityContext: {
      runAsUser: 1000,
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    },
    resources: resourcesValue(KEYCLOAK_RESOURCES),
  };
}

export const keycloakBudget = (): BudgetEntry[] => [budgetEntry("keycloak", 1, KEYCLOAK_RESOURCES)];
