import type { K8sObject } from "../../render/k8s.js";
import { containerSecurityContext, httpProbe, podSecurityContext } from "../../render/pod.js";
import { type Resources, resourcesValue } from "../../render/resources.js";
import { externalSecret } from "../external-secrets/contract.js";
import { backendAppProtocol } from "../gateway/contract.js";
import { OIDC_CLIENT_PROPERTIES, OIDC_ENV, oidcClientSecretPath } from "../identity/contract.js";
import type { OtelConfig } from "../otel/contract.js";
import { otelEnv } from "../otel/contract.js";
import {
  SCAFFOLD_CONTAINER_PORT,
  SCAFFOLD_GIT_SECRET,
  SCAFFOLD_NAME,
  SCAFFOLD_NAMESPACE,
  SCAFFOLD_OIDC_CLIENT,
  SCAFFOLD_SESSION_SECRET,
  SCAFFOLD_UID,
} from "./config.js";

/** Port of the Kubernetes Service (the gateway routes to it), as for every service. */
export const SCAFFOLD_SERVICE_PORT = 80;

/** Env name of the session cookie's signing key. */
export const SCAFFOLD_COOKIE_ENV = "SCAFFOLD_COOKIE_SECRET";

/** Env name of the Git token Create repository pushes with. */
export const SCAFFOLD_GIT_TOKEN_ENV = "SCAFFOLD_GIT_TOKEN";

/**
 * Requests as measured for a Node process serving the UI and generating projects in memory; the
 * limit is the 256 MB the seed budgets for the scaffold. No CPU limit: generation is bursty, and
 * the budget counts the request.
 */
export const SCAFFOLD_RESOURCES: Resources = {
  requests: { cpu: "50m", memory: "96Mi" },
  limits: { memory: "256Mi" },
};

const SELECTOR = {
  "app.kubernetes.io/name": SCAFFOLD_NAME,
  "app.kubernetes.io/instance": SCAFFOLD_NAME,
} as const;

export const SCAFFOLD_LABELS: Record<string, string> = {
  ...SELECTOR,
  "app.kubernetes.io/managed-by": "slipway",
  "app.kubernetes.io/part-of": "slipway",
};

/** What the Deployment is rendered from; built by the component from the platform. */
export interface ScaffoldModel {
  /** Image repository; the tag is pinned in kustomization.yaml. */
  readonly repository: string;
  readonly tag: string;
  readonly replicas: number;
  /** `https://<host>`: the app builds its callback URL (`/auth/callback`) from it. */
  readonly publicUrl: string;
  /** GitHub owner new repositories default to (the platform's). */
  readonly defaultOwner: string;
  /** The platform repository Argo CD syncs: Create repository pushes its review branches there. */
  readonly platformRepo: string;
  /** Where Create repository pushes a new repository; `{name}` is the service name. */
  readonly pushTarget: string;
  readonly issuerUrl: string;
  /** Telemetry settings when the otel component is enabled. */
  readonly otel?: OtelConfig;
  /** Pod-template annotations (Reloader's, when it is enabled). */
  readonly podAnnotations: Record<string, string>;
}

/**
 * One Secret with everything secret the app reads: the OIDC client's id and secret (Vault
 * `identity/clients/slipway-scaffold`, written by identity's Terraform), the cookie key (Vault
 * `scaffold/session`), the Git token Create repository pushes with (Vault `scaffold/git`), and the
 * issuer URL merged in by ESO's template (not secret, but one
 * Secret keeps the OIDC_* contract in one place, as services get it). Synced a wave before the
 * Deployment so the first pod finds it.
 */
export function scaffoldExternalSecret(m: ScaffoldModel): K8sObject {
  const client = oidcClientSecretPath(SCAFFOLD_OIDC_CLIENT);
  const es = externalSecret({
    name: SCAFFOLD_NAME,
    namespace: SCAFFOLD_NAMESPACE,
    labels: SCAFFOLD_LABELS,
    annotations: { "argocd.argoproj.io/sync-wave": "-1" },
    data: [
      { secretKey: OIDC_ENV.clientId, key: client, property: OIDC_CLIENT_PROPERTIES.id },
      { secretKey: OIDC_ENV.clientSecret, key: client, property: OIDC_CLIENT_PROPERTIES.secret },
      {
        secretKey: SCAFFOLD_COOKIE_ENV,
        key: SCAFFOLD_SESSION_SECRET.key,
        property: SCAFFOLD_SESSION_SECRET.property,
      },
      {
        secretKey: SCAFFOLD_GIT_TOKEN_ENV,
        key: SCAFFOLD_GIT_SECRET.key,
        property: SCAFFOLD_GIT_SECRET.property,
      },
    ],
  });
  const spec = es.spec as { target: Record<string, unknown> };
  spec.target = {
    ...spec.target,
    // Merge: the fetched keys stay; the template only adds the issuer. Every defaulted field is
    // written so the live object reads back as rendered.
    template: { engineVersion: "v2", mergePolicy: "Merge", data: { [OIDC_ENV.issuer]: m.issuerUrl } },
  };
  return es;
}

