/**
 * Where the same platform may render differently on K3s, kubeadm and EKS (ADR 0014): every other
 * byte of the tree is the same on all three, which `test/render/environments.test.ts` proves by
 * rendering one platform for each distribution and matching every difference against this list.
 * An entry nothing matches fails that test too, so the list stays exactly what differs.
 */
export interface EnvironmentDifference {
  /** Rendered file path; `*` matches within one path segment. */
  readonly file: string;
  /**
   * Dotted path inside the file's YAML document(s) under which values may differ (`*` matches one
   * key or index); `""` for the whole file (one that exists on some distributions only).
   */
  readonly path: string;
  readonly reason: string;
}

export const ENVIRONMENT_DIFFERENCES: readonly EnvironmentDifference[] = [
  {
    file: "k8s/helm/values/istio*.yaml",
    path: "global.platform",
    reason:
      "K3s keeps its CNI config and binaries outside /etc/cni/net.d and /opt/cni/bin: the `k3s` platform preset points istio-cni there; kubeadm and EKS use the standard paths",
  },
  {
    file: "k8s/helm/values/ztunnel.yaml",
    path: "global.platform",
    reason: "the same Istio platform preset, read by every Istio chart",
  },
  {
    file: "k8s/helm/values/vault.yaml",
    path: "server.dataStorage.storageClass",
    reason: "the distribution's StorageClass (local-path, the kubeadm administrator's, EBS gp3)",
  },
  {
    file: "k8s/helm/values/vault.yaml",
    path: "server.serviceAccount",
    reason: "EKS IRSA: the IAM role Vault's awskms seal assumes annotates its service account",
  },
  {
    file: "k8s/helm/manifests/postgres/statefulset-*.yaml",
    path: "spec.volumeClaimTemplates.*.spec.storageClassName",
    reason: "the distribution's StorageClass",
  },
  {
    file: "k8s/helm/manifests/backups-*/persistentvolumeclaim-*.yaml",
    path: "spec.storageClassName",
    reason: "the distribution's StorageClass",
  },
  {
    file: "k8s/helm/values/traefik.yaml",
    path: "service",
    reason: "EKS with an NLB: a LoadBalancer Service with the AWS Load Balancer Controller's annotations",
  },
  {
    file: "k8s/helm/values/traefik.yaml",
    path: "ports.websecure",
    reason: "EKS with an NLB: port 443, where the NLB ends TLS, forwards to Traefik's web entry point",
  },
  {
    file: "argocd/applications/storage.yaml",
    path: "",
    reason: "EKS: the Application of the EBS CSI gp3 StorageClass (K3s and kubeadm bring their own class)",
  },
  {
    file: "k8s/helm/manifests/storage/*",
    path: "",
    reason: "EKS: the EBS CSI gp3 StorageClass itself",
  },
];

function globRegExp(glob: string): RegExp {
  const body = glob
    .split("*")
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join("[^/]*");
  return new RegExp(`^${body}$`);
}

function pathMatches(pattern: string, path: readonly (string | number)[]): boolean {
  if (pattern === "") return true;
  const parts = pattern.split(".");
  if (path.length < parts.length) return false;
  return parts.every((p, i) => p === "*" || p === String(path[i]));
}

/** The entry allowing a difference at `path` of `file` (`path` undefined: the whole file), if any. */
export function allowedDifference(
  file: string,
  path: readonly (string | number)[] | undefined,
): EnvironmentDifference | undefined {
  return ENVIRONMENT_DIFFERENCES.find(
    (d) => globRegExp(d.file).test(file) && (path === undefined ? d.path === "" : pathMatches(d.path, path)),
  );
}
