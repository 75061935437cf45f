import { hash } from "node:crypto";
import { diag, InputError } from "../diagnostics.js";

/** One file of the rendered tree: a POSIX path relative to the output root and its full content. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
  /** The component that produced it; used in conflict messages and budgets. */
  readonly owner: string;
}

/** Hex SHA-256 of file content: the ownership record's and the provisioning Job names' hash. */
export function sha256(content: string | Buffer): string {
  return hash("sha256", content, "hex");
}

/** Slipway's own directory in the output root; rendered paths may never point into it. */
export const SLIPWAY_DIR = ".slipway";

/**
 * The directories Slipway renders into, relative to the output root. Every rendered path and every
 * entry of the ownership record lies under one of them; the platform's inputs (`platform.yaml`,
 * `services/*.yaml`) and whatever else a person keeps in the repository never do, so no record, not
 * even one a pull request edited, can make the write step delete or overwrite them. A component
 * that renders somewhere new adds its directory here.
 */
export const RENDER_ROOTS = [
  "argocd",
  "backstage/catalog",
  "cloudflare/terraform",
  "identity/terraform",
  "k8s",
  "vault/terraform",
] as const;

/** Whether `path` (a safe output path, see {@link unsafeOutputPath}) lies under a {@link RENDER_ROOTS} entry. */
export function underRenderRoot(path: string): boolean {
  return RENDER_ROOTS.some((root) => path.startsWith(root) && path[root.length] === "/");
}

const NAME_MAX_BYTES = 255;
const PATH_MAX_CHARS = 1024;

/** The usual rendered path, checked in one step: segments that cannot be `.`, `..` or `.slipway`. */
const COMMON_SAFE_PATH = /^[\w-][\w.-]*(?:\/[\w-][\w.-]*)*$/;

/**
 * Why an output path is not acceptable, or undefined when it is: relative, POSIX, no `.`/`..`
 * segments, no NUL or backslash, and never inside Slipway's own `.slipway/` directory.
 */
export function unsafeOutputPath(path: string): string | undefined {
  // Filesystems refuse longer names (ENAMETOOLONG); a rendered path never comes near them.
  if (path.length > PATH_MAX_CHARS || path.split("/").some((s) => Buffer.byteLength(s) > NAME_MAX_BYTES))
    return `must have segments of at most ${NAME_MAX_BYTES} bytes and at most ${PATH_MAX_CHARS} characters in all`;
  if (COMMON_SAFE_PATH.test(path)) return undefined;
  if (path === "" || path.startsWith("/")) return "must be a relative path";
  if (path.includes("\\") || path.includes("\0")) return "must be a POSIX path without NUL";
  const segs = path.split("/");
  if (segs.some((s) => s === "" || s === "." || s === ".."))
    return "must not contain empty, '.' or '..' segments";
  if (segs[0] === SLIPWAY_DIR) return `must not point into ${SLIPWAY_DIR}/`;
  return undefined;
}

/**
 * Throws `SW_WRITE_UNSAFE_PATH` ({@link InputError}) for a file whose path {@link unsafeOutputPath}
 * refuses. Render checks every file it yields, so check and budget never see such a path either;
 * writeTree checks again for files that did not come from render.
 */
export function assertSafePath(f: OutputFile): void {
  const bad = unsafeOutputPath(f.path);
  if (bad === undefined) return;
  throw new InputError([
    diag("SW_WRITE_UNSAFE_PATH", `output path ${JSON.stringify(f.path)} ${bad}`, {
      hint: `The component '${f.owner}' renders a path outside the output tree; this is a bug in it.`,
    }),
  ]);
}
