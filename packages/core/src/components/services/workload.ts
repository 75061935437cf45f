import type { PlatformSpec, ServiceSpec } from "../../config/schema.js";
import { splitImage } from "../../render/image.js";
import type { K8sObject } from "../../render/k8s.js";
import { containerSecurityContext, HTTP_PORT_NAME, httpProbe, podSecurityContext } from "../../render/pod.js";
import type { EnvSource, WorkloadCustomizer, WorkloadModel } from "../../render/workload.js";
import { externalSecret } from "../external-secrets/contract.js";
import { backendAppProtocol } from "../gateway/contract.js";
import { databaseSecretPath, postgresEndpoint } from "../postgres/contract.js";
import { serviceSecretPath, serviceSecretStore } from "../vault/contract.js";
import { selectorLabels } from "./contract.js";

/** UID/GID every service runs as: non-root, and not one an image's own user list is likely to collide with. */
export const SERVICE_UID = 10001;

/** Port of every service's Kubernetes Service; routes and callers use it, whatever the container listens on. */
export const SERVICE_PORT = 80;

export type { EnvSource, WorkloadCustomizer, WorkloadModel } from "../../render/workload.js";

/** Labels on every object of a service. */
export function serviceLabels(service: ServiceSpec): Record<string, string> {
  return {
    ...selectorLabels(service),
    "app.kubernetes.io/managed-by": "slipway",
    "app.kubernetes.io/part-of": "services",
    "slipway.dev/service": service.name,
  };
}

/** Name of the Secret (and its ExternalSecret) holding the service's own secrets. */
export const secretsName = (service: string) => `${service}-secrets`;
/** Name of the Secret (and its ExternalSecret) holding the service's database credentials. */
export const databaseSecretName = (service: string) => `${service}-database`;

/** `spec.secrets` → an ExternalSecret over the service's Vault paths, each key exposed as its env var. */
const secretsCustomizer: WorkloadCustomizer = {
  id: "secrets",
  applies: (s) => s.secrets.length > 0,
  customize(m) {
    const s = m.service;
    const name = secretsName(s.name);
    m.extraObjects.push(
      externalSecret({
        name,
        namespace: s.namespace,
        labels: serviceLabels(s),
        data: s.secrets.map((x) => ({
          secretKey: x.env,
          key: serviceSecretPath(s.name, x.key),
          property: x.property,
        })),
      }),
    );
    for (const x of s.secrets) m.env.set(x.env, { secret: { name, key: x.env } });
  },
};

/**
 * `spec.database` → connection env from the postgres endpoint contract; static credentials from the
 * owner's Vault KV entry. Dynamic credentials (a VaultDynamicSecret generator) are the dynamic-db
 * capability's customizer, which replaces the static ExternalSecret.
 */
const databaseCustomizer: WorkloadCustomizer = {
  id: "database",
  applies: (s) => s.database !== false,
  customize(m) {
    const s = m.service;
    if (s.database === false) return;
    const ep = postgresEndpoint(m.platform);
    m.env.set("DATABASE_HOST", { value: ep.host });
    m.env.set("DATABASE_PORT", { value: String(ep.port) });
    m.env.set("DATABASE_NAME", { value: s.database.name });
    if (s.database.dynamic) return;
    const name = databaseSecretName(s.name);
    m.extraObjects.push(
      externalSecret({
        name,
        namespace: s.namespace,
        labels: serviceLabels(s),
        data: [
          { secretKey: "username", key: databaseSecretPath(s.database.name), property: "username" },
          { secretKey: "password", key: databaseSecretPath(s.database.name), property: "password" },
        ],
      }),
    );
    m.env.set("DATABASE_USERNAME", { secret: { name, key: "username" } });
    m.env.set("DATABASE_PASSWORD", { secret: { name, key: "password" } });
  },
};

/** Env var holding the URL users reach a service at (the node-service preset's OIDC redirect base). */
export const PUBLIC_URL_ENV = "PUBLIC_URL";

/**
 * A service with a route gets `PUBLIC_URL=https://<subdomain>.<domain>`: the origin of the redirect
 * URIs registered at the identity provider (identity/clients.ts), so an app that derives its OIDC
 * callback from it (node-service's `/auth/callback`) sends exactly the registered URI, and marks its
 * cookies `Secure`. A value the service spec sets itself wins.
 */
const publicUrlCustomizer: WorkloadCustomizer = {
  id: "public-url",
  applies: (s) => s.host !== undefined,
  customize(m) {
    if (m.service.host === undefined || m.env.has(PUBLIC_URL_ENV)) return;
    m.env.set(PUBLIC_URL_ENV, { value: `https://${m.service.host}` });
  },
};

/**
 * Last: every ExternalSecret the service gets, whoever's customizer made it (its secrets, its
 * database, its OIDC client), reads through the service's own SecretStore, never the platform's
 * ClusterSecretStore (which does not serve service namespaces). Generator-backed ones (dynamic
 * database credentials) name no store and log in with their own role.
 */
