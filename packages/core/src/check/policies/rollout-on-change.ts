import { isRecord } from "../input.js";
import { definePolicy, describe, policyDiag } from "../policy.js";

/**
 * H3: a StatefulSet or DaemonSet rolls its pods when its template changes (a new config, a new
 * image): `updateStrategy.type: OnDelete` leaves the old pods running the old configuration until
 * someone deletes them by hand (vault-helm's default). An error: a rolled Vault unseals itself
 * (ADR 0009), so nothing justifies a configuration that silently never applies.
 */
export const rolloutOnChange = definePolicy({
  id: "rollout-on-change",
  description: "StatefulSets and DaemonSets roll their pods on a change (no OnDelete update strategy)",
  chartOutput: true,
  *check(input) {
    for (const o of input.objects) {
      if (o.object.kind !== "StatefulSet" && o.object.kind !== "DaemonSet") continue;
      const spec = o.object.spec;
      const strategy = isRecord(spec) && isRecord(spec.updateStrategy) ? spec.updateStrategy : undefined;
      if (strategy?.type !== "OnDelete") continue;
      yield {
        file: o.file,
        doc: o.doc,
        diagnostic: policyDiag(
          this.id,
          `${describe(o, input.namespaceOf(o))} never rolls its pods on a change (updateStrategy OnDelete): a new config or image waits for someone to delete the pod`,
          {
            path: ["spec", "updateStrategy", "type"],
            hint: "Use updateStrategy RollingUpdate (vault-helm: server.updateStrategyType: RollingUpdate).",
          },
        ),
      };
    }
  },
});
