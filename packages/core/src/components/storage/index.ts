import { z } from "zod";
import { ARGOCD_NAMESPACE } from "../../render/apps.js";
import { app, type ConfigOf, defineComponent } from "../../render/component.js";
import type { K8sObject } from "../../render/k8s.js";

/** The Application holding the distribution's StorageClass (EKS only). */
export const STORAGE_APP = "storage";

/**
 * The EBS CSI driver's gp3 class: the EKS default of `spec.cluster.storageClass` (ADR 0014).
 * EKS creates no default class from Kubernetes 1.30 on (its old `gp2` used the removed in-tree
 * provisioner), so Slipway renders the one its claims name. WaitForFirstConsumer: an EBS volume
 * lives in one availability zone, so it is created where the pod is scheduled. Retain: Vault's
 * raft data and PostgreSQL outlive a deleted claim (the `stateful-namespace-retained` rule keeps
 * their namespaces; this keeps their volumes).
 */
export function ebsGp3StorageClass(name: string): K8sObject {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name },
    provisioner: "ebs.csi.aws.com",
    parameters: { type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": "ext4" },
    volumeBindingMode: "WaitForFirstConsumer",
    reclaimPolicy: "Retain",
    allowVolumeExpansion: true,
  };
}

/**
 * The StorageClass the distribution does not ship. K3s ships `local-path`; kubeadm ships none and
 * the platform names the class its administrator installed (spec validation refuses kubeadm
 * without `storageClass`); EKS gets the EBS CSI gp3 class, unless `storageClass` names another
 * class, which is then the administrator's to install.
 */
export const storage = defineComponent({
  id: "storage",
  description: "The distribution's StorageClass: on EKS the EBS CSI driver's gp3 class (ADR 0014)",
  dependsOn: ["argocd"],
  after: [],
  enabledByDefault: true,
  config: z.strictObject({}),
  *contribute(ctx) {
    const c = ctx.platform.cluster;
    if (c.distribution !== "eks" || c.storageClass !== "gp3") return;
    // No resources finalizer: deleting the Application must never take the class its volumes use.
    yield app({
      name: STORAGE_APP,
      project: "platform",
      namespace: ARGOCD_NAMESPACE,
      manifests: [ebsGp3StorageClass(c.storageClass)],
      finalizer: false,
    });
  },
});

declare module "../../render/component.js" {
  interface ComponentConfigs {
    storage: ConfigOf<typeof storage>;
  }
}
