import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "yaml";

/** The committed example platform (examples/homelab). */
export const EXAMPLE_DIR = join(import.meta.dirname, "../../../../examples/homelab");

/**
 * A copy of examples/homelab's platform.yaml and services/ in a new directory, with `cluster`'s
 * keys set over the example's `spec.cluster` (a key set to undefined is removed): the same
 * platform on another distribution or Kubernetes version. Returns the new platform.yaml.
 */
export function exampleVariant(cluster: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "slipway-variant-"));
  cpSync(join(EXAMPLE_DIR, "services"), join(dir, "services"), { recursive: true });
  const doc = parseDocument(readFileSync(join(EXAMPLE_DIR, "platform.yaml"), "utf8"));
  for (const [k, v] of Object.entries(cluster)) {
    if (v === undefined) doc.deleteIn(["spec", "cluster", k]);
    else doc.setIn(["spec", "cluster", k], doc.createNode(v));
  }
  const file = join(dir, "platform.yaml");
  writeFileSync(file, doc.toString());
  return file;
}