/** Keys of the Secret the ExternalSecret writes, each exposed as the env var of the same name. */
export const SCAFFOLD_SECRET_KEYS = [
  OIDC_ENV.issuer,
  OIDC_ENV.clientId,
  OIDC_ENV.clientSecret,
  SCAFFOLD_COOKIE_ENV,
  SCAFFOLD_GIT_TOKEN_ENV,
] as const;

/** The container's environment, sorted by name: literals plus the Secret's keys. */
function scaffoldEnv(m: ScaffoldModel): Record<string, unknown>[] {
  const env = new Map<string, Record<string, unknown>>();
  const literals: Record<string, string> = {
    NODE_ENV: "production",
    // Read by `slipway serve` (packages/scaffold/src/start.ts).
    SCAFFOLD_BASE_URL: m.publicUrl,
    SCAFFOLD_DEFAULT_OWNER: m.defaultOwner,
    SCAFFOLD_PLATFORM_REPO: m.platformRepo,
    SCAFFOLD_PUSH_TARGET: m.pushTarget,
    // Traefik (and cloudflared before it) run on pod addresses: believe their X-Forwarded-For, or
    // every user shares the rate limit of the ingress's address. `uniquelocal` is 10/8, 172.16/12,
    // 192.168/16 and fc00::/7 (proxy-addr's names, as `serve` reads them).
    SCAFFOLD_TRUST_PROXY: "loopback,uniquelocal",
    ...(m.otel
      ? otelEnv({
          name: SCAFFOLD_NAME,
          namespace: SCAFFOLD_NAMESPACE,
          environment: m.otel.environment,
          version: m.tag,
        })
      : {}),
  };
  for (const [name, value] of Object.entries(literals)) env.set(name, { name, value });
  for (const key of SCAFFOLD_SECRET_KEYS) {
    env.set(key, { name: key, valueFrom: { secretKeyRef: { name: SCAFFOLD_NAME, key } } });
  }
  return [...env.keys()].sort().map((k) => env.get(k) as Record<string, unknown>);
}

export function scaffoldServiceAccount(): K8sObject {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: SCAFFOLD_NAME, namespace: SCAFFOLD_NAMESPACE, labels: SCAFFOLD_LABELS },
    // It never calls the Kubernetes API.
    automountServiceAccountToken: false,
  };
}

/**
 * Built from the same probe and security-context pieces as a service's Deployment
 * (services/workload.ts); it is not a `services/` workload (docs/components/scaffold.md), so it
 * adds what services do not have: a rolling strategy that keeps the one replica up, a sized /tmp.
 */
export function scaffoldDeployment(m: ScaffoldModel): K8sObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: SCAFFOLD_NAME, namespace: SCAFFOLD_NAMESPACE, labels: SCAFFOLD_LABELS },
    spec: {
      replicas: m.replicas,
      revisionHistoryLimit: 3,
      selector: { matchLabels: { ...SELECTOR } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels: { ...SCAFFOLD_LABELS },
          ...(Object.keys(m.podAnnotations).length > 0 ? { annotations: { ...m.podAnnotations } } : {}),
        },
        spec: {
          serviceAccountName: SCAFFOLD_NAME,
          automountServiceAccountToken: false,
          securityContext: podSecurityContext(SCAFFOLD_UID),
          containers: [
            {
              name: SCAFFOLD_NAME,
              // Repository only: the tag is pinned once, in kustomization.yaml.
              image: m.repository,
              imagePullPolicy: "IfNotPresent",
              ports: [{ name: "http", containerPort: SCAFFOLD_CONTAINER_PORT, protocol: "TCP" }],
              env: scaffoldEnv(m),
              startupProbe: httpProbe("/healthz", { periodSeconds: 2, failureThreshold: 30 }),
              livenessProbe: httpProbe("/healthz", {}),
              readinessProbe: httpProbe("/readyz", { periodSeconds: 5 }),
              resources: resourcesValue(SCAFFOLD_RESOURCES),
              securityContext: containerSecurityContext(SCAFFOLD_UID),
              // Generation happens in memory; /tmp is for Node and libraries that insist on it.
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
          ],
          volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
        },
      },
    },
  };
}

export function scaffoldService(): K8sObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: SCAFFOLD_NAME, namespace: SCAFFOLD_NAMESPACE, labels: SCAFFOLD_LABELS },
    spec: {
      type: "ClusterIP",
      selector: { ...SELECTOR },
      ports: [
        {
          name: "http",
          port: SCAFFOLD_SERVICE_PORT,
          targetPort: "http",
          protocol: "TCP",
          appProtocol: backendAppProtocol("http"),
        },
      ],
    },
  };
}
