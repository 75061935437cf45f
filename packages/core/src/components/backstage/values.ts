import { groupsWithRole } from "../../config/access.js";
import type { PlatformSpec } from "../../config/schema.js";
import type { BudgetEntry } from "../../render/component.js";
import type { K8sObject } from "../../render/k8s.js";
import { budgetEntry, type Resources, resourcesValue } from "../../render/resources.js";
import { externalSecret } from "../external-secrets/contract.js";
import { GROUPS_CLAIM, OIDC_CLIENT_PROPERTIES, oidcClientSecretPath } from "../identity/contract.js";
import { databaseSecretPath, type PostgresEndpoint } from "../postgres/contract.js";
import {
  BACKSTAGE_DATABASE,
  BACKSTAGE_GITHUB_SECRET,
  BACKSTAGE_NAMESPACE,
  BACKSTAGE_OIDC_CLIENT,
  BACKSTAGE_RELEASE,
  BACKSTAGE_SESSION_SECRET,
  BACKSTAGE_UID,
} from "./config.js";

/**
 * One Node process serving the frontend bundle, the catalog and the scaffolder: Backstage's own
 * deployment guide starts at 256Mi–1Gi; the catalog of a homelab is small. No CPU limit
 * (start-up and template runs are bursty; the budget counts the request).
 */
export const BACKSTAGE_RESOURCES: Resources = {
  requests: { cpu: "100m", memory: "384Mi" },
  limits: { memory: "768Mi" },
};

/** The Secret (and its ExternalSecret) every credential reaches the pod through, as env vars. */
export const BACKSTAGE_SECRET = "backstage";

/** Env names the app-config reads with `${…}` substitution; each is a key of {@link BACKSTAGE_SECRET}. */
export const BACKSTAGE_ENV = {
  clientId: "AUTH_OIDC_CLIENT_ID",
  clientSecret: "AUTH_OIDC_CLIENT_SECRET",
  sessionSecret: "AUTH_SESSION_SECRET",
  dbUser: "POSTGRES_USER",
  dbPassword: "POSTGRES_PASSWORD",
  githubToken: "GITHUB_TOKEN",
} as const;

const LABELS = {
  "app.kubernetes.io/managed-by": "slipway",
  "app.kubernetes.io/part-of": "backstage",
  "app.kubernetes.io/instance": BACKSTAGE_RELEASE,
};

/** What the values are rendered from; built by the component from the platform. */
export interface BackstageModel {
  readonly repository: string;
  readonly tag: string;
  /** `https://<host>`: app and backend base URL (TLS ends at the edge). */
  readonly baseUrl: string;
  readonly title: string;
  readonly organization: string;
  /** The platform's OIDC issuer (`<issuer>/.well-known/openid-configuration` is its metadata). */
  readonly issuerUrl: string;
  readonly database: PostgresEndpoint;
  /** URL of the catalog's root Location file in the platform repository. */
  readonly catalogUrl: string;
  /** Host of the platform repository (the GitHub integration's). */
  readonly gitHost: string;
  /** Annotations of the chart's Deployment (Reloader's, when it is enabled). */
  readonly annotations: Record<string, string>;
  /** The groups platform.yaml grants Backstage to, by role ({@link backstageAccess}). */
  readonly access: BackstageAccess;
}

/** Group names holding each Backstage role (`spec.access.backstage`), in declaration order. */
export interface BackstageAccess {
  readonly admin: readonly string[];
  readonly developer: readonly string[];
}

/** The platform's Backstage roles; none without `spec.access.backstage` (then nobody signs in). */
export function backstageAccess(platform: PlatformSpec): BackstageAccess {
  const access = platform.access;
  const names = (role: "admin" | "developer") =>
    access ? groupsWithRole(access, "backstage", role).map((g) => g.name) : [];
  return { admin: names("admin"), developer: names("developer") };
}

/**
 * Every secret the app reads, from Vault through the platform store: the OIDC client (written by
 * identity's Terraform, ADR 0005), the session secret and GitHub token (written by a person), the
 * database owner's credentials (the postgres component's `postgres/<database>`, as services get
 * theirs). A wave before the chart's Deployment so the first pod finds it.
 */
export function backstageExternalSecret(): K8sObject {
  const client = oidcClientSecretPath(BACKSTAGE_OIDC_CLIENT);
  const db = databaseSecretPath(BACKSTAGE_DATABASE);
  return externalSecret({
    name: BACKSTAGE_SECRET,
    namespace: BACKSTAGE_NAMESPACE,
    labels: LABELS,
    annotations: { "argocd.argoproj.io/sync-wave": "-1" },
    data: [
      { secretKey: BACKSTAGE_ENV.clientId, key: client, property: OIDC_CLIENT_PROPERTIES.id },
      { secretKey: BACKSTAGE_ENV.clientSecret, key: client, property: OIDC_CLIENT_PROPERTIES.secret },
      {
        secretKey: BACKSTAGE_ENV.sessionSecret,
        key: BACKSTAGE_SESSION_SECRET.key,
        property: BACKSTAGE_SESSION_SECRET.property,
      },
      { secretKey: BACKSTAGE_ENV.dbUser, key: db, property: "username" },
      { secretKey: BACKSTAGE_ENV.dbPassword, key: db, property: "password" },
      {
        secretKey: BACKSTAGE_ENV.githubToken,
        key: BACKSTAGE_GITHUB_SECRET.key,
        property: BACKSTAGE_GITHUB_SECRET.property,
      },
    ],
  });
}

