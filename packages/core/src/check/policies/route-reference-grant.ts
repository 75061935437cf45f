import { isRecord, type RenderedObject } from "../input.js";
import { definePolicy, describe, objectFinding } from "../policy.js";

const GATEWAY_GROUP = "gateway.networking.k8s.io";

/**
 * An HTTPRoute whose backendRef points into another namespace needs a ReferenceGrant in that
 * namespace allowing HTTPRoutes from the route's namespace to reach the Service (by name or all).
 * Without one the Gateway refuses the backend (`RefNotPermitted`) and the route serves 500s.
 */
export const routeReferenceGrant = definePolicy({
  id: "route-reference-grant",
  description: "Cross-namespace HTTPRoute backends have a ReferenceGrant",
  chartOutput: true,
  *check(input) {
    const grants: { ns: string | undefined; o: RenderedObject }[] = input.objects
      .filter(
        (o) => o.object.kind === "ReferenceGrant" && o.object.apiVersion.startsWith(`${GATEWAY_GROUP}/`),
      )
      .map((o) => ({ ns: input.namespaceOf(o), o }));
    for (const o of input.objects) {
      if (o.object.kind !== "HTTPRoute" || !o.object.apiVersion.startsWith(`${GATEWAY_GROUP}/`)) continue;
      const routeNs = input.namespaceOf(o);
      const spec = o.object.spec;
      const rules = isRecord(spec) && Array.isArray(spec.rules) ? spec.rules : [];
      for (const [ri, rule] of rules.entries()) {
        const refs = isRecord(rule) && Array.isArray(rule.backendRefs) ? rule.backendRefs : [];
        for (const [bi, ref] of refs.entries()) {
          if (!isRecord(ref) || typeof ref.namespace !== "string" || ref.namespace === routeNs) continue;
          const group = typeof ref.group === "string" ? ref.group : "";
          const kind = typeof ref.kind === "string" ? ref.kind : "Service";
          const name = typeof ref.name === "string" ? ref.name : "";
          const allowed = grants.some(
            (g) =>
              g.ns === ref.namespace &&
              entries(g.o.object.spec, "from").some(
                (f) => f.group === GATEWAY_GROUP && f.kind === "HTTPRoute" && f.namespace === routeNs,
              ) &&
              entries(g.o.object.spec, "to").some(
                (t) =>
                  (t.group ?? "") === group && t.kind === kind && (t.name === undefined || t.name === name),
              ),
          );
          if (!allowed) {
            yield objectFinding(
              this.id,
              o,
              ["spec", "rules", ri, "backendRefs", bi, "namespace"],
              `${describe(o, routeNs)} routes to ${kind} ${ref.namespace}/${name} without a ReferenceGrant in ${ref.namespace}`,
              `Add a ReferenceGrant in namespace ${ref.namespace} from HTTPRoute in ${routeNs ?? "the route's namespace"} to ${kind} ${name}.`,
            );
          }
        }
      }
    }
  },
});

function entries(spec: unknown, key: "from" | "to"): Record<string, unknown>[] {
  const list = isRecord(spec) ? spec[key] : undefined;
  return Array.isArray(list) ? list.filter(isRecord) : [];
}
