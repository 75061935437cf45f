import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The record of what Slipway wrote: path → sha256 of the content it wrote. No timestamps. */
export interface Ownership {
  readonly version: 1;
  readonly files: Readonly<Record<string, string>>;
}

export const OWNERSHIP_FILE = ".slipway/owned.json";

export function readOwnership(outDir: string): Ownership {
  try {
    const data = JSON.parse(readFileSync(join(outDir, OWNERSHIP_FILE), "utf8")) as Ownership;
    if (data.version !== 1 || typeof data.files !== "object") throw new Error("bad ownership record");
    return data;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, files: {} };
    throw e;
  }
}

export function serializeOwnership(files: ReadonlyMap<string, string>): string {
  const sorted = [...files].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const obj: Record<string, string> = {};
  for (const [p, h] of sorted) obj[p] = h;
  return `${JSON.stringify({ version: 1, files: obj }, null, 2)}\n`;
}
