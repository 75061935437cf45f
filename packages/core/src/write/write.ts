import {
  closeSync,
  constants,
  copyFileSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmdirSync,
  rmSync,
  type Stats,
  statSync,
  unlinkSync,
} from "node:fs";
import { dirname, join, posix, relative, resolve, sep } from "node:path";
import { ConflictError, type Diagnostic, diag, InputError } from "../diagnostics.js";
import {
  assertSafePath,
  type OutputFile,
  RENDER_ROOTS,
  SLIPWAY_DIR,
  sha256,
  underRenderRoot,
} from "../render/files.js";
import {
  acquireLock,
  checkWritable,
  faultDiagnostic,
  isFault,
  locate,
  REAL_FS,
  removeStaleStaging,
  STAGING_PREFIX,
  type WriteFs,
} from "./faults.js";
import {
  OWNERSHIP_FILE,
  type OwnershipRecord,
  ownershipText,
  PENDING_OWNERSHIP_FILE,
  readOwnershipState,
} from "./ownership.js";

export type ChangeKind = "added" | "changed" | "deleted" | "unchanged";

export interface FileChange {
  readonly path: string;
  readonly kind: ChangeKind;
  /** Content on disk before; only with {@link WriteOptions.diff} (absent for `added`). */
  readonly before?: string;
  /** Content after; only with {@link WriteOptions.diff} (absent for `deleted`). */
  readonly after?: string;
}

export interface WriteOptions {
  /**
   * Overwrite or delete files a person edited, and overwrite files Slipway does not own.
   * Never overrides `SW_WRITE_SYMLINK`, `SW_WRITE_NOT_A_FILE` or `SW_WRITE_NOT_A_DIR`.
   * @default false
   */
  readonly force?: boolean;
  /** Compute the changes without touching the disk (`synth --check`, `--dry-run`). @default false */
  readonly dryRun?: boolean;
  /**
   * Keep the old and new content of every changed file in the result (for unified diffs).
   * Only meaningful with `dryRun`; memory then grows with the size of the change.
   * @default false
   */
  readonly diff?: boolean;
  /**
   * With `dryRun`, `"return"` lists conflicts in {@link WriteResult.conflicts} instead of throwing
   * them (`synth --check` reports every difference at once). Ignored when writing.
   * @default "throw"
   */
  readonly conflicts?: "throw" | "return";
  /**
   * `false`: count the changes (in {@link WriteResult.counts}) without listing them, and return
   * `changes` empty (a plain `synth` prints only the counts).
   * @default true
   */
  readonly listChanges?: boolean;
  /** @internal The filesystem calls that change the disk; tests inject faults through it. */
  readonly fs?: WriteFs;
}

