import { isRecord } from "../input.js";
import { definePolicy, describe, objectFinding } from "../policy.js";
import { at, byNamespace, list, serviceNamespaces } from "./tenants.js";

/** Every place an ExternalSecret names a store: the spec, and each `data`/`dataFrom` source. */
function storeRefs(spec: unknown): { path: (string | number)[]; ref: Record<string, unknown> }[] {
  const out: { path: (string | number)[]; ref: Record<string, unknown> }[] = [];
  const top = at(spec, "secretStoreRef");
  if (isRecord(top)) out.push({ path: ["spec", "secretStoreRef"], ref: top });
  for (const key of ["data", "dataFrom"] as const)
    list(at(spec, key)).forEach((d, i) => {
      const ref = at(d, "sourceRef", "storeRef");
      if (isRecord(ref)) out.push({ path: ["spec", key, i, "sourceRef", "storeRef"], ref });
    });
  return out;
}

/**
 * A service namespace reads secrets only through a SecretStore of its own namespace, and no
 * ClusterSecretStore serves it: a ClusterSecretStore must name the namespaces it serves
 * (`conditions[].namespaces`, never a label selector or regex a Namespace edit could satisfy) and
 * none of them may be a service namespace. Otherwise a service's ExternalSecret could read every
 * platform secret the cluster store's Vault role reaches.
 */
export const serviceSecretStore = definePolicy({
  id: "service-secret-store",
  description:
    "Service namespaces read secrets only through their own SecretStore; no ClusterSecretStore serves them",
  *check(input) {
    const tenants = serviceNamespaces(input);
    const stores = byNamespace(input, "SecretStore");
    for (const o of input.objects) {
      const ns = input.namespaceOf(o);
      if (o.object.kind === "ExternalSecret" && ns !== undefined && tenants.has(ns)) {
        for (const { path, ref } of storeRefs(o.object.spec)) {
          const kind = ref.kind ?? "SecretStore";
          const name = String(ref.name ?? "");
          if (kind !== "SecretStore") {
            yield objectFinding(
              this.id,
              o,
              [...path, "kind"],
              `${describe(o, ns)} in service namespace ${ns} reads through ${String(kind)} ${name}`,
              `Name the service's own SecretStore in ${ns}; cluster-wide stores serve platform namespaces only.`,
            );
          } else if (!(stores.get(ns) ?? []).some((s) => s.object.metadata.name === name)) {
            yield objectFinding(
              this.id,
              o,
              [...path, "name"],
              `${describe(o, ns)} names SecretStore ${name}, which is not rendered in ${ns}`,
              `Render the service's SecretStore in ${ns}, or name the one that is.`,
            );
          }
        }
      }
      if (o.object.kind !== "ClusterSecretStore") continue;
      const conditions = list(at(o.object.spec, "conditions"));
      if (conditions.length === 0) {
        yield objectFinding(
          this.id,
          o,
          ["spec"],
          `${describe(o)} has no conditions: every namespace, services' included, may use it`,
          "Add conditions: [{namespaces: [...]}] listing the platform namespaces that use it.",
        );
        continue;
      }
      for (const [i, c] of conditions.entries()) {
        for (const loose of ["namespaceSelector", "namespaceRegexes"]) {
          if (at(c, loose) !== undefined)
            yield objectFinding(
              this.id,
              o,
              ["spec", "conditions", i, loose],
              `${describe(o)} selects namespaces by ${loose}, which a service namespace can come to match`,
              "List the namespaces by name (conditions[].namespaces).",
            );
        }
        for (const [j, n] of list(at(c, "namespaces")).entries()) {
          if (typeof n === "string" && tenants.has(n))
            yield objectFinding(
              this.id,
              o,
              ["spec", "conditions", i, "namespaces", j],
              `${describe(o)} serves service namespace ${n}`,
              `Remove ${n}: its services read through their own SecretStore.`,
            );
        }
      }
    }
  },
});
