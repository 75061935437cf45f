import { isRecord } from "../input.js";
import { definePolicy, objectFinding } from "../policy.js";
import { at, byNamespace, list, serviceNamespaces } from "./tenants.js";

/**
 * Every service namespace has a NetworkPolicy selecting all its pods (`podSelector: {}`) for both
 * Ingress and Egress with no rule: the default deny the per-service allows open up from. Without
 * it, every pod of the cluster can reach the service and the service every pod.
 */
export const serviceDefaultDeny = definePolicy({
  id: "service-default-deny",
  description: "Every service namespace has a default-deny NetworkPolicy (ingress and egress)",
  *check(input) {
    const policies = byNamespace(input, "NetworkPolicy");
    for (const [ns, services] of serviceNamespaces(input)) {
      const denies = (policies.get(ns) ?? []).some((o) => {
        const spec = o.object.spec;
        const selector = at(spec, "podSelector");
        const labels = at(selector, "matchLabels");
        const everyPod =
          isRecord(selector) &&
          (labels === undefined || (isRecord(labels) && Object.keys(labels).length === 0)) &&
          list(at(selector, "matchExpressions")).length === 0;
        const types = list(at(spec, "policyTypes"));
        return (
          everyPod &&
          types.includes("Ingress") &&
          types.includes("Egress") &&
          list(at(spec, "ingress")).length === 0 &&
          list(at(spec, "egress")).length === 0
        );
      });
      if (denies) continue;
      // Reported on the service's Application: the namespace has no object of its own to point at.
      const app = input.apps.find((a) => a.spec.project === "workloads" && a.spec.namespace === ns);
      yield objectFinding(
        this.id,
        { file: `argocd/applications/${app?.spec.name ?? services[0]}.yaml`, doc: 0 },
        ["spec", "destination", "namespace"],
        `service namespace ${ns} (${services.join(", ")}) has no default-deny NetworkPolicy`,
        `Render a NetworkPolicy in ${ns} with podSelector: {} and policyTypes [Ingress, Egress] and no rules.`,
      );
    }
  },
});