const env = (name: string) => `\${${name}}`;

/** The sign-in resolver the platform's image registers (images/backstage, ADR 0019). */
export const BACKSTAGE_SIGN_IN_RESOLVER = "platformGroups";

/**
 * Backstage's sign-in resolvers for the `oidc` provider: one, the image's `platformGroups`, which
 * reads the ID token's groups claim (ADR 0012) and refuses a person in none of the groups holding a
 * Backstage role; anyone else gets a token owning `user:default/<name>` and
 * `group:default/<group>` for each of those groups. No catalog lookup: people are not in the catalog.
 */
export function backstageSignInResolvers(access: BackstageAccess): Record<string, unknown>[] {
  const groups = [...new Set([...access.admin, ...access.developer])];
  return [{ resolver: BACKSTAGE_SIGN_IN_RESOLVER, claim: GROUPS_CLAIM, groups }];
}

/**
 * The app-config (rendered by the chart as its `<release>-app-config` ConfigMap, mounted and
 * passed with `--config`): secrets only as `${ENV}` references the backend substitutes at start.
 */
export function backstageAppConfig(m: BackstageModel): Record<string, unknown> {
  return {
    app: { title: m.title, baseUrl: m.baseUrl },
    organization: { name: m.organization },
    backend: {
      baseUrl: m.baseUrl,
      listen: { port: 7007 },
      cors: { origin: m.baseUrl, credentials: true },
      database: {
        client: "pg",
        // One database, a schema per plugin: the owner role may not CREATE DATABASE, which the
        // default (a database per plugin) needs.
        pluginDivisionMode: "schema",
        // The database exists (the postgres component provisions it) and its owner may not connect
        // to `postgres`, where Backstage would check (CONNECT is revoked from PUBLIC there): create
        // only each plugin's schema, inside the owner's database.
        ensureExists: false,
        ensureSchemaExists: true,
        connection: {
          host: m.database.host,
          port: m.database.port,
          user: env(BACKSTAGE_ENV.dbUser),
          password: env(BACKSTAGE_ENV.dbPassword),
          database: BACKSTAGE_DATABASE,
        },
      },
    },
    auth: {
      environment: "production",
      session: { secret: env(BACKSTAGE_ENV.sessionSecret) },
      providers: {
        oidc: {
          production: {
            metadataUrl: `${m.issuerUrl}/.well-known/openid-configuration`,
            clientId: env(BACKSTAGE_ENV.clientId),
            clientSecret: env(BACKSTAGE_ENV.clientSecret),
            // No `scope`: the module (0.4.21) refuses it at start-up and always asks for
            // openid, profile and email (`additionalScopes` adds more).
            prompt: "auto",
            signIn: { resolvers: backstageSignInResolvers(m.access) },
          },
        },
      },
    },
    // The image's permission policy: `admin` groups everything, `developer` groups read the catalog
    // and run templates, anyone else nothing.
    permission: { enabled: true },
    slipway: { access: { admin: [...m.access.admin], developer: [...m.access.developer] } },
    integrations: { github: [{ host: m.gitHost, token: env(BACKSTAGE_ENV.githubToken) }] },
    catalog: {
      rules: [{ allow: ["Component", "System", "API", "Group", "Location", "Template"] }],
      locations: [{ type: "url", target: m.catalogUrl }],
    },
  };
}

/**
 * Chart values (only what differs from the chart's defaults, and why): the platform's image
 * pinned (ADR 0011), the app-config above, credentials as env from the ExternalSecret's Secret,
 * the chart's bundled PostgreSQL off (the shared server holds the database), a service account
 * without a token (no Kubernetes plugin), Pod Security `restricted` contexts with a writable
 * `/tmp` (the scaffolder's workspace), resources.
 */
export function backstageValues(m: BackstageModel): Record<string, unknown> {
  const [registry, ...rest] = m.repository.split("/");
  return {
    backstage: {
      image: { registry, repository: rest.join("/"), tag: m.tag, pullPolicy: "IfNotPresent" },
      appConfig: backstageAppConfig(m),
      extraEnvVarsSecrets: [BACKSTAGE_SECRET],
      podSecurityContext: {
        runAsNonRoot: true,
        runAsUser: BACKSTAGE_UID,
        runAsGroup: BACKSTAGE_UID,
        fsGroup: BACKSTAGE_UID,
        seccompProfile: { type: "RuntimeDefault" },
      },
      containerSecurityContext: {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
      },
      extraVolumes: [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }],
      extraVolumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
      resources: resourcesValue(BACKSTAGE_RESOURCES),
      revisionHistoryLimit: 3,
      ...(Object.keys(m.annotations).length > 0 ? { annotations: { ...m.annotations } } : {}),
    },
    postgresql: { enabled: false },
    serviceAccount: { create: true, automountServiceAccountToken: false },
  };
}

export const backstageBudget = (): BudgetEntry[] => [budgetEntry("backstage", 1, BACKSTAGE_RESOURCES)];