export interface WriteResult {
  /** Added, changed and deleted files, sorted by path (unchanged files are only counted). */
  readonly changes: readonly FileChange[];
  /** How many files are added, changed and deleted (also when the changes are not listed). */
  readonly counts: Readonly<Record<Exclude<ChangeKind, "unchanged">, number>>;
  /** Files renamed into place (0 in a dry run). */
  readonly written: number;
  /** Files deleted (0 in a dry run). */
  readonly deleted: number;
  /** Rendered files already on disk with the same content. */
  readonly unchanged: number;
  /** Rendered files in all. */
  readonly files: number;
  /** Conflicts, sorted by path: only in a dry run with `conflicts: "return"`, else always empty. */
  readonly conflicts: readonly Diagnostic[];
  /**
   * The ownership record differs from what this run records (files adopted or forgotten, or an
   * interrupted run's record pending), even when no output file changes.
   */
  readonly recordChanged: boolean;
  /**
   * Warnings, sorted by path: `SW_WRITE_INTERRUPTED` (a previous run died while replacing the tree;
   * this run finished it) and `SW_WRITE_STALE_LOCK` (a killed run's lock was taken over).
   */
  readonly warnings: readonly Diagnostic[];
}

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/**
 * Writes a rendered tree into `outDir`: the only code in Slipway that changes the output tree.
 *
 * The contract: Slipway never overwrites or deletes a file it did not write, nor one a person has
 * edited since it wrote it, unless `force` is given.
 *
 * - **Streaming.** `files` is consumed once; of each file only its path, sha256 and writer are
 *   kept (and its content with `diff`). New content is staged under `.slipway/` (same filesystem
 *   as the tree) as it arrives: files for existing directories one by one, brand-new directories
 *   as whole subtrees that one rename moves into place.
 * - **All or nothing.** Conflicts are collected over the whole tree and thrown together as one
 *   {@link ConflictError}; an error thrown by the iterable (a render error) propagates. Either way
 *   the staging area is removed and the tree is byte-for-byte as before. Only when every file is
 *   known and conflict-free are staged files renamed into place (each rename is atomic).
 * - **Ownership record.** `.slipway/owned.json` (path → sha256, sorted) is replaced last, by
 *   renaming the next record over it. The next record is written before the first rename, so a
 *   run killed half-way leaves files that still count as Slipway's on the following run.
 * - **Adoption.** A file in the way whose content is identical to what Slipway renders is adopted
 *   silently (recorded as owned, not rewritten): nothing a person wrote can be lost, and a fresh
 *   clone or a lost record heals itself.
 * - **Deletes.** Owned files no longer rendered are deleted, then directories this emptied are
 *   removed up to the root; a directory still holding anything (an unowned file) is never removed.
 * - **Symlinks.** A path through a symlink, or a symlink where a file goes, is refused
 *   (`SW_WRITE_SYMLINK`): Slipway never writes or deletes through one, even with `force`. That
 *   includes its own files in `.slipway/` (committed, so a pull request can plant a link there):
 *   every file is created fresh (`O_EXCL`) in a new staging directory and renamed into place.
 * - **Roots.** Every rendered path and every path either record lists must lie under one of
 *   {@link RENDER_ROOTS}; the platform's inputs and a person's other files never do. A rendered
 *   path outside them is `SW_WRITE_UNSAFE_PATH`, a record entry `SW_WRITE_OWNERSHIP_TAMPERED`
 *   ({@link InputError}s, thrown before anything is written).
 *
 * - **Faults.** One writing run at a time (`.slipway/lock`; `SW_WRITE_LOCKED`, a dead holder's lock
 *   taken over with a warning). Permission and space errors are `SW_WRITE_PERMISSION` and
 *   `SW_WRITE_NO_SPACE`, found before the first rename where possible; a rename failing midway is
 *   rolled back. A kill is not: docs/security.md ("Faults during synth") lists what it leaves.
 *
 * Conflict codes: `SW_WRITE_UNOWNED` (a file Slipway did not write is in the way),
 * `SW_WRITE_EDITED` (an owned file, rendered or stale, was edited), `SW_WRITE_SYMLINK`,
 * `SW_WRITE_NOT_A_FILE` (a directory or special file where a file goes), `SW_WRITE_NOT_A_DIR`
 * (a file where a directory goes). Invalid paths are `SW_WRITE_UNSAFE_PATH` and
 * `SW_WRITE_DUPLICATE_PATH` ({@link InputError}, thrown at once); a corrupt record is
 * `SW_WRITE_OWNERSHIP_CORRUPT`, one listing a path outside the roots `SW_WRITE_OWNERSHIP_TAMPERED`.
 *
 * @example
 * const result = writeTree("out", session.files, { force: false });
 * console.log(result.changes.length, "files changed");
 */
