import { definePolicy, objectFinding } from "../policy.js";

const ALONE = new Set(["Namespace", "CustomResourceDefinition"]);

/**
 * A Namespace or CustomResourceDefinition is the only object in its file. Removing a file prunes
 * everything it held: a Namespace takes its workloads with it and a CRD all its custom resources,
 * so neither may ride along in a file that gets deleted for another reason.
 */
export const namespaceAlone = definePolicy({
  id: "namespace-alone",
  description: "A Namespace or CustomResourceDefinition is alone in its file",
  *check(input) {
    for (const o of input.objects) {
      if (!ALONE.has(o.object.kind)) continue;
      const docs = input.parsed.get(o.file)?.docs.filter((d) => d !== null && d !== undefined).length ?? 1;
      if (docs > 1) {
        yield objectFinding(
          this.id,
          o,
          ["kind"],
          `${o.object.kind} ${o.object.metadata.name} shares ${o.file} with ${docs - 1} other document(s)`,
          "Render it in a file of its own: deleting a file prunes every object in it.",
        );
      }
    }
  },
});
