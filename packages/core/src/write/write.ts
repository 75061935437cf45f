import { createHash } from "node:crypto";
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { ConflictError, type Diagnostic, diag } from "../diagnostics.js";
import type { OutputFile } from "../render/files.js";
import { OWNERSHIP_FILE, readOwnership, serializeOwnership } from "./ownership.js";

export type ChangeKind = "added" | "changed" | "deleted" | "unchanged";

export interface FileChange {
  readonly path: string;
  readonly kind: ChangeKind;
}

export interface WriteOptions {
  /** Overwrite or delete files a person edited, and overwrite files Slipway does not own. */
  readonly force?: boolean;
  /** Compute the changes without touching the disk (`synth --check`, `--dry-run`). */
  readonly dryRun?: boolean;
}

export interface WriteResult {
  readonly changes: readonly FileChange[];
  readonly written: number;
  readonly deleted: number;
  readonly unchanged: number;
}

function hash(content: string | Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

function readIfExists(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw e;
  }
}

/**
 * The only code that touches the output tree. Files are staged in a temporary directory inside
 * `outDir` (same filesystem), then renamed into place; the ownership record is written last.
 * Nothing is changed when any conflict is found: unowned files in the way, or owned files a
 * person edited since Slipway wrote them.
 */
export function writeTree(outDir: string, files: Iterable<OutputFile>, opts: WriteOptions = {}): WriteResult {
  const owned = readOwnership(outDir).files;
  const next = new Map<string, string>();
  const changes: FileChange[] = [];
  const conflicts: Diagnostic[] = [];
  const staging = join(outDir, `.slipway-tmp-${process.pid}`);
  const staged: string[] = [];
  let unchanged = 0;

  try {
    for (const f of files) {
      const h = hash(f.content);
      next.set(f.path, h);
      const target = join(outDir, f.path);
      const onDisk = readIfExists(target);
      if (onDisk !== undefined) {
        const diskHash = hash(onDisk);
        if (diskHash === h) {
          unchanged++;
          continue;
        }
        const ownedHash = owned[f.path];
        if (ownedHash === undefined && !opts.force) {
          conflicts.push(
            diag("SW_WRITE_UNOWNED", `${f.path} exists and was not written by slipway`, {
              hint: "Move the file away, or pass --force to let slipway take it over.",
            }),
          );
          continue;
        }
        if (ownedHash !== undefined && ownedHash !== diskHash && !opts.force) {
          conflicts.push(
            diag("SW_WRITE_EDITED", `${f.path} was edited since slipway wrote it`, {
              hint: "Move the change into platform.yaml or services/*.yaml, or pass --force to overwrite it.",
            }),
          );
          continue;
        }
        changes.push({ path: f.path, kind: "changed" });
      } else {
        changes.push({ path: f.path, kind: "added" });
      }
      if (!opts.dryRun) {
        const tmp = join(staging, f.path);
        mkdirSync(dirname(tmp), { recursive: true });
        writeFileSync(tmp, f.content);
        staged.push(f.path);
      }
    }

    const stale: string[] = [];
    for (const [path, ownedHash] of Object.entries(owned)) {
      if (next.has(path)) continue;
      const onDisk = readIfExists(join(outDir, path));
      if (onDisk === undefined) continue;
      if (hash(onDisk) !== ownedHash && !opts.force) {
        conflicts.push(
          diag("SW_WRITE_EDITED", `${path} is no longer rendered but was edited since slipway wrote it`, {
            hint: "Delete or move it yourself, or pass --force to let slipway delete it.",
          }),
        );
        continue;
      }
      stale.push(path);
      changes.push({ path, kind: "deleted" });
    }

    if (conflicts.length > 0) throw new ConflictError(conflicts);
    changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    if (opts.dryRun) return { changes, written: 0, deleted: 0, unchanged };

    for (const p of staged) {
      const target = join(outDir, p);
      mkdirSync(dirname(target), { recursive: true });
      renameSync(join(staging, p), target);
    }
    for (const p of stale) {
      unlinkSync(join(outDir, p));
      pruneEmptyDirs(outDir, dirname(p));
    }
    const record = join(outDir, OWNERSHIP_FILE);
    mkdirSync(dirname(record), { recursive: true });
    writeFileSync(`${record}.tmp`, serializeOwnership(next));
    renameSync(`${record}.tmp`, record);
    return { changes, written: staged.length, deleted: stale.length, unchanged };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Removes directories left empty by a deletion, up to (not including) the output root. */
function pruneEmptyDirs(root: string, rel: string): void {
  let dir = rel;
  while (dir !== "." && dir !== "") {
    const abs = join(root, dir);
    try {
      if (readdirSync(abs).length > 0) return;
      rmdirSync(abs);
    } catch {
      return;
    }
    dir = dirname(dir);
  }
}