export function writeTree(outDir: string, files: Iterable<OutputFile>, opts: WriteOptions = {}): WriteResult {
  const root = resolve(outDir);
  const fs = new TreeInspector(root);
  const conflicts = new ConflictList(root);

  const slipwayDir = fs.inspect(SLIPWAY_DIR);
  if (slipwayDir.kind === "symlink") conflicts.add("SW_WRITE_SYMLINK", SLIPWAY_DIR);
  else if (slipwayDir.kind === "file" || slipwayDir.kind === "other")
    conflicts.add("SW_WRITE_NOT_A_DIR", SLIPWAY_DIR);
  else if (slipwayDir.kind === "blocked") conflicts.add(slipwayDir.block, slipwayDir.at);
  else {
    // Read, then replaced by a rename: a link here would be read through, and its target kept.
    for (const own of [OWNERSHIP_FILE, PENDING_OWNERSHIP_FILE]) {
      const at = fs.inspect(own);
      if (at.kind === "symlink") conflicts.add("SW_WRITE_SYMLINK", own);
      else if (at.kind === "dir" || at.kind === "other") conflicts.add("SW_WRITE_NOT_A_FILE", own);
    }
  }
  conflicts.throwIfAny();

  const warnings: Diagnostic[] = [];
  const fsx = opts.fs ?? REAL_FS;
  const staging = new Staging(root, opts.dryRun === true, fsx);
  let committed = false;
  let release: (() => void) | undefined;
  try {
    if (opts.dryRun !== true) {
      // One writing run at a time; then whatever killed runs left in .slipway/ is this run's to clear.
      staging.prepare();
      release = acquireLock(root, warnings);
      removeStaleStaging(root);
    }
    const result = writeLocked(root, files, opts, fs, conflicts, staging, warnings);
    committed = staging.applied;
    return result;
  } catch (e) {
    committed = staging.applied;
    if (isFault(e)) {
      const path = e.path === undefined ? undefined : relative(root, e.path).split(sep).join("/");
      throw new ConflictError([
        faultDiagnostic(
          root,
          e,
          path === undefined || path.startsWith("..") ? undefined : path || ".",
          "Nothing was changed.",
        ),
      ]);
    }
    throw e;
  } finally {
    release?.();
    staging.dispose(committed);
  }
}

