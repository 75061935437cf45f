import type { PlatformSpec } from "../../config/schema.js";
import type { ExistingDecl, Plan } from "../../render/plan.js";

/**
 * Where the inventory of what exists and is not Slipway's is rendered. Not deployed (the root
 * app-of-apps reads only `argocd/projects` and `argocd/applications`): it is what `slipway check`
 * (policy `no-existing-collision`) and a reviewer read, rendered from platform.yaml (ADR 0013).
 */
export const EXISTING_INVENTORY_PATH = "argocd/existing.yaml";

/** The inventory as data, or undefined when nothing external is declared (no file then). */
export function existingInventory(
  platform: PlatformSpec,
  argocdMode: "deploy" | "external",
  plan: Pick<Plan, "existing" | "dns" | "tunnel">,
): Record<string, unknown> | undefined {
  const objects = dedupe(plan.existing);
  const dnsExternal = plan.dns.owner !== "slipway" || plan.dns.foreignNames.length > 0;
  if (argocdMode === "deploy" && objects.length === 0 && !dnsExternal && plan.tunnel === undefined) {
    return undefined;
  }
  return {
    // What the checks read; `declaredBy` says where in platform.yaml each entry comes from.
    argocd: { mode: argocdMode, destination: { ...platform.cluster.destination } },
    objects: objects.map((o) => ({ ...o })),
    dns: { owner: plan.dns.owner, foreignNames: [...plan.dns.foreignNames].sort() },
    ...(plan.tunnel
      ? { tunnel: { mode: "existing", keptRules: plan.tunnel.keptRules.map((r) => ({ ...r })) } }
      : {}),
  };
}

const keyOf = (o: Pick<ExistingDecl, "kind" | "namespace" | "name">) =>
  `${o.kind}/${o.namespace ?? ""}/${o.name}`;

function dedupe(list: readonly ExistingDecl[]): ExistingDecl[] {
  const byKey = new Map<string, ExistingDecl>();
  for (const o of list) if (!byKey.has(keyOf(o))) byKey.set(keyOf(o), o);
  return [...byKey.values()].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
}
