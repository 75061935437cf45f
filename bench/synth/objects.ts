/**
 * The objects one service renders, as plain data, for the cdk8s program and the floor variants.
 * Mirrors, field for field, what Slipway renders per service (components/services and the postgres
 * component): ServiceAccount, Deployment, Service, HTTPRoute (with a subdomain), ExternalSecrets
 * (declared secrets; database credentials, and the owner's copy in the database namespace), the
 * kustomization pinning the image, the Namespace, the Image Updater's ImageUpdater, and the
 * service's Argo CD Application. Not mirrored: the DNS
 * record and the database provisioning entry (Terraform JSON and one shared Job in Slipway).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export interface BenchService {
  readonly name: string;
  readonly image: string;
  readonly port: number;
  readonly subdomain?: string;
  readonly replicas: number;
  readonly resources: { requests: Record<string, string>; limits: Record<string, string> };
  readonly env: Record<string, string>;
  readonly secrets: readonly { env: string; key: string; property: string }[];
  readonly database?: object;
}

export interface BenchObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; namespace?: string; [k: string]: unknown };
  readonly [k: string]: unknown;
}

const DOMAIN = "bench.example.dev";
const REPO = "https://github.com/bench/platform.git";

/** Reads services/*.yaml the way any program would: parse, no validation. */
export function readServices(repo: string): BenchService[] {
  const dir = join(repo, "services");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => {
      const doc = parse(readFileSync(join(dir, f), "utf8")) as {
        metadata: { name: string };
        spec: Omit<BenchService, "name">;
      };
      return { ...doc.spec, name: doc.metadata.name, secrets: doc.spec.secrets ?? [] };
    });
}

