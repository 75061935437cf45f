import type { z } from "zod";

/** `spec.cluster.distribution`. */
export type Distribution = "k3s" | "kubeadm" | "eks";

/**
 * The StorageClass every claim uses when `spec.cluster.storageClass` is not set (ADR 0014).
 * K3s ships `local-path` (its local-path-provisioner). On EKS Slipway renders `gp3` itself (the
 * EBS CSI driver's class: the `storage` component), because EKS ships no default class from 1.30
 * on. kubeadm ships no provisioner at all, so there is nothing to default to: the platform must
 * name the class its administrator installed.
 */
export const DEFAULT_STORAGE_CLASS: Readonly<Record<Distribution, string | undefined>> = {
  k3s: "local-path",
  eks: "gp3",
  kubeadm: undefined,
};

/** The input of {@link environmentRules}: the cluster fields it reads. */
interface ClusterFields {
  readonly distribution: Distribution;
  readonly storageClass?: string | undefined;
  readonly aws?: unknown;
}

/**
 * Rules between `distribution` and the fields that only make sense with some distributions. Each
 * issue carries its code and hint (load.ts reports `custom` issues with them), at the path of the
 * line a reader must change.
 */
export function environmentRules(c: ClusterFields, ctx: z.RefinementCtx): void {
  if (c.storageClass === undefined && DEFAULT_STORAGE_CLASS[c.distribution] === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["distribution"],
      message: "ships no default StorageClass: set spec.cluster.storageClass",
      params: {
        code: "SW_SPEC_STORAGE_CLASS_REQUIRED",
        hint: "kubeadm installs no volume provisioner. Install one (Longhorn, OpenEBS, a CSI driver) and name its StorageClass in spec.cluster.storageClass, e.g. `storageClass: longhorn`.",
      },
    });
  }
  if (c.aws !== undefined && c.distribution !== "eks") {
    ctx.addIssue({
      code: "custom",
      path: ["aws"],
      message: `applies to distribution eks only (this cluster is ${c.distribution})`,
      params: {
        code: "SW_SPEC_AWS_NOT_EKS",
        hint: "Remove spec.cluster.aws, or set spec.cluster.distribution: eks.",
      },
    });
  }
}

/** The document's cluster with {@link DEFAULT_STORAGE_CLASS} applied (after {@link environmentRules} passed). */
export function resolveCluster<C extends ClusterFields>(
  c: C,
): Omit<C, "storageClass"> & { storageClass: string } {
  return { ...c, storageClass: c.storageClass ?? DEFAULT_STORAGE_CLASS[c.distribution] ?? "" };
}

/** The CPU architectures of the cluster's nodes, sorted and distinct. */
export function nodeArches(c: { readonly nodes: readonly { readonly arch: string }[] }): string[] {
  return [...new Set(c.nodes.map((n) => n.arch))].sort();
}
