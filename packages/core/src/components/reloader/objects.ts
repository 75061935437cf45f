import type { K8sObject } from "../../render/k8s.js";
import { type Resources, resourcesValue } from "../../render/resources.js";

/** Namespace Reloader runs in (platform project; it watches every namespace from there). */
export const RELOADER_NAMESPACE = "reloader";

/** Name of the ServiceAccount, ClusterRole, ClusterRoleBinding and Deployment. */
export const RELOADER_NAME = "reloader";

/**
 * Stakater Reloader's image, pinned: v1.4.22 is the appVersion of the upstream chart 2.2.17/2.2.18
 * (stakater/Reloader `deployments/kubernetes/chart/reloader`). A constant, not config: a bump is a
 * reviewed code change, and the RBAC below is checked against that version's needs.
 */
export const RELOADER_IMAGE = "ghcr.io/stakater/reloader:v1.4.22";

/** Reloader serves metrics (`/metrics`) and liveness (`/live`) on one port. */
export const RELOADER_HTTP_PORT = 9090;

const LABELS = {
  "app.kubernetes.io/name": "reloader",
  "app.kubernetes.io/instance": "reloader",
} as const;

const META_LABELS = { ...LABELS, "app.kubernetes.io/managed-by": "slipway" };

/** The image's `nobody` user, as upstream's chart runs it. */
const RELOADER_UID = 65534;

/**
 * Informers cache every Secret and ConfigMap in the cluster, so memory grows with their number;
 * a homelab holds a few hundred. Upstream's example is 10m/128Mi with a 512Mi limit; GOMEMLIMIT
 * (from the limit) makes the Go runtime collect before the kernel kills it.
 */
export const RELOADER_RESOURCES: Resources = {
  requests: { cpu: "10m", memory: "64Mi" },
  limits: { memory: "256Mi" },
};

/**
 * What Reloader needs and nothing more (upstream `deployments/kubernetes/manifests/clusterrole.yaml`
 * minus what the flags below switch off):
 * - read and watch Secrets and ConfigMaps (its informers),
 * - read and roll Deployments, StatefulSets and DaemonSets (`update`/`patch` of the pod template);
 *   no `watch`: it lists them only when a Secret or ConfigMap changed,
 * - record `Reloaded` Events on the workload it rolled (the audit trail of a restart).
 * Not granted: `batch` jobs/cronjobs (`--ignored-workload-types=jobs,cronjobs`: a rotated
 * credential must not re-run one-off Jobs, and Reloader then never lists them), `extensions`
 * (served by no supported Kubernetes), Argo Rollouts and OpenShift DeploymentConfigs (not used).
 */
export function reloaderClusterRole(): K8sObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: RELOADER_NAME, labels: META_LABELS },
    rules: [
      { apiGroups: [""], resources: ["configmaps", "secrets"], verbs: ["get", "list", "watch"] },
      {
        apiGroups: ["apps"],
        resources: ["daemonsets", "deployments", "statefulsets"],
        verbs: ["get", "list", "patch", "update"],
      },
      { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
    ],
  };
}

export function reloaderClusterRoleBinding(): K8sObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: RELOADER_NAME, labels: META_LABELS },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: RELOADER_NAME },
    subjects: [{ kind: "ServiceAccount", name: RELOADER_NAME, namespace: RELOADER_NAMESPACE }],
  };
}

export function reloaderServiceAccount(): K8sObject {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: RELOADER_NAME, namespace: RELOADER_NAMESPACE, labels: META_LABELS },
    // Only the pod below opts in to a token; nothing else running as this account gets one.
    automountServiceAccountToken: false,
  };
}

/** Container arguments; exported for tests and the docs. */
export function reloaderArgs(logFormat: "json" | "text"): string[] {
  return [
    // Roll by writing a pod-template annotation instead of injecting an env var: Argo CD compares
    // env lists (a dummy STAKATER_* variable is drift it would revert), not annotations it never set.
    "--reload-strategy=annotations",
    "--ignored-workload-types=jobs,cronjobs",
    ...(logFormat === "json" ? ["--log-format=json"] : []),
  ];
}

export function reloaderDeployment(logFormat: "json" | "text"): K8sObject {
  const probe = (path: string) => ({
    httpGet: { path, port: "http", scheme: "HTTP" },
    initialDelaySeconds: 10,
    periodSeconds: 10,
    timeoutSeconds: 5,
    failureThreshold: 5,
    successThreshold: 1,
  });
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: RELOADER_NAME, namespace: RELOADER_NAMESPACE, labels: META_LABELS },
    spec: {
      // One replica: without --enable-ha two would both roll every workload.
      replicas: 1,
      revisionHistoryLimit: 3,
      selector: { matchLabels: { ...LABELS } },
      // Recreate: during a rolling update two controllers without leader election would both roll workloads.
      strategy: { type: "Recreate" },
      template: {
        metadata: { labels: { ...META_LABELS } },
        spec: {
          serviceAccountName: RELOADER_NAME,
          automountServiceAccountToken: true,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: RELOADER_UID,
            runAsGroup: RELOADER_UID,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [
            {
              name: "reloader",
              image: RELOADER_IMAGE,
              imagePullPolicy: "IfNotPresent",
              args: reloaderArgs(logFormat),
              env: [
                {
                  name: "GOMEMLIMIT",
                  valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1" } },
                },
              ],
              ports: [{ name: "http", containerPort: RELOADER_HTTP_PORT, protocol: "TCP" }],
              livenessProbe: probe("/live"),
              readinessProbe: probe("/metrics"),
              resources: resourcesValue(RELOADER_RESOURCES),
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ["ALL"] },
              },
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
          ],
          volumes: [{ name: "tmp", emptyDir: {} }],
        },
      },
    },
  };
}
