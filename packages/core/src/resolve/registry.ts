import { diag, internalError } from "../diagnostics.js";
import type { AnyComponent } from "../render/component.js";

/**
 * Validates the component list itself: ids are unique and every dependency names a known
 * component. These are programming errors, reported with a hint for whoever edits the list.
 */
export function validateRegistry(components: readonly AnyComponent[]): void {
  const ids = new Set<string>();
  const problems = [];
  for (const c of components) {
    if (ids.has(c.id)) {
      problems.push(
        diag("SW_REGISTRY_DUPLICATE_ID", `component id '${c.id}' is registered twice`, {
          hint: "Each component in components/index.ts needs a unique id.",
        }),
      );
    }
    ids.add(c.id);
  }
  for (const c of components) {
    for (const d of [...c.dependsOn, ...(c.after ?? []), ...(c.before ?? [])]) {
      if (!ids.has(d)) {
        problems.push(
          diag("SW_REGISTRY_UNKNOWN_DEPENDENCY", `component '${c.id}' depends on unknown component '${d}'`, {
            hint: "Register the dependency in components/index.ts or fix the id.",
          }),
        );
      }
    }
  }
  if (problems.length > 0) throw internalError(problems);
}
