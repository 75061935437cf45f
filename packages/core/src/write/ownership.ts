import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { diag, InputError } from "../diagnostics.js";
import { sha256, unsafeOutputPath } from "../render/files.js";

/**
 * The record of what Slipway wrote: output-relative path → sha256 of the content it wrote.
 * Sorted by path, no timestamps, so it is deterministic and reviewable in Git.
 */
export interface Ownership {
  readonly version: 1;
  readonly files: Readonly<Record<string, string>>;
}

export const OWNERSHIP_FILE = ".slipway/owned.json";
/**
 * The next record, written before any file of the output tree is replaced and renamed over
 * {@link OWNERSHIP_FILE} once every file is in place. When a run dies in between, this file is
 * left behind and the next run treats a file as Slipway's when it matches either record.
 */
export const PENDING_OWNERSHIP_FILE = ".slipway/owned.next.json";

const HASH = /^[0-9a-f]{64}$/;

/** What the output root records about ownership, as the write step needs it. */
export interface OwnershipState {
  /** The committed record. */
  readonly owned: ReadonlyMap<string, string>;
  /** The record of an interrupted run, if one was left behind. */
  readonly pending: ReadonlyMap<string, string> | undefined;
  /** sha256 of the committed record file as it is on disk (undefined when absent). */
  readonly recordHash: string | undefined;
}

/**
 * Reads the ownership record of `outDir`. A missing record is an empty one; a record that does
 * not parse or has the wrong shape is an {@link InputError} (`SW_WRITE_OWNERSHIP_CORRUPT`).
 */
export function readOwnership(outDir: string): Ownership {
  const files: Record<string, string> = {};
  for (const [p, h] of readOwnershipState(outDir).owned) files[p] = h;
  return { version: 1, files };
}

/** @internal Reads both records; used by the write step. */
export function readOwnershipState(outDir: string): OwnershipState {
  const file = join(outDir, OWNERSHIP_FILE);
  const text = readText(file);
  let owned = new Map<string, string>();
  if (text !== undefined) {
    const parsed = parseRecord(text);
    if (typeof parsed === "string") {
      throw new InputError([
        diag("SW_WRITE_OWNERSHIP_CORRUPT", `${OWNERSHIP_FILE} is not a valid ownership record: ${parsed}`, {
          location: { file: relative(process.cwd(), file) || file, line: 1, col: 1 },
          hint:
            "Slipway alone writes this file. Restore it from Git (git checkout -- .slipway/owned.json), " +
            "or delete it and run 'slipway synth' again: files identical to what slipway renders are " +
            "adopted, the rest are listed as conflicts (--force takes them over).",
        }),
      ]);
    }
    owned = parsed;
  }
  // A pending record that does not parse was cut short before any output file was touched.
  const pendingText = readText(join(outDir, PENDING_OWNERSHIP_FILE));
  const pendingParsed = pendingText === undefined ? undefined : parseRecord(pendingText);
  const pending = typeof pendingParsed === "string" ? undefined : pendingParsed;
  const recordHash = text === undefined ? undefined : sha256(text);
  return { owned, pending, recordHash };
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw e;
  }
}

/** The record as a map, or a reason why it is not one. */
function parseRecord(text: string): Map<string, string> | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return `not JSON (${(e as Error).message})`;
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) return "not a JSON object";
  const { version, files } = data as { version?: unknown; files?: unknown };
  if (version !== 1) return `unsupported version ${JSON.stringify(version)}`;
  if (typeof files !== "object" || files === null || Array.isArray(files)) return "'files' is not an object";
  const out = new Map<string, string>();
  for (const [p, h] of Object.entries(files)) {
    if (typeof h !== "string" || !HASH.test(h)) return `${JSON.stringify(p)} has no sha256 hash`;
    if (unsafeOutputPath(p) !== undefined) return `${JSON.stringify(p)} is not a path inside the output root`;
    out.set(p, h);
  }
  return out;
}

/**
 * The record file's content, in pieces of about 64 KiB: `{ version: 1, files: { path: sha256 } }`
 * as two-space JSON with a trailing newline, `entries` ([path, sha256], sorted by path, unique) in
 * order. Hashing or writing the record of 40,000 files this way never holds its whole ~5 MiB text.
 */
export function* ownershipChunks(entries: Iterable<readonly [string, string]>): Generator<string> {
  let chunk = '{\n  "version": 1,\n  "files": {';
  let first = true;
  for (const [path, hash] of entries) {
    chunk += `${first ? "" : ","}\n    ${JSON.stringify(path)}: "${hash}"`;
    first = false;
    if (chunk.length >= 65_536) {
      yield chunk;
      chunk = "";
    }
  }
  yield first ? `${chunk}}\n}\n` : `${chunk}\n  }\n}\n`;
}
