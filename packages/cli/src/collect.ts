import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { OutputFile } from "@slipway/core/synth";

/**
 * Heap growth since the last collection (or the start) after which a full collection is forced
 * when the rendering moves from one component to the next. The components that render one object
 * per service (argocd's Namespaces and ImageUpdaters, cloudflare's DNS records, postgres's
 * provisioning) build megabytes of strings that V8 promotes and, left to itself, collects long
 * after: at 5000 services that garbage was ~10 MiB of synth's peak. The heap of a platform of
 * ~1000 services or fewer does not grow this much, and a collection there would cost more than it
 * saves (evacuation needs fresh pages; measured +3 MiB peak at 1000 services) — but see
 * {@link COLLECT_AFTER_OUTPUT}, which forces one after cloudflare at any size.
 */
export const COLLECT_AFTER_GROWTH = 6 * 1024 * 1024;

/**
 * Output of one component after which a full collection is forced as the next one starts, even
 * when the heap grew less: the strings of a large file are its garbage once it is written. A file
 * given in pieces (OutputFile.chunks: DNS records, tunnel rules) counts as this much by itself,
 * since its size is not known without making it: a platform with cloudflare on gets one
 * collection after it whatever its size.
 * Measured at 5000 services, peak RSS median of 5: 80.1 MiB counting those files as nothing,
 * 78.2 MiB counting them so (1000 services: 67.0 / 67.7; 100: 63.7 / 63.9).
 */
export const COLLECT_AFTER_OUTPUT = 1.5 * 1024 * 1024;

/**
 * Forces full garbage collections between components of a large synth. Make it before loading
 * the specs, so that the first boundary also counts what loading thousands of spec files left.
 */
export class ComponentCollector {
  #base = getHeapStatistics().used_heap_size;
  #gc: (() => void) | undefined;

  /** `gc` replaces V8's full collection (tests count the calls). */
  constructor(gc?: () => void) {
    this.#gc = gc;
  }

  /**
   * Passes files through unchanged; when the rendering moves on to another component (or starts)
   * and the heap grew by more than {@link COLLECT_AFTER_GROWTH} or the last component rendered
   * {@link COLLECT_AFTER_OUTPUT}, forces one full collection (~10 ms at 5000 services; a few times
   * at most, once per large component).
   */
  *between(files: Iterable<OutputFile>): Generator<OutputFile> {
    let owner: string | undefined;
    let output = 0;
    for (const f of files) {
      if (f.owner !== owner) {
        owner = f.owner;
        const grown = getHeapStatistics().used_heap_size - this.#base;
        if (grown > COLLECT_AFTER_GROWTH || output >= COLLECT_AFTER_OUTPUT) {
          this.#gc ??= fullGc();
          this.#gc();
          this.#base = getHeapStatistics().used_heap_size;
        }
        output = 0;
      }
      // A file given in pieces is one of the large aggregates by design (see COLLECT_AFTER_OUTPUT).
      output += f.chunks ? COLLECT_AFTER_OUTPUT : f.content.length;
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