/** {@link writeTree} with the lock held (or in a dry run, which takes none). */
function writeLocked(
  root: string,
  files: Iterable<OutputFile>,
  opts: WriteOptions,
  fs: TreeInspector,
  conflicts: ConflictList,
  staging: Staging,
  warnings: Diagnostic[],
): WriteResult {
  const force = opts.force === true;
  const keepContent = opts.diff === true;
  const { owned, pending, recordHash } = readOwnershipState(root);
  if (pending !== undefined) {
    warnings.push(
      diag("SW_WRITE_INTERRUPTED", "a previous slipway run was interrupted while replacing the tree", {
        location: locate(root, PENDING_OWNERSHIP_FILE),
        hint:
          "Some files may be old and some new; every one still counts as slipway's. " +
          (opts.dryRun === true
            ? "Run 'slipway synth' to finish it."
            : "This run re-applies the whole tree."),
        severity: "warning",
      }),
    );
  }
  /** Content on disk is what Slipway last wrote there (per either record). */
  const isOwnedContent = (path: string, hash: string) =>
    owned.get(path) === hash || pending?.get(path) === hash;
  const isOwned = (path: string) => owned.has(path) || pending?.has(path) === true;

  /** Rendered path → its sha256 (hex) and the component that rendered it (named when another renders it too). */
  const next = new Map<string, { readonly hash: string; readonly owner: string }>();
  /** Every directory a rendered file lives in, to catch a path rendered as both file and directory. */
  const renderedDirs = new Set<string>();
  const changes: FileChange[] = [];
  const counts = { added: 0, changed: 0, deleted: 0 };
  const listChanges = opts.listChanges !== false;
  const note = (path: string, kind: keyof typeof counts, before?: string, after?: string) => {
    counts[kind]++;
    if (listChanges) changes.push(change(path, kind, before, after));
  };
  /** Rendered files whose parent chain is blocked by a regular file (resolved after deletes are known). */
  const blockedByFile: { path: string; at: string }[] = [];
  let unchanged = 0;
  for (const f of files) {
    assertSafePath(f);
    if (!underRenderRoot(f.path)) {
      throw new InputError([
        diag("SW_WRITE_UNSAFE_PATH", `output path ${JSON.stringify(f.path)} is outside the rendered roots`, {
          hint:
            `The component '${f.owner}' renders outside ${RENDER_ROOTS.map((r) => `${r}/`).join(", ")}; ` +
            "this is a bug in it (a new output directory is added to RENDER_ROOTS).",
        }),
      ]);
    }
    const earlier = next.get(f.path);
    const clash = earlier
      ? `${f.path} is rendered by both ${earlier.owner} and ${f.owner}`
      : renderedDirs.has(f.path)
        ? `${f.path} is rendered both as a file and as a directory`
        : undefined;
    if (clash !== undefined) {
      throw new InputError([
        diag("SW_WRITE_DUPLICATE_PATH", clash, {
          hint: `Every output path has one writer; '${f.owner}' renders a path already rendered.`,
        }),
      ]);
    }
    const hash = sha256(f.content);
    next.set(f.path, { hash, owner: f.owner });
    for (let d = posix.dirname(f.path); d !== "." && !renderedDirs.has(d); d = posix.dirname(d)) {
      renderedDirs.add(d);
      if (next.has(d)) {
        throw new InputError([
          diag("SW_WRITE_DUPLICATE_PATH", `${d} is rendered both as a file and as a directory`, {
            hint: `Every output path has one writer; '${f.owner}' renders ${f.path} inside the file ${d}.`,
          }),
        ]);
      }
    }
    const at = fs.inspect(f.path);
    let before: string | undefined;
    switch (at.kind) {
      case "blocked":
        if (at.block === "SW_WRITE_SYMLINK") {
          conflicts.add(at.block, at.at);
          continue;
        }
        // Fine if the file in the way is a stale owned one, deleted before this is renamed.
        blockedByFile.push({ path: f.path, at: at.at });
        note(f.path, "added", undefined, keepContent ? f.content : undefined);
        break;
      case "symlink":
        conflicts.add("SW_WRITE_SYMLINK", f.path);
        continue;
      case "dir":
      case "other":
        conflicts.add("SW_WRITE_NOT_A_FILE", f.path);
        continue;
      case "file": {
        const onDisk = readFileSync(join(root, f.path));
        const diskHash = sha256(onDisk);
        if (diskHash === hash) {
          unchanged++;
          continue;
        }
        if (!isOwned(f.path)) {
          if (!force) {
            conflicts.add("SW_WRITE_UNOWNED", f.path);
            continue;
          }
        } else if (!isOwnedContent(f.path, diskHash) && !force) {
          conflicts.add("SW_WRITE_EDITED", f.path);
          continue;
        }
        if (keepContent) before = onDisk.toString("utf8");
        note(f.path, "changed", before, keepContent ? f.content : undefined);
        break;
      }
      case "missing":
        note(f.path, "added", undefined, keepContent ? f.content : undefined);
        if (!conflicts.any) staging.stage(f, at.top);
        continue;
    }
    if (!conflicts.any) staging.stage(f, undefined, at.kind === "file");
  }

  // Owned files no longer rendered: delete them if they are still as Slipway wrote them.
  const stale: string[] = [];
  for (const path of previouslyOwned(owned, pending)) {
    if (next.has(path)) continue;
    const at = fs.inspect(path);
    if (at.kind === "blocked" && at.block === "SW_WRITE_SYMLINK") {
      conflicts.add("SW_WRITE_SYMLINK", at.at);
      continue;
    }
    if (at.kind === "symlink") {
      conflicts.add("SW_WRITE_SYMLINK", path);
      continue;
    }
    // Gone, or replaced by a directory: nothing of Slipway's left to delete; forget it.
    if (at.kind !== "file") continue;
    const onDisk = readFileSync(join(root, path));
    if (!isOwnedContent(path, sha256(onDisk)) && !force) {
      conflicts.add("SW_WRITE_EDITED", path, true);
      continue;
    }
    stale.push(path);
    note(path, "deleted", keepContent ? onDisk.toString("utf8") : undefined, undefined);
  }

  // A regular file where a directory must go is fine only when it is a stale file being deleted.
  const deleting = new Set(stale);
  for (const b of blockedByFile) if (!deleting.has(b.at)) conflicts.add("SW_WRITE_NOT_A_DIR", b.at);

  const returnConflicts = opts.dryRun === true && opts.conflicts === "return";
  if (!returnConflicts) conflicts.throwIfAny();
  changes.sort(byPath);
  const record = ownershipText([...next.keys()].sort().map((path) => [path, next.get(path)?.hash as string]));
  const result = {
    changes,
    counts,
    written: 0,
    deleted: 0,
    unchanged,
    files: next.size,
    conflicts: returnConflicts ? conflicts.sorted() : [],
    recordChanged: pending !== undefined || recordHash !== sha256(record),
    warnings: warnings.sort(byLocation),
  };
  if (opts.dryRun) return result;
  if (counts.added + counts.changed + counts.deleted === 0 && !result.recordChanged) return result;

  // Apply. A permission problem is found before anything changes.
  checkWritable(root, staging.targetDirs(stale));
  // From here on the ownership records keep every file attributable if the process dies.
  // Written fresh in the staging directory and renamed: never opened where a link could be.
  const pendingFile = staging.scratch("owned.next.json");
  writeNew(pendingFile, record, staging.fs);
  const written = staging.apply(stale, pendingFile);
  return { ...result, written, deleted: stale.length };
}

