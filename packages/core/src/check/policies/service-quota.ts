import { cpuMillis, memoryBytes } from "../../config/primitives.js";
import type { RenderedObject } from "../input.js";
import { definePolicy, describe, objectFinding } from "../policy.js";
import { at, byNamespace, list, serviceNamespaces } from "./tenants.js";

type Totals = Record<"pods" | "requests.cpu" | "requests.memory" | "limits.cpu" | "limits.memory", number>;
const KEYS = ["pods", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"] as const;
const amount = (key: string, q: unknown) =>
  key === "pods" ? Number(q) : key.endsWith(".cpu") ? cpuMillis(String(q)) : memoryBytes(String(q));

/** Pods a Deployment runs at once mid-rollout: replicas plus maxSurge (Kubernetes' default 25%, rounded up). */
export function rolloutPodsOf(deployment: unknown): number {
  const replicas = Number(at(deployment, "spec", "replicas") ?? 1);
  if (at(deployment, "spec", "strategy", "type") === "Recreate") return replicas;
  const surge = at(deployment, "spec", "strategy", "rollingUpdate", "maxSurge") ?? "25%";
  const extra =
    typeof surge === "string" && surge.endsWith("%")
      ? Math.ceil((replicas * Number(surge.slice(0, -1))) / 100)
      : Number(surge);
  return replicas + extra;
}

/**
 * A container's amount for `key` (`requests.cpu`, `limits.memory`…) as the API server settles it:
 * its own; for a request, its own limit (pod defaulting, before admission); then the LimitRange's
 * default (`defaultRequest`, which itself defaults to `default`). Undefined when nothing sets it.
 */
function containerAmount(c: unknown, key: string, limitRange: unknown): number | undefined {
  const [kind, resource] = key.split(".") as ["requests" | "limits", string];
  const defaults = list(at(limitRange, "spec", "limits")).find((l) => at(l, "type") === "Container");
  const own =
    kind === "requests"
      ? (at(c, "resources", "requests", resource) ??
        at(c, "resources", "limits", resource) ??
        at(defaults, "defaultRequest", resource) ??
        at(defaults, "default", resource))
      : (at(c, "resources", "limits", resource) ?? at(defaults, "default", resource));
  return own === undefined ? undefined : amount(key, own);
}

/**
 * Every service namespace has a ResourceQuota and a LimitRange, and the quota admits the
 * namespace's Deployments at full rollout surge: replicas + maxSurge pods, each reserving the larger
 * of its containers' sum and its largest init container (what the scheduler and the quota count),
 * with the LimitRange's defaults for a container that states nothing. A quota on a resource some
 * container leaves unset refuses that pod outright. Pods the cluster adds at admission (an
 * injected init container, a mesh waypoint) are the renderer's headroom and not counted here.
 */
export const serviceQuota = definePolicy({
  id: "service-quota",
  description:
    "Every service namespace has a ResourceQuota and LimitRange that admit its Deployments, rollout surge included",
  *check(input) {
    const quotas = byNamespace(input, "ResourceQuota");
    const ranges = byNamespace(input, "LimitRange");
    const deployments = byNamespace(input, "Deployment");
    for (const [ns, services] of serviceNamespaces(input)) {
      const app = input.apps.find((a) => a.spec.project === "workloads" && a.spec.namespace === ns);
      const anchor = { file: `argocd/applications/${app?.spec.name ?? services[0]}.yaml`, doc: 0 };
      const quota = quotas.get(ns)?.[0];
      const range = ranges.get(ns)?.[0];
      for (const [kind, o] of [
        ["ResourceQuota", quota],
        ["LimitRange", range],
      ] as const)
        if (!o)
          yield objectFinding(
            this.id,
            anchor,
            ["spec", "destination", "namespace"],
            `service namespace ${ns} has no ${kind}`,
            `Render a ${kind} in ${ns} from its services' resources × replicas (with rollout surge).`,
          );
      if (!quota) continue;
      const need: Totals = {
        pods: 0,
        "requests.cpu": 0,
        "requests.memory": 0,
        "limits.cpu": 0,
        "limits.memory": 0,
      };
      const unset = new Map<string, RenderedObject>();
      for (const d of deployments.get(ns) ?? []) {
        const pods = rolloutPodsOf(d.object);
        need.pods += pods;
        const pod = at(d.object, "spec", "template", "spec");
        for (const key of KEYS.slice(1)) {
          const sum = (cs: unknown[]) =>
            cs.reduce<number | undefined>((acc, c) => {
              const v = containerAmount(c, key, range?.object);
              return acc === undefined || v === undefined ? undefined : acc + v;
            }, 0);
          const main = sum(list(at(pod, "containers")));
          const inits = list(at(pod, "initContainers")).map((c) => containerAmount(c, key, range?.object));
          if (main === undefined || inits.includes(undefined)) {
            unset.set(key, d);
            continue;
          }
          need[key] += pods * Math.max(main, ...(inits as number[]));
        }
      }
      const hard = at(quota.object, "spec", "hard");
      for (const key of KEYS) {
        const q = at(hard, key);
        if (q === undefined) continue;
        const d = unset.get(key);
        if (d) {
          yield objectFinding(
            this.id,
            d,
            ["spec", "template", "spec", "containers"],
            `${describe(d, ns)} has a container without ${key}, which ResourceQuota ${ns}/${quota.object.metadata.name} requires`,
            `Set ${key} on every container, or a LimitRange default in ${ns}.`,
          );
          continue;
        }
        if (need[key] > amount(key, q))
          yield objectFinding(
            this.id,
            quota,
            ["spec", "hard", key],
            `ResourceQuota ${ns}/${quota.object.metadata.name} allows ${String(q)} ${key}; its Deployments need ${key.endsWith("memory") ? `${need[key]} bytes` : key.endsWith("cpu") ? `${need[key]}m` : need[key]} at rollout surge`,
            "Derive the quota from every Deployment's replicas + maxSurge × per-pod resources.",
          );
      }
    }
  },
});
