import {
  accessSync,
  closeSync,
  constants,
  linkSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join, posix, relative } from "node:path";
import { ConflictError, type Diagnostic, diag, type SourceLocation } from "../diagnostics.js";
import type { ErrorCode } from "../errors.js";
import { SLIPWAY_DIR } from "../render/files.js";

/**
 * @internal The filesystem calls through which the write step changes the disk. The real `node:fs`
 * by default; tests replace one to inject a fault (`EACCES` on the third rename, `ENOSPC` on a
 * write) that running as root in CI cannot produce with `chmod`.
 */
export interface WriteFs {
  renameSync(from: string, to: string): void;
  writeFileSync(fd: number, data: string): void;
}

export const REAL_FS: WriteFs = {
  renameSync,
  writeFileSync: (fd, data) => writeFileSync(fd, data),
};

/** The lock a writing run holds in `.slipway/`; never committed (`slipway init`'s .gitignore). */
const LOCK_FILE = `${SLIPWAY_DIR}/lock`;
/** Staging directories: `.slipway/staging-<pid>-<random>`; the pid tells whether its run is alive. */
export const STAGING_PREFIX = "staging-";
/** What a killed run can leave in `.slipway/`: its staging directory and its half-taken lock. */
const LEFTOVER = /^(?:staging-(\d+)-[A-Za-z0-9]{6}|lock\.(\d+))$/;
/**
 * Staging directories of Slipway before the write lock: `.slipway/staging-<random>` (no pid) and
 * `.slipway-tmp-<pid>` in the output root. Those runs never held the lock, so one might still be
 * writing: a pid-less directory is removed only once untouched for {@link OLD_STAGING_AGE_MS}.
 */
const OLD_LEFTOVER = /^staging-[A-Za-z0-9]{6}$/;
const OLD_ROOT_LEFTOVER = /^\.slipway-tmp-(\d+)$/;
const OLD_STAGING_AGE_MS = 60 * 60 * 1000;

/** Where a diagnostic about the output path `path` (a whole file, not a position in it) points. */
export function locate(root: string, path: string): SourceLocation {
  const abs = join(root, path);
  return { file: relative(process.cwd(), abs) || abs, line: 1, col: 1 };
}

/** Whether process `pid` is running (on this machine); a process of another user counts. */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes `.slipway/lock` for this run, so two writing runs never interleave. The lock holds
 * `<pid> <start>` from the moment it exists: written to `.slipway/lock.<pid>` (created
 * `O_EXCL | O_NOFOLLOW`), then hard-linked to `lock`, which fails if any lock (or link) is there.
 * Held by a running process: `SW_WRITE_LOCKED` ({@link ConflictError}, exit 1) naming it. Held by a
 * process that is gone (killed): taken over, with a `SW_WRITE_STALE_LOCK` warning. `.slipway/`
 * must exist.
 */