const byLocation = (a: Diagnostic, b: Diagnostic) => {
  const x = a.location?.file ?? "";
  const y = b.location?.file ?? "";
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Every path either record lists, each once: the committed record's, then the pending one's. */
function* previouslyOwned(owned: OwnershipRecord, pending: OwnershipRecord | undefined): Generator<string> {
  yield* owned.keys();
  if (pending === undefined) return;
  for (const path of pending.keys()) if (!owned.has(path)) yield path;
}

/**
 * Creates a file that must not exist yet: fails on anything already there, a symlink included
 * (`O_EXCL`; `O_NOFOLLOW` where the platform has it). Every file Slipway writes is new in a fresh
 * staging directory, so this only fails if something raced into it.
 */
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/** Writes `content` to a new file (see {@link CREATE_NEW}). */
function writeNew(file: string, content: string, fsx: WriteFs): void {
  const fd = openSync(file, CREATE_NEW);
  try {
    fsx.writeFileSync(fd, content);
  } finally {
    closeSync(fd);
  }
}

function change(
  path: string,
  kind: ChangeKind,
  before: string | undefined,
  after: string | undefined,
): FileChange {
  return {
    path,
    kind,
    ...(before !== undefined ? { before } : {}),
    ...(after !== undefined ? { after } : {}),
  };
}

/** Conflicts collected over a whole run, each path once, reported together. */
class ConflictList {
  readonly #seen = new Set<string>();
  readonly #list: { path: string; d: Diagnostic }[] = [];
  constructor(private readonly root: string) {}

  get any(): boolean {
    return this.#list.length > 0;
  }

  add(code: ConflictCode, path: string, stale = false): void {
    const key = `${code}\0${path}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    const [message, hint] = describe(code, path, stale);
    this.#list.push({ path, d: diag(code, message, { location: locate(this.root, path), hint }) });
  }

  sorted(): Diagnostic[] {
    return this.#list.sort(byPath).map((c) => c.d);
  }

  throwIfAny(): void {
    if (this.#list.length > 0) throw new ConflictError(this.sorted());
  }
}

type ConflictCode =
  | "SW_WRITE_UNOWNED"
  | "SW_WRITE_EDITED"
  | "SW_WRITE_SYMLINK"
  | "SW_WRITE_NOT_A_FILE"
  | "SW_WRITE_NOT_A_DIR";

function describe(code: ConflictCode, path: string, stale: boolean): [string, string] {
  switch (code) {
    case "SW_WRITE_UNOWNED":
      return [
        `${path} exists and was not written by slipway`,
        "Move the file away, or pass --force to let slipway overwrite it and own it from now on.",
      ];
    case "SW_WRITE_EDITED":
      return stale
        ? [
            `${path} is no longer rendered, but was edited since slipway wrote it`,
            "Delete or move it yourself, or pass --force to let slipway delete it.",
          ]
        : [
            `${path} was edited since slipway wrote it`,
            "Move the change into platform.yaml or services/*.yaml, or pass --force to overwrite it.",
          ];
    case "SW_WRITE_SYMLINK":
      return [
        `${path} is a symbolic link; slipway never writes or deletes through one`,
        "Replace the link with a real directory or file (or remove it); --force does not override this.",
      ];
    case "SW_WRITE_NOT_A_FILE":
      return [
        `${path} is a directory or special file where slipway writes a file`,
        "Move it away; --force does not override this.",
      ];
    case "SW_WRITE_NOT_A_DIR":
      return [
        `${path} is a file where slipway needs a directory`,
        "Move the file away; --force does not override this.",
      ];
  }
}

type Blocked = {
  readonly kind: "blocked";
  readonly block: "SW_WRITE_SYMLINK" | "SW_WRITE_NOT_A_DIR";
  /** The ancestor that is in the way. */
  readonly at: string;
};
/**
 * Nothing there. `top` is the outermost missing directory on the way (when the parent is
 * missing): a brand-new subtree, staged as a tree and moved into place with one rename.
 */
type Missing = { readonly kind: "missing"; readonly top?: string };
type Inspection = { readonly kind: "file" | "dir" | "symlink" | "other" } | Missing | Blocked;
type DirState = { readonly kind: "dir" } | Missing | Blocked;

/**
 * Answers "what is at this output path?" without following symlinks, caching what it learns
 * about directories so that a tree of thousands of files costs about one lstat per file and
 * directory. The filesystem under the root does not change while the tree is inspected (staging
 * happens under `.slipway/`), so forgetting a directory only costs its lstat again.
 */
class TreeInspector {
  readonly #dirs = new Map<string, DirState>();
  readonly #root: DirState;
  constructor(private readonly root: string) {
    let state: DirState;
    try {
      // The root itself may be a symlink (e.g. /tmp on macOS): the user named it.
      if (!statSync(root).isDirectory()) {
        throw new InputError([
          diag("SW_WRITE_NOT_A_DIR", `output root ${root} is not a directory`, {
            hint: "Pass --out with a directory (it is created when missing).",
          }),
        ]);
      }
      state = { kind: "dir" };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      state = { kind: "missing" };
    }
    this.#root = state;
  }

  inspect(path: string): Inspection {
    const parent = this.#dir(posix.dirname(path));
    if (parent.kind !== "dir") return parent;
    const st = this.#lstat(path);
    if (st === undefined) return { kind: "missing" };
    if (st.isSymbolicLink()) return { kind: "symlink" };
    return st.isFile() ? { kind: "file" } : st.isDirectory() ? { kind: "dir" } : { kind: "other" };
  }

  #dir(dir: string): DirState {
    if (dir === ".") return this.#root;
    const cached = this.#dirs.get(dir);
    if (cached !== undefined) return cached;
    const parent = this.#dir(posix.dirname(dir));
    let state: DirState;
    if (parent.kind === "missing") state = { kind: "missing", top: parent.top ?? dir };
    else if (parent.kind !== "dir") state = parent;
    else {
      const st = this.#lstat(dir);
      if (st === undefined) state = { kind: "missing", top: dir };
      else if (st.isSymbolicLink()) state = { kind: "blocked", block: "SW_WRITE_SYMLINK", at: dir };
      else if (st.isDirectory()) state = { kind: "dir" };
      else state = { kind: "blocked", block: "SW_WRITE_NOT_A_DIR", at: dir };
    }
    this.#dirs.set(dir, state);
    return state;
  }

  #lstat(path: string): Stats | undefined {
    try {
      return lstatSync(join(this.root, path));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return undefined;
      throw e;
    }
  }
}

/**
 * New content waiting to be renamed into place: flat numbered files in a fresh directory under
 * `.slipway/`, so staging costs no directory creation per output directory.
 *
 * {@link apply} keeps what it replaces in the same directory until the end (a hard link to each
 * original, the stale files moved there), so a rename failing midway is rolled back and the tree
 * is as before.
 */
class Staging {
  #dir: string | undefined;
  /** Files replacing or joining files in existing directories, staged flat as `<index>`. */
  readonly #paths: string[] = [];
  /** Staged file i replaces a file on disk (its original is kept as `o<i>` while applying). */
  readonly #replaces: boolean[] = [];
  /** New subtrees, staged as `tree/<path>` and renamed into place whole. */
  readonly #tops = new Set<string>();
  /** Directories of the staged tree known to exist (a cache; `mkdir -p` again is harmless). */
  readonly #treeDirs = new Set<string>();
  #treeFiles = 0;
  /** The first directory this run created for staging (the root or `.slipway`), if any. */
  #created: string | undefined;
  #prepared = false;
  /** The first change to the tree was made (the pending record renamed into place). */
  #applied = false;
  /** Rollback could not restore everything: the originals stay in the staging directory. */
  #keep = false;
  constructor(
    private readonly root: string,
    private readonly dryRun: boolean,
    readonly fs: WriteFs,
  ) {}

  get applied(): boolean {
    return this.#applied;
  }

  /** Makes `.slipway/` (and the root) if missing, remembering what it created. */
  prepare(): void {
    if (this.#prepared) return;
    this.#created = mkdirSync(join(this.root, SLIPWAY_DIR), { recursive: true });
    this.#prepared = true;
  }

  /**
   * The staging directory, made on first use: a fresh name (mkdtemp), so nothing can be planted in
   * it, holding the pid so that a later run can tell it was left by a run that was killed.
   */
  #ensure(): string {
    if (this.#dir === undefined) {
      this.prepare();
      this.#dir = mkdtempSync(join(this.root, SLIPWAY_DIR, `${STAGING_PREFIX}${process.pid}-`));
    }
    return this.#dir;
  }

  /** A path in the staging directory for a file of Slipway's own (not an output file). */
  scratch(name: string): string {
    return join(this.#ensure(), name);
  }

  /**
   * Writes the file to the staging area; `top` is the new directory it lives under, if any;
   * `replaces`: a file is at its path now.
   */
  stage(f: OutputFile, top?: string, replaces = false): void {
    const path = f.path;
    if (this.dryRun) return;
    const dir = this.#ensure();
    try {
      if (top === undefined) {
        const i = this.#paths.length;
        writeNew(join(dir, String(i)), f.content, this.fs);
        this.#paths.push(path);
        this.#replaces.push(replaces);
        return;
      }
      const parent = posix.dirname(path);
      if (!this.#treeDirs.has(parent)) {
        mkdirSync(join(dir, "tree", parent), { recursive: true });
        this.#treeDirs.add(parent);
      }
      writeNew(join(dir, "tree", path), f.content, this.fs);
    } catch (e) {
      // Where the fault happened, as the output path (the error names only the staging file).
      if (isFault(e)) throw new ConflictError([faultDiagnostic(this.root, e, path, "Nothing was changed.")]);
      throw e;
    }
    this.#tops.add(top);
    this.#treeFiles++;
  }

  #replacing(i: number): boolean {
    return this.#replaces[i] === true;
  }

  /** Every directory {@link apply} renames into or deletes from (with repeats). */
  *targetDirs(stale: readonly string[]): Generator<string> {
    yield SLIPWAY_DIR;
    for (const path of this.#paths) yield posix.dirname(path);
    for (const top of this.#tops) yield posix.dirname(top);
    for (const path of stale) yield posix.dirname(path);
  }

  /**
   * Replaces the tree: the pending record (`pendingFile`, staged) into place, stale files out,
   * staged files in, then the record. A failure midway is rolled back and thrown as a coded
   * {@link ConflictError} saying whether the tree is as before or which files are new.
   * Returns how many files were renamed into place.
   */
  apply(stale: readonly string[], pendingFile: string): number {
    const dir = this.#ensure();
    const root = this.root;
    const fsx = this.fs;
    let current = PENDING_OWNERSHIP_FILE;
    /** Progress, for the rollback: stale files moved out, flat files and subtrees moved in. */
    let moved = 0;
    let placed = 0;
    let topsPlaced = 0;
    let oldPending = false;
    const made = new Set<string>();
    try {
      // An interrupted run's record is kept aside: the rollback puts it back.
      oldPending = keep(join(root, PENDING_OWNERSHIP_FILE), join(dir, "pending.old"), false);
      fsx.renameSync(pendingFile, join(root, PENDING_OWNERSHIP_FILE));
      this.#applied = true;
      for (const path of stale) {
        current = path;
        fsx.renameSync(join(root, path), join(dir, `d${moved}`));
        moved++;
        pruneEmptyDirs(root, posix.dirname(path));
      }
      const place = (from: string, path: string) => {
        current = path;
        const parent = posix.dirname(path);
        // Usually there already; re-created when deleting stale files pruned it, or for a new root.
        if (parent !== "." && !made.has(parent)) {
          mkdirSync(join(root, parent), { recursive: true });
          made.add(parent);
        }
        fsx.renameSync(from, join(root, path));
      };
      for (const path of this.#paths) {
        if (this.#replacing(placed)) keep(join(root, path), join(dir, `o${placed}`), true);
        place(join(dir, String(placed)), path);
        placed++;
      }
      for (const top of this.#tops) {
        place(join(dir, "tree", top), top);
        topsPlaced++;
      }
      current = OWNERSHIP_FILE;
      fsx.renameSync(join(root, PENDING_OWNERSHIP_FILE), join(root, OWNERSHIP_FILE));
    } catch (e) {
      const failed = this.#rollback(stale, moved, placed, topsPlaced, oldPending);
      if (!isFault(e) && failed.length === 0) throw e;
      const outcome =
        failed.length === 0
          ? "Nothing was changed: every file already replaced was put back."
          : `Could not put back ${failed.length} file(s), now new (or deleted, if no longer rendered): ${failed.slice(0, 20).join(", ")}` +
            `${failed.length > 20 ? ", …" : ""}; every other file is as before. Their old content is in ` +
            `${relative(process.cwd(), dir) || dir} until the next synth; ${PENDING_OWNERSHIP_FILE} keeps them slipway's.`;
      if (isFault(e)) throw new ConflictError([faultDiagnostic(root, e, current, outcome)]);
      throw new ConflictError([
        diag("SW_WRITE_FAILED", `${current}: ${(e as Error).message}`, {
          location: locate(root, current),
          hint: outcome,
        }),
      ]);
    }
    return this.#paths.length + this.#treeFiles;
  }

  /** Undoes what {@link apply} did, newest first; returns the paths it could not restore. */
  #rollback(
    stale: readonly string[],
    moved: number,
    placed: number,
    tops: number,
    oldPending: boolean,
  ): string[] {
    const dir = this.#dir as string;
    const root = this.root;
    const failed: string[] = [];
    const undo = (path: string, step: () => void) => {
      try {
        step();
      } catch {
        failed.push(path);
      }
    };
    let t = 0;
    for (const top of this.#tops) {
      if (t++ >= tops) break;
      undo(top, () => {
        this.fs.renameSync(join(root, top), join(dir, "tree", top));
        pruneEmptyDirs(root, posix.dirname(top));
      });
    }
    for (let i = placed - 1; i >= 0; i--) {
      const path = this.#paths[i] as string;
      undo(path, () => {
        if (this.#replacing(i)) this.fs.renameSync(join(dir, `o${i}`), join(root, path));
        else {
          unlinkSync(join(root, path));
          pruneEmptyDirs(root, posix.dirname(path));
        }
      });
    }
    for (let i = moved - 1; i >= 0; i--) {
      const path = stale[i] as string;
      undo(path, () => {
        mkdirSync(join(root, posix.dirname(path)), { recursive: true });
        try {
          this.fs.renameSync(join(dir, `d${i}`), join(root, path));
        } catch (e) {
          pruneEmptyDirs(root, posix.dirname(path));
          throw e;
        }
      });
    }
    if (failed.length > 0) {
      // Some files are new: the pending record must stay, so the next run knows them as slipway's.
      this.#keep = true;
      return failed;
    }
    undo(PENDING_OWNERSHIP_FILE, () => {
      if (oldPending) this.fs.renameSync(join(dir, "pending.old"), join(root, PENDING_OWNERSHIP_FILE));
      else if (this.#applied) unlinkSync(join(root, PENDING_OWNERSHIP_FILE));
    });
    if (failed.length > 0) this.#keep = true;
    else this.#applied = false;
    return failed;
  }

  /** Removes the staging directory; without a commit, also the directories created for it. */
  dispose(committed: boolean): void {
    if (this.#dir !== undefined && !this.#keep) rmSync(this.#dir, { recursive: true, force: true });
    if (committed || this.#keep || this.#created === undefined) return;
    // Remove the directories created for staging, innermost first, each only if empty.
    let dir = join(this.root, SLIPWAY_DIR);
    for (;;) {
      try {
        rmdirSync(dir);
      } catch {
        return;
      }
      if (dir === this.#created) return;
      dir = dirname(dir);
    }
  }
}

/**
 * Keeps the file at `from` as `to` (a hard link; a copy where links are not supported) without
 * touching `from`; false when there is none (and `required` is false).
 */
function keep(from: string, to: string, required: boolean): boolean {
  try {
    linkSync(from, to);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && !required) return false;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EXDEV") throw e;
    copyFileSync(from, to);
  }
  return true;
}

/** Removes directories left empty by a deletion, up to (not including) the output root. */
function pruneEmptyDirs(root: string, rel: string): void {
  let dir = rel;
  while (dir !== "." && dir !== "" && dir !== SLIPWAY_DIR) {
    try {
      rmdirSync(join(root, dir)); // fails unless empty: never removes anything a person put there
    } catch {
      return;
    }
    dir = posix.dirname(dir);
  }
}
