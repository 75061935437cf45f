/**
 * Built-in API versions the Kubernetes API server no longer serves, from the upstream deprecation
 * guide (https://kubernetes.io/docs/reference/using-api/deprecation-guide/). The bundled models and
 * the core schema directory cannot tell: the models still ship old versions, and the directory
 * holds one version per kind.
 */
const REMOVED: readonly { apiVersion: string; kinds?: readonly string[]; removedIn: string; use: string }[] =
  [
    { apiVersion: "extensions/v1beta1", removedIn: "1.22", use: "apps/v1 or networking.k8s.io/v1" },
    { apiVersion: "apps/v1beta1", removedIn: "1.16", use: "apps/v1" },
    { apiVersion: "apps/v1beta2", removedIn: "1.16", use: "apps/v1" },
    { apiVersion: "networking.k8s.io/v1beta1", removedIn: "1.22", use: "networking.k8s.io/v1" },
    {
      apiVersion: "rbac.authorization.k8s.io/v1beta1",
      removedIn: "1.22",
      use: "rbac.authorization.k8s.io/v1",
    },
    { apiVersion: "apiextensions.k8s.io/v1beta1", removedIn: "1.22", use: "apiextensions.k8s.io/v1" },
    {
      apiVersion: "admissionregistration.k8s.io/v1beta1",
      removedIn: "1.22",
      use: "admissionregistration.k8s.io/v1",
    },
    { apiVersion: "scheduling.k8s.io/v1beta1", removedIn: "1.22", use: "scheduling.k8s.io/v1" },
    {
      apiVersion: "storage.k8s.io/v1beta1",
      kinds: ["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
      removedIn: "1.22",
      use: "storage.k8s.io/v1",
    },
    {
      apiVersion: "storage.k8s.io/v1beta1",
      kinds: ["CSIStorageCapacity"],
      removedIn: "1.27",
      use: "storage.k8s.io/v1",
    },
    { apiVersion: "coordination.k8s.io/v1beta1", removedIn: "1.22", use: "coordination.k8s.io/v1" },
    { apiVersion: "certificates.k8s.io/v1beta1", removedIn: "1.22", use: "certificates.k8s.io/v1" },
    { apiVersion: "batch/v1beta1", removedIn: "1.25", use: "batch/v1" },
    { apiVersion: "policy/v1beta1", removedIn: "1.25", use: "policy/v1" },
    { apiVersion: "autoscaling/v2beta1", removedIn: "1.25", use: "autoscaling/v2" },
    { apiVersion: "autoscaling/v2beta2", removedIn: "1.26", use: "autoscaling/v2" },
    { apiVersion: "discovery.k8s.io/v1beta1", removedIn: "1.25", use: "discovery.k8s.io/v1" },
    { apiVersion: "events.k8s.io/v1beta1", removedIn: "1.25", use: "events.k8s.io/v1" },
    { apiVersion: "node.k8s.io/v1beta1", removedIn: "1.25", use: "node.k8s.io/v1" },
    {
      apiVersion: "flowcontrol.apiserver.k8s.io/v1beta1",
      removedIn: "1.26",
      use: "flowcontrol.apiserver.k8s.io/v1",
    },
    {
      apiVersion: "flowcontrol.apiserver.k8s.io/v1beta2",
      removedIn: "1.29",
      use: "flowcontrol.apiserver.k8s.io/v1",
    },
    {
      apiVersion: "flowcontrol.apiserver.k8s.io/v1beta3",
      removedIn: "1.32",
      use: "flowcontrol.apiserver.k8s.io/v1",
    },
  ];

const minor = (v: string) => Number(v.split(".")[1] ?? Number.NaN);

/** The removal, when `apiVersion`/`kind` is no longer served by Kubernetes `version` (e.g. `1.32`). */
export function removedApi(
  apiVersion: string,
  kind: string,
  version: string,
): { removedIn: string; use: string } | undefined {
  const m = minor(version);
  return REMOVED.find(
    (r) =>
      r.apiVersion === apiVersion &&
      (r.kinds === undefined || r.kinds.includes(kind)) &&
      minor(r.removedIn) <= m,
  );
}
