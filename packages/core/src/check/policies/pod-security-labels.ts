import { PSA_MODES, PSA_PREFIX } from "../../components/argocd/contract.js";
import { definePolicy, objectFinding } from "../policy.js";

export const PSA_LEVELS = new Set(["privileged", "baseline", "restricted"]);
const VERSION = /^v1\.\d+$/;

/**
 * H5 (labels): every Namespace says which Pod Security Standard the API server enforces, audits
 * and warns about (`pod-security.kubernetes.io/<mode>`), each pinned to a Kubernetes minor
 * (`<mode>-version: v1.32`, not `latest`: an upgrade must not change what is admitted). Without the
 * labels a namespace admits privileged pods.
 */
export const podSecurityLabels = definePolicy({
  id: "pod-security-labels",
  description: "Every Namespace has Pod Security Admission labels (enforce, audit, warn), versions pinned",
  *check(input) {
    for (const o of input.objects) {
      if (o.object.kind !== "Namespace" || o.object.apiVersion !== "v1") continue;
      const labels = o.object.metadata.labels ?? {};
      const name = o.object.metadata.name;
      for (const mode of PSA_MODES) {
        const key = `${PSA_PREFIX}${mode}`;
        const level = labels[key];
        if (level === undefined || !PSA_LEVELS.has(level)) {
          yield objectFinding(
            this.id,
            o,
            level === undefined ? ["metadata", "labels"] : ["metadata", "labels", key],
            `Namespace ${name} has ${level === undefined ? `no ${key} label` : `${key}: ${level}, not a Pod Security level`}`,
            "Label every namespace with pod-security.kubernetes.io/enforce, audit and warn: restricted where its pods comply, baseline or privileged only where they need it.",
          );
          continue;
        }
        const version = labels[`${key}-version`];
        if (version === undefined || !VERSION.test(version)) {
          yield objectFinding(
            this.id,
            o,
            version === undefined ? ["metadata", "labels"] : ["metadata", "labels", `${key}-version`],
            `Namespace ${name} does not pin ${key}-version${version === undefined ? "" : ` (${version})`}`,
            "Pin it to the cluster's Kubernetes minor, e.g. v1.32 (spec.cluster.kubernetesVersion): `latest` changes what is admitted on upgrade.",
          );
        }
      }
    }
  },
});