export function serviceObjects(s: BenchService): BenchObject[] {
  const ns = s.name;
  const selector = { "app.kubernetes.io/name": s.name, "app.kubernetes.io/instance": s.name };
  const labels = {
    ...selector,
    "app.kubernetes.io/managed-by": "slipway",
    "app.kubernetes.io/part-of": "services",
    "slipway.dev/service": s.name,
  };
  const meta = { name: s.name, namespace: ns, labels };
  const env: Record<string, unknown>[] = Object.entries(s.env).map(([name, value]) => ({ name, value }));
  const extra: BenchObject[] = [];
  const externalSecret = (name: string, namespace: string, l: object, data: [string, string, string][]) => ({
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: { name, namespace, labels: l },
    spec: {
      refreshInterval: "1h",
      secretStoreRef: { kind: "ClusterSecretStore", name: "vault-backend" },
      target: { name, creationPolicy: "Owner", deletionPolicy: "Retain" },
      data: data.map(([secretKey, key, property]) => ({ secretKey, remoteRef: { key, property } })),
    },
  });
  if (s.secrets.length > 0) {
    const name = `${s.name}-secrets`;
    extra.push(
      externalSecret(
        name,
        ns,
        labels,
        s.secrets.map((x) => [x.env, `services/${s.name}/${x.key}`, x.property]),
      ),
    );
    for (const x of s.secrets) env.push({ name: x.env, valueFrom: { secretKeyRef: { name, key: x.env } } });
  }
  if (s.database !== undefined) {
    const db = s.name.replace(/-/g, "_");
    const name = `${s.name}-database`;
    const creds: [string, string, string][] = [
      ["username", `postgres/${db}`, "username"],
      ["password", `postgres/${db}`, "password"],
    ];
    extra.push(externalSecret(name, ns, labels, creds));
    // The owner's credentials in the database namespace, rendered by Slipway's postgres component.
    extra.push(
      externalSecret(`postgres-owner-${s.name}`, "database", { "app.kubernetes.io/name": "postgres" }, creds),
    );
    env.push(
      { name: "DATABASE_HOST", value: "postgres.database.svc.cluster.local" },
      { name: "DATABASE_PORT", value: "5432" },
      { name: "DATABASE_NAME", value: db },
      { name: "DATABASE_USERNAME", valueFrom: { secretKeyRef: { name, key: "username" } } },
      { name: "DATABASE_PASSWORD", valueFrom: { secretKeyRef: { name, key: "password" } } },
    );
  }
  const colon = s.image.lastIndexOf(":");
  const probe = (path: string, extraFields: object) => ({
    httpGet: { path, port: "http", scheme: "HTTP" },
    periodSeconds: 10,
    timeoutSeconds: 2,
    failureThreshold: 3,
    successThreshold: 1,
    ...extraFields,
  });
  const runAs = { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001 };
  const objects: BenchObject[] = [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta, automountServiceAccountToken: false },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta,
      spec: {
        replicas: s.replicas,
        revisionHistoryLimit: 3,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: s.name,
            automountServiceAccountToken: false,
            securityContext: { ...runAs, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: s.name,
                image: s.image.slice(0, colon),
                imagePullPolicy: "IfNotPresent",
                ports: [{ name: "http", containerPort: s.port, protocol: "TCP" }],
                env: env.sort((a, b) => ((a.name as string) < (b.name as string) ? -1 : 1)),
                startupProbe: probe("/healthz", { periodSeconds: 5, failureThreshold: 30 }),
                livenessProbe: probe("/healthz", {}),
                readinessProbe: probe("/readyz", { periodSeconds: 5 }),
                resources: s.resources,
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  ...runAs,
                  capabilities: { drop: ["ALL"] },
                  seccompProfile: { type: "RuntimeDefault" },
                },
                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
              },
            ],
            volumes: [{ name: "tmp", emptyDir: {} }],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta,
      spec: {
        type: "ClusterIP",
        selector,
        ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP", appProtocol: "http" }],
      },
    },
    ...extra,
  ];
  if (s.subdomain !== undefined) {
    objects.push({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: meta,
      spec: {
        parentRefs: [
          {
            group: "gateway.networking.k8s.io",
            kind: "Gateway",
            name: "platform",
            namespace: "traefik",
            sectionName: "web",
          },
        ],
        hostnames: [`${s.subdomain}.${DOMAIN}`],
        rules: [
          {
            matches: [{ path: { type: "PathPrefix", value: "/" } }],
            backendRefs: [{ group: "", kind: "Service", name: s.name, namespace: ns, port: 80, weight: 1 }],
          },
        ],
      },
    });
  }
  objects.push({
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    metadata: { name: s.name },
    resources: objects.map((o) => `${o.kind.toLowerCase()}-${o.metadata.name}.yaml`).sort(),
    images: [{ name: s.image.slice(0, colon), newTag: s.image.slice(colon + 1) }],
  });
  // Rendered by Slipway's namespaces plan and argocd-image-updater, one per service.
  objects.push({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: ns,
      labels: {
        "app.kubernetes.io/managed-by": "slipway",
        "gateway.slipway.dev/routes": "platform",
        "slipway.dev/project": "workloads",
        "slipway.dev/service": s.name,
      },
    },
  });
  objects.push({
    apiVersion: "argocd-image-updater.argoproj.io/v1alpha1",
    kind: "ImageUpdater",
    metadata: {
      name: s.name,
      namespace: "argocd",
      annotations: { "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true" },
      labels: { "app.kubernetes.io/managed-by": "slipway", "slipway.dev/service": s.name },
    },
    spec: {
      applicationRefs: [
        {
          namePattern: s.name,
          useAnnotations: false,
          images: [
            {
              alias: s.name,
              imageName: s.image,
              commonUpdateSettings: { forceUpdate: false, ignoreTags: ["latest"], updateStrategy: "semver" },
              manifestTargets: { kustomize: { name: s.image.slice(0, colon) } },
            },
          ],
        },
      ],
      writeBackConfig: { method: "git", gitConfig: { branch: "main", writeBackTarget: "kustomization" } },
    },
  });
  objects.push({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: {
      name: s.name,
      namespace: "argocd",
      labels: {
        "app.kubernetes.io/managed-by": "slipway",
        "slipway.dev/component": "services",
        "slipway.dev/service": s.name,
      },
      annotations: { "argocd.argoproj.io/sync-wave": "50" },
      finalizers: ["resources-finalizer.argocd.argoproj.io"],
    },
    spec: {
      project: "workloads",
      source: { repoURL: REPO, targetRevision: "main", path: `k8s/helm/manifests/${s.name}` },
      destination: { server: "https://kubernetes.default.svc", namespace: ns },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: [],
        retry: { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "3m" } },
      },
    },
  });
  return objects;
}
