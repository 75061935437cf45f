import { isRecord } from "../input.js";
import { definePolicy, describe, objectFinding } from "../policy.js";
import { containersOf, parseImage, podTemplate, quantity } from "../workloads.js";

/**
 * Every container and init container of a workload requests CPU and memory and limits memory, and
 * runs a pinned image: no `:latest`, no untagged image. An image pinned by the Application's
 * `kustomization.yaml` (`images[].newTag` or `digest`, where Image Updater writes back) counts as pinned.
 */
export const workloadResources = definePolicy({
  id: "workload-resources",
  description: "Workloads have CPU/memory requests and a memory limit, and pinned images",
  chartOutput: true,
  *check(input) {
    const pins = new Map<string, Set<string>>();
    const pinsFor = (dir: string): Set<string> => {
      let p = pins.get(dir);
      if (!p) {
        p = new Set();
        for (const name of ["kustomization.yaml", "kustomization.yml"]) {
          const k = input.parsed.get(`${dir}${name}`)?.docs[0];
          const images = isRecord(k) && Array.isArray(k.images) ? k.images : [];
          for (const i of images) {
            if (isRecord(i) && typeof i.name === "string" && (isNonEmpty(i.newTag) || isNonEmpty(i.digest))) {
              p.add(i.name);
            }
          }
        }
        pins.set(dir, p);
      }
      return p;
    };
    for (const o of input.objects) {
      const t = podTemplate(o.object);
      if (!t) continue;
      const who = describe(o, input.namespaceOf(o));
      for (const c of containersOf(t)) {
        const name = typeof c.container.name === "string" ? c.container.name : String(c.index);
        const missing: string[] = [];
        if (quantity(c.container, "requests", "cpu") === undefined) missing.push("requests.cpu");
        if (quantity(c.container, "requests", "memory") === undefined) missing.push("requests.memory");
        if (quantity(c.container, "limits", "memory") === undefined) missing.push("limits.memory");
        if (missing.length > 0) {
          yield objectFinding(
            this.id,
            o,
            isRecord(c.container.resources) ? [...c.path, "resources"] : c.path,
            `${c.list === "initContainers" ? "init container" : "container"} ${name} of ${who} has no ${missing.join(", ")}`,
            "Set resources.requests.cpu, resources.requests.memory and resources.limits.memory: the budget and the scheduler rely on them.",
          );
        }
        const image = c.container.image;
        if (typeof image !== "string") continue;
        const ref = parseImage(image);
        if (ref.digest) continue;
        const dir = o.file.slice(0, o.file.lastIndexOf("/") + 1);
        if (pinsFor(dir).has(ref.repository)) continue;
        if (ref.tag === undefined || ref.tag === "latest") {
          yield objectFinding(
            this.id,
            o,
            [...c.path, "image"],
            `container ${name} of ${who} runs ${ref.tag === undefined ? "an untagged image" : "the latest tag"}: ${image}`,
            "Pin the image to a version tag or digest (or pin it in the Application's kustomization.yaml images).",
          );
        }
      }
    }
  },
});

const isNonEmpty = (v: unknown) => typeof v === "string" && v !== "";