export function acquireLock(root: string, warnings: Diagnostic[]): () => void {
  const file = join(root, LOCK_FILE);
  const mine = `${file}.${process.pid}`;
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
  rmSync(mine, { force: true }); // left by a killed run of a process with this pid
  const fd = openSync(mine, flags, 0o644);
  try {
    writeFileSync(fd, `${process.pid} ${new Date().toISOString()}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(mine, file);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw e;
      }
      const holder = lockHolder(file);
      if (holder === "link") {
        throw new ConflictError([
          diag("SW_WRITE_SYMLINK", `${LOCK_FILE} is a symbolic link; slipway never writes through one`, {
            location: locate(root, LOCK_FILE),
            hint: "Delete the link (the lock is never committed); --force does not override this.",
          }),
        ]);
      }
      if (holder === "special") {
        throw new ConflictError([
          diag("SW_WRITE_NOT_A_FILE", `${LOCK_FILE} is not a regular file`, {
            location: locate(root, LOCK_FILE),
            hint: "Delete it (the lock is never committed and only slipway creates it); --force does not override this.",
          }),
        ]);
      }
      if (holder !== undefined && alive(holder.pid)) {
        throw new ConflictError([
          diag(
            "SW_WRITE_LOCKED",
            `another slipway run (pid ${holder.pid}, started ${holder.started}) is writing this tree`,
            {
              location: locate(root, LOCK_FILE),
              hint: `Wait for it to finish and run again. If no such run exists, delete ${LOCK_FILE}.`,
            },
          ),
        ]);
      }
      const who =
        holder === undefined ? "an unreadable lock" : `pid ${holder.pid}, started ${holder.started}`;
      warnings.push(
        diag("SW_WRITE_STALE_LOCK", `took over the lock of a run that is gone (${who})`, {
          location: locate(root, LOCK_FILE),
          hint: "A previous run was killed; this run checks and finishes what it left.",
          severity: "warning",
        }),
      );
      unlinkSync(file);
    }
  } finally {
    unlinkSync(mine);
  }
  return () => {
    try {
      unlinkSync(file);
    } catch {
      // Already gone: nothing to release.
    }
  };
}

/** Who holds the lock: its pid and start, "link", "special" (not a file), or undefined when it cannot be read. */
function lockHolder(file: string): { pid: number; started: string } | "link" | "special" | undefined {
  try {
    const st = lstatSync(file);
    if (st.isSymbolicLink()) return "link";
    // A FIFO would block the read below; a directory cannot be taken over by unlinking it.
    if (!st.isFile()) return "special";
    const [pid, started] = readFileSync(file, "utf8").trim().split(" ");
    const n = Number(pid);
    return Number.isSafeInteger(n) && n > 0 ? { pid: n, started: started ?? "?" } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes what runs that were killed left: `.slipway/staging-<pid>-*` (and `lock.<pid>`) whose pid
 * is not running, or is this process (an earlier call in a long-running process, the scaffold's
 * server; this run's own is made later). Called with the lock held. Older Slipway's leftovers:
 * `.slipway-tmp-<pid>` in the root once its pid is gone, `.slipway/staging-<random>` once it is an
 * hour old (`now`, for tests).
 */
export function removeStaleStaging(root: string, now: number = Date.now()): void {
  const remove = (dir: string, name: string) => rmSync(join(dir, name), { recursive: true, force: true });
  const dir = join(root, SLIPWAY_DIR);
  for (const name of names(dir)) {
    const m = LEFTOVER.exec(name);
    if (m !== null) {
      const pid = Number(m[1] ?? m[2]);
      if (pid === process.pid || !alive(pid)) remove(dir, name);
    } else if (OLD_LEFTOVER.test(name) && now - modified(join(dir, name)) > OLD_STAGING_AGE_MS) {
      remove(dir, name);
    }
  }
  for (const name of names(root)) {
    const m = OLD_ROOT_LEFTOVER.exec(name);
    if (m !== null && !alive(Number(m[1])) && lstatSync(join(root, name)).isDirectory()) remove(root, name);
  }
}

function names(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Last modification of `path` (not followed if a link); now when it cannot be read, so it is kept. */
function modified(path: string): number {
  try {
    return lstatSync(path).mtimeMs;
  } catch {
    return Date.now();
  }
}

/**
 * Finds a permission problem before anything changes: every directory a file is renamed into,
 * created in or deleted from (`dirs`, output-relative; a missing one stands for its nearest
 * existing ancestor) must be writable. Throws {@link ConflictError} `SW_WRITE_PERMISSION`.
 */
export function checkWritable(root: string, dirs: Iterable<string>): void {
  // Each directory (and each missing one's ancestors) is checked once.
  const checked = new Set<string>();
  const problems: Diagnostic[] = [];
  for (const start of dirs) {
    for (let dir = start; !checked.has(dir); dir = posix.dirname(dir)) {
      checked.add(dir);
      try {
        accessSync(join(root, dir), constants.W_OK);
        break;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "ENOENT" && dir !== ".") continue;
        if (code === "ENOENT" || code === "ENOTDIR") break; // the root is created; a file in the way is a conflict
        problems.push(faultDiagnostic(root, e as NodeJS.ErrnoException, dir, "Nothing was changed."));
        break;
      }
    }
  }
  if (problems.length > 0) throw new ConflictError(problems);
}

/** The errno codes the write step reports as coded errors rather than internal errors. */
const FAULTS: Readonly<Record<string, readonly [code: ErrorCode, what: string, fix: string]>> = {
  EACCES: ["SW_WRITE_PERMISSION", "permission denied", "Make it writable by the user running slipway"],
  EPERM: ["SW_WRITE_PERMISSION", "operation not permitted", "Make it writable by the user running slipway"],
  EROFS: ["SW_WRITE_PERMISSION", "read-only filesystem", "Run slipway where the tree is writable"],
  ENOSPC: ["SW_WRITE_NO_SPACE", "no space left on device", "Free space on the filesystem holding the tree"],
  EDQUOT: ["SW_WRITE_NO_SPACE", "disk quota exceeded", "Free space within your quota"],
  EISDIR: ["SW_WRITE_NOT_A_FILE", "is a directory", "Move the directory away"],
  ENOTDIR: ["SW_WRITE_NOT_A_DIR", "is not a directory", "Move the file away"],
};

/** Whether `e` is a filesystem fault {@link faultDiagnostic} describes. */
export function isFault(e: unknown): e is NodeJS.ErrnoException {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return e instanceof Error && code !== undefined && Object.hasOwn(FAULTS, code);
}

/**
 * A fault as a located diagnostic: its code, the output path it happened at (`path`, relative to
 * the root; the staging area when the error names none), and a hint ending in what was changed.
 */
export function faultDiagnostic(
  root: string,
  e: NodeJS.ErrnoException,
  path: string | undefined,
  outcome: string,
): Diagnostic {
  const [code, what, fix] = FAULTS[e.code as string] ?? [
    "SW_WRITE_FAILED",
    e.code ?? "error",
    "Fix the cause",
  ];
  const where = path ?? SLIPWAY_DIR;
  return diag(
    code,
    `${where === "." ? "the output root" : where}: ${what} (${e.code}, ${e.syscall ?? "write"})`,
    {
      location: locate(root, where),
      hint: `${fix}, then run 'slipway synth' again. ${outcome}`,
    },
  );
}
