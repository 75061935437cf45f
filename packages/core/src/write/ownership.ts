import { closeSync, constants, openSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { ConflictError, type Diagnostic, diag, InputError } from "../diagnostics.js";
import { RENDER_ROOTS, sha256, underRenderRoot, unsafeOutputPath } from "../render/files.js";

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

/** A record as the write step reads it: path → sha256 (hex), in the record's order. */
export type OwnershipRecord = ReadonlyMap<string, string>;

/** What the output root records about ownership, as the write step needs it. */
export interface OwnershipState {
  /** The committed record. */
  readonly owned: OwnershipRecord;
  /** The record of an interrupted run, if one was left behind. */
  readonly pending: OwnershipRecord | undefined;
  /** sha256 of the committed record file as it is on disk (undefined when absent). */
  readonly recordHash: string | undefined;
}

/**
 * Reads the ownership record of `outDir`. A missing record is an empty one; a record that does
 * not parse or has the wrong shape is an {@link InputError} (`SW_WRITE_OWNERSHIP_CORRUPT`), one
 * that lists a path outside {@link RENDER_ROOTS} (an input such as `platform.yaml`, or any other
 * file of the repository) is an {@link InputError} (`SW_WRITE_OWNERSHIP_TAMPERED`), and a record
 * that is a symbolic link a {@link ConflictError} (`SW_WRITE_SYMLINK`).
 */
export function readOwnership(outDir: string): Ownership {
  const files: Record<string, string> = {};
  const { owned } = readOwnershipState(outDir);
  for (const [p, h] of owned) files[p] = h;
  return { version: 1, files };
}

/** @internal Reads both records; used by the write step. */
export function readOwnershipState(outDir: string): OwnershipState {
  const file = join(outDir, OWNERSHIP_FILE);
  const display = (f: string) => relative(process.cwd(), f) || f;
  const read = readRecordFile(file);
  let owned: OwnershipRecord = new Map();
  if (read !== undefined) {
    if (typeof read.record === "string") {
      throw new InputError([
        diag(
          "SW_WRITE_OWNERSHIP_CORRUPT",
          `${OWNERSHIP_FILE} is not a valid ownership record: ${read.record}`,
          {
            location: { file: display(file), line: 1, col: 1 },
            hint:
              "Slipway alone writes this file. Restore it from Git (git checkout -- .slipway/owned.json), " +
              "or delete it and run 'slipway synth' again: files identical to what slipway renders are " +
              "adopted, the rest are listed as conflicts (--force takes them over).",
          },
        ),
      ]);
    }
    owned = read.record;
  }
  // A pending record that does not parse was cut short before any output file was touched.
  const pendingFile = join(outDir, PENDING_OWNERSHIP_FILE);
  const pendingRead = readRecordFile(pendingFile);
  const pending =
    pendingRead === undefined || typeof pendingRead.record === "string" ? undefined : pendingRead.record;
  const foreign = [
    ...foreignEntries(owned, display(file), OWNERSHIP_FILE),
    ...(pending ? foreignEntries(pending, display(pendingFile), PENDING_OWNERSHIP_FILE) : []),
  ];
  if (foreign.length > 0) throw new InputError(foreign);
  return { owned, pending, recordHash: read?.hash };
}

/**
 * Entries outside the rendered roots, one diagnostic each, sorted by path. Slipway never records
 * such a path, so the record was edited: refused as a whole, since an entry with the file's real
 * hash would otherwise have that file deleted as stale (issue 16: `platform.yaml`).
 */
function foreignEntries(record: OwnershipRecord, file: string, name: string): Diagnostic[] {
  const roots = RENDER_ROOTS.map((r) => `${r}/`).join(", ");
  const out: Diagnostic[] = [];
  for (const path of record.keys()) {
    // `..` segments or names too long for the filesystem are never rendered either.
    if (underRenderRoot(path) && unsafeOutputPath(path) === undefined) continue;
    out.push(
      diag("SW_WRITE_OWNERSHIP_TAMPERED", `${name} lists ${path}, which slipway never writes`, {
        path: ["files", path],
        location: { file, line: 1, col: 1 },
        hint:
          `Slipway writes only under ${roots}; an input (platform.yaml, services/*.yaml) or another file ` +
          `of the repository is never its to delete. Nothing was changed. Review the change that added the ` +
          `entry, then restore ${name} from Git or remove the entry.`,
      }),
    );
  }
  return out.sort((a, b) => {
    const x = a.path[1] as string;
    const y = b.path[1] as string;
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/**
 * The record file, or undefined when there is none: its entries (or why it is not a record) and
 * the sha256 of its bytes.
 */
function readRecordFile(file: string): { record: OwnershipRecord | string; hash: string } | undefined {
  const fd = openRecord(file);
  if (fd === undefined) return undefined;
  let bytes: Buffer;
  try {
    bytes = readFileSync(fd);
  } finally {
    closeSync(fd);
  }
  return { record: parseRecord(bytes.toString("utf8")), hash: sha256(bytes) };
}

/**
 * Opens a record for reading without following a symlink (`.slipway/` is committed, so a pull
 * request can put a link there); undefined when there is none. The write step refuses a link
 * before reading; this keeps any other reader from reading through one.
 */
function openRecord(file: string): number | undefined {
  try {
    return openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    if (code === "ELOOP") {
      const shown = relative(process.cwd(), file) || file;
      throw new ConflictError([
        diag("SW_WRITE_SYMLINK", `${shown} is a symbolic link; slipway never reads or writes through one`, {
          location: { file: shown, line: 1, col: 1 },
          hint: "Delete the link; restore the record from Git if it was a file. --force does not override this.",
        }),
      ]);
    }
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
 * The record file's content: `{ version: 1, files: { path: sha256 } }` as two-space JSON with a
 * trailing newline, `entries` ([path, sha256], sorted by path, unique) in order.
 */
export function ownershipText(entries: Iterable<readonly [string, string]>): string {
  return `${JSON.stringify({ version: 1, files: Object.fromEntries(entries) }, null, 2)}\n`;
}
