import { createHash } from "node:crypto";
import { closeSync, constants, openSync, readFileSync, readSync } from "node:fs";
import { join, relative } from "node:path";
import { ConflictError, type Diagnostic, diag, InputError } from "../diagnostics.js";
import { RENDER_ROOTS, underRenderRoot, unsafeOutputPath } from "../render/files.js";
import { DigestPool } from "./digests.js";
import { PathSet } from "./paths.js";

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

/** A record as the write step reads it: path → sha256, packed (see {@link PackedRecord}). */
export interface OwnershipRecord {
  has(path: string): boolean;
  /** The recorded sha256 (hex) of `path`, or undefined. */
  hashOf(path: string): string | undefined;
  /** The recorded paths, in the record's order. */
  paths(): Iterable<string>;
}

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
  for (const p of owned.paths()) files[p] = owned.hashOf(p) as string;
  return { version: 1, files };
}

/**
 * @internal Reads both records; used by the write step. The record of a large tree (43,000
 * files at 5000 services, ~5 MiB of JSON) is read in 64 KiB pieces into a packed table: read
 * whole and parsed, it cost a rerun ~20 MiB more than a first run.
 */
export function readOwnershipState(outDir: string): OwnershipState {
  const file = join(outDir, OWNERSHIP_FILE);
  const display = (f: string) => relative(process.cwd(), f) || f;
  const read = readRecordFile(file);
  let owned: OwnershipRecord = new PackedRecord();
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
  for (const path of record.paths()) {
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

/** Path → sha256 in a {@link PathSet} and a {@link DigestPool}: ~100 bytes an entry, off the heap. */
class PackedRecord implements OwnershipRecord {
  readonly #paths = new PathSet();
  readonly #digests = new DigestPool();

  /** Adds an entry; false when the path is already there (a record lists each path once). */
  add(path: string, hash: string): boolean {
    if (!this.#paths.add(path).added) return false;
    this.#digests.addHex(hash);
    return true;
  }

  has(path: string): boolean {
    return this.#paths.has(path);
  }

  hashOf(path: string): string | undefined {
    const i = this.#paths.indexOf(path);
    return i < 0 ? undefined : this.#digests.hex(i);
  }

  *paths(): Generator<string> {
    for (let i = 0; i < this.#paths.size; i++) yield this.#paths.path(i);
  }
}

/**
 * The record file, or undefined when there is none: its entries (or why it is not a record) and
 * the sha256 of its bytes. The layout {@link ownershipChunks} writes is read line by line; any
 * other layout of valid JSON (a record edited by hand) is parsed whole.
 */
function readRecordFile(file: string): { record: PackedRecord | string; hash: string } | undefined {
  const fd = openRecord(file);
  if (fd === undefined) return undefined;
  const hasher = createHash("sha256");
  const lines = new RecordLines();
  try {
    const buffer = Buffer.allocUnsafe(64 * 1024);
    let carry = "";
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      hasher.update(buffer.subarray(0, n));
      // Split on newline bytes only, so a multi-byte character never straddles two pieces.
      let start = 0;
      for (let nl = buffer.indexOf(10, start); nl !== -1 && nl < n; nl = buffer.indexOf(10, start)) {
        lines.push(carry + buffer.toString("utf8", start, nl));
        carry = "";
        start = nl + 1;
      }
      carry += buffer.toString("utf8", start, n);
    }
    lines.end(carry);
  } finally {
    closeSync(fd);
  }
  const hash = hasher.digest("hex");
  if (lines.record !== undefined) return { record: lines.record, hash };
  const text = readText(file) ?? "";
  const parsed = parseRecord(text);
  if (typeof parsed === "string") return { record: parsed, hash };
  const record = new PackedRecord();
  for (const [p, h] of parsed) record.add(p, h);
  return { record, hash };
}

const RECORD_HEAD = ["{", '  "version": 1,', '  "files": {'];
const RECORD_ENTRY = /^ {4}("(?:[^"\\]|\\.)*"): "([0-9a-f]{64})"(,?)$/;

/**
 * Recognizes the record's own layout a line at a time. `record` is the result, or undefined when
 * the text is laid out any other way (which the caller then parses as JSON).
 */
class RecordLines {
  #line = 0;
  #record: PackedRecord | undefined = new PackedRecord();
  /** Where the next line is: among the entries, before the closing `}`, or past it. */
  #at: "entries" | "close" | "done" = "entries";
  /** The last entry had a trailing comma: another must follow. */
  #more = false;

  get record(): PackedRecord | undefined {
    return this.#record;
  }

  push(line: string): void {
    if (this.#record === undefined) return;
    const n = this.#line++;
    if (n < RECORD_HEAD.length) {
      if (n === RECORD_HEAD.length - 1 && line === '  "files": {}')
        this.#at = "close"; // empty record
      else if (line !== RECORD_HEAD[n]) this.#record = undefined;
      return;
    }
    if (this.#at === "entries") {
      const m = RECORD_ENTRY.exec(line);
      if (m !== null) {
        const [, quoted, hash, comma] = m as unknown as [string, string, string, string];
        if (n > RECORD_HEAD.length && !this.#more) this.#record = undefined;
        const path = quoted.includes("\\") ? (JSON.parse(quoted) as string) : quoted.slice(1, -1);
        if (unsafeOutputPath(path) !== undefined || !this.#record?.add(path, hash)) this.#record = undefined;
        this.#more = comma === ",";
      } else if (line === "  }" && !this.#more) this.#at = "close";
      else this.#record = undefined;
      return;
    }
    if (this.#at === "close" && line === "}") this.#at = "done";
    else this.#record = undefined;
  }

  /** The text after the last newline: nothing, for a record written by Slipway. */
  end(rest: string): void {
    if (rest !== "" || this.#at !== "done") this.#record = undefined;
  }
}

function readText(file: string): string | undefined {
  const fd = openRecord(file);
  if (fd === undefined) return undefined;
  try {
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
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
