import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { OutputFile } from "@slipway/core/synth";

/**
 * Heap growth since the last collection (or the start) after which a full collection is forced
 * when the rendering moves from one component to the next. The components that render one object
 * per service (argocd's Namespaces and ImageUpdaters, cloudflare's DNS records, postgres's
 * provisioning) build megabytes of strings that V8 promotes and, left to itself, collects long
 * after: at 5000 services that garbage was ~10 MiB of synth's peak. Below this growth (platforms
 * of ~1000 services or fewer) nothing is forced: a collection there costs more than it saves
 * (evacuation needs fresh pages; measured +3 MiB peak at 1000 services).
 */
export const COLLECT_AFTER_GROWTH = 8 * 1024 * 1024;

/**
 * Forces full garbage collections between components of a large synth. Make it before loading
 * the specs, so that the first boundary also counts what loading thousands of spec files left.
 */
export class ComponentCollector {
  #base = getHeapStatistics().used_heap_size;
  #gc: (() => void) | undefined;

  /**
   * Passes files through unchanged; when the rendering moves on to another component (or starts)
   * and the heap grew by more than {@link COLLECT_AFTER_GROWTH}, forces one full collection
   * (~10 ms at 5000 services; a few times at most, once per large component).
   */
  *between(files: Iterable<OutputFile>): Generator<OutputFile> {
    let owner: string | undefined;
    for (const f of files) {
      if (f.owner !== owner) {
        owner = f.owner;
        if (getHeapStatistics().used_heap_size - this.#base > COLLECT_AFTER_GROWTH) {
          this.#gc ??= fullGc();
          this.#gc();
          this.#base = getHeapStatistics().used_heap_size;
        }
      }
      yield f;
    }
  }
}

/** V8's full collection: `--expose-gc` set now gives it to contexts made afterwards. */
function fullGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === "function") return existing;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}
