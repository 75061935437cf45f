import { diag, internalError } from "@slipway/core/lite";

/** One file of a generated repository. Paths are POSIX, relative, and never leave the root. */
export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
  /** Unix mode; only set for executables (`0o755`). Absent means `0o644`. */
  readonly mode?: number;
}

const SEGMENT = /^[A-Za-z0-9_.@+=,-]+$/;

/**
 * Why a path is unsafe, or undefined when it is safe. Archive writers and the scaffold service
 * depend on this: a generated path can never be absolute, contain `..`, or hold odd characters.
 */
export function unsafePathReason(path: string): string | undefined {
  if (path === "") return "empty path";
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) return "absolute path";
  if (path.includes("\\")) return "backslash in path";
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") return "empty or '.' segment";
    if (seg === "..") return "'..' segment";
    if (!SEGMENT.test(seg)) return `unsupported characters in segment ${JSON.stringify(seg)}`;
  }
  return undefined;
}

/** Collects files; an unsafe path or a second file at the same path is a bug in a preset, so it throws. */
export class FileCollector {
  readonly #files = new Map<string, GeneratedFile>();

  add(file: GeneratedFile): void {
    const reason = unsafePathReason(file.path);
    if (reason !== undefined) {
      throw internalError([
        diag("SW_PRESET_UNSAFE_PATH", `generated path ${JSON.stringify(file.path)} is unsafe: ${reason}`),
      ]);
    }
    if (this.#files.has(file.path)) {
      throw internalError([diag("SW_PRESET_DUPLICATE_FILE", `two contributors generated ${file.path}`)]);
    }
    this.#files.set(file.path, file);
  }

  /** Files sorted by path (code-unit order), so output never depends on contributor order. */
  sorted(): GeneratedFile[] {
    return [...this.#files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}

/** A regular file. */
export function textFile(path: string, content: string): GeneratedFile {
  return { path, content };
}

/** An executable file (`0o755`). */
export function executableFile(path: string, content: string): GeneratedFile {
  return { path, content, mode: 0o755 };
}