const secretStoreCustomizer: WorkloadCustomizer = {
  id: "secret-store",
  applies: (_s, platform) => platform.components["external-secrets"]?.enabled === true,
  customize(m) {
    for (const o of m.extraObjects) {
      const spec = o.spec as { secretStoreRef?: unknown } | undefined;
      if (o.kind === "ExternalSecret" && spec?.secretStoreRef !== undefined)
        spec.secretStoreRef = { kind: "SecretStore", name: serviceSecretStore(m.service.name) };
    }
  },
};

/**
 * Every customizer of a service workload, in order: the services component's own (public URL,
 * secrets, database), the capabilities' in the order their components' `plan()` pushed them
 * (`ctx.plan.workloadCustomizers`: dynamic database credentials, the OIDC client, OTel's env and
 * Java annotation), and last the one pointing every ExternalSecret at the service's store. A later
 * customizer sees and may override what an earlier one set.
 */
export function serviceCustomizers(capabilities: readonly WorkloadCustomizer[]): WorkloadCustomizer[] {
  return [publicUrlCustomizer, secretsCustomizer, databaseCustomizer, ...capabilities, secretStoreCustomizer];
}

/** The services component's own customizers alone (no capability enabled). */
export const workloadCustomizers: readonly WorkloadCustomizer[] = serviceCustomizers([]);

/** Builds the model for a service and runs every applicable customizer in order. */
export function workloadModel(
  service: ServiceSpec,
  platform: PlatformSpec,
  customizers: readonly WorkloadCustomizer[] = workloadCustomizers,
): WorkloadModel {
  const model: WorkloadModel = {
    service,
    platform,
    env: new Map(Object.entries(service.env).map(([k, v]) => [k, { value: v }])),
    envFromSecrets: [],
    podLabels: serviceLabels(service),
    podAnnotations: {},
    extraObjects: [],
    automountServiceAccountToken: false,
  };
  for (const c of customizers) if (c.applies(service, platform)) c.customize(model);
  return model;
}

function envList(env: ReadonlyMap<string, EnvSource>): Record<string, unknown>[] {
  return [...env.keys()].sort().map((name) => {
    const src = env.get(name) as EnvSource;
    return "value" in src
      ? { name, value: src.value }
      : { name, valueFrom: { secretKeyRef: { name: src.secret.name, key: src.secret.key } } };
  });
}

/** The one contributor: model → ServiceAccount, Deployment, Service (plus the customizers' objects). */
export function renderWorkload(m: WorkloadModel): K8sObject[] {
  const s = m.service;
  const labels = serviceLabels(s);
  const meta = { name: s.name, namespace: s.namespace, labels };
  const resources = {
    requests: { cpu: s.resources.requests.cpu, memory: s.resources.requests.memory },
    limits: {
      ...(s.resources.limits.cpu ? { cpu: s.resources.limits.cpu } : {}),
      memory: s.resources.limits.memory,
    },
  };
  const serviceAccount: K8sObject = {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: meta,
    automountServiceAccountToken: m.automountServiceAccountToken,
  };
  const deployment: K8sObject = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta,
    spec: {
      replicas: s.replicas,
      revisionHistoryLimit: 3,
      selector: { matchLabels: selectorLabels(s) },
      template: {
        metadata: {
          labels: { ...m.podLabels, ...selectorLabels(s) },
          ...(Object.keys(m.podAnnotations).length > 0 ? { annotations: { ...m.podAnnotations } } : {}),
        },
        spec: {
          serviceAccountName: s.name,
          automountServiceAccountToken: m.automountServiceAccountToken,
          securityContext: podSecurityContext(SERVICE_UID),
          containers: [
            {
              name: s.name,
              // Repository only: the tag is pinned once, in kustomization.yaml (Image Updater overrides it
              // from `.argocd-source-<app>.yaml`, see components/argocd/image-updater.ts).
              image: splitImage(s.image).name,
              imagePullPolicy: "IfNotPresent",
              ports: [{ name: HTTP_PORT_NAME, containerPort: s.port, protocol: "TCP" }],
              env: envList(m.env),
              ...(m.envFromSecrets.length > 0
                ? { envFrom: [...m.envFromSecrets].sort().map((name) => ({ secretRef: { name } })) }
                : {}),
              // Startup gates liveness, so slow starters (JVMs) are not killed while booting.
              startupProbe: httpProbe(s.health.liveness, { periodSeconds: 5, failureThreshold: 30 }),
              livenessProbe: httpProbe(s.health.liveness, {}),
              readinessProbe: httpProbe(s.health.readiness, { periodSeconds: 5 }),
              resources,
              securityContext: containerSecurityContext(SERVICE_UID),
              // The root filesystem is read-only; most runtimes still need a writable /tmp.
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
          ],
          volumes: [{ name: "tmp", emptyDir: {} }],
        },
      },
    },
  };
  const service: K8sObject = {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta,
    spec: {
      type: "ClusterIP",
      selector: selectorLabels(s),
      ports: [
        {
          name: HTTP_PORT_NAME,
          port: SERVICE_PORT,
          targetPort: HTTP_PORT_NAME,
          protocol: "TCP",
          appProtocol: backendAppProtocol("http"),
        },
      ],
    },
  };
  return [serviceAccount, deployment, service, ...m.extraObjects];
}
