import { createHash } from "node:crypto";
import { ConflictError, diag } from "../diagnostics.js";

/** One file of the rendered tree: a POSIX path relative to the output root and its full content. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
  /** The component that produced it; used in conflict messages and budgets. */
  readonly owner: string;
}

export function sha256(content: string): string {
  return createHash("sha256").update(content).digest("hex");
}

/**
 * Collects files from many contributors and refuses a second writer for the same path:
 * components never edit each other's output, so two claims on one path is always a bug.
 */
export class FileSet implements Iterable<OutputFile> {
  readonly #files = new Map<string, OutputFile>();

  add(file: OutputFile): void {
    assertSafePath(file.path);
    const prev = this.#files.get(file.path);
    if (prev) {
      throw new ConflictError([
        diag("SW_RENDER_PATH_CONFLICT", `${file.path} is rendered by both ${prev.owner} and ${file.owner}`, {
          hint: "Two components claim the same output path; rename one Application or file.",
        }),
      ]);
    }
    this.#files.set(file.path, file);
  }

  get(path: string): OutputFile | undefined {
    return this.#files.get(path);
  }

  get size(): number {
    return this.#files.size;
  }

  /** Files in byte order of their paths: the one order every consumer sees. */
  sorted(): OutputFile[] {
    return [...this.#files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  [Symbol.iterator](): Iterator<OutputFile> {
    return this.sorted()[Symbol.iterator]();
  }
}

/** Output paths are relative, POSIX, and never climb out of the output root. */
export function assertSafePath(path: string): void {
  if (
    path === "" ||
    path.startsWith("/") ||
    path.includes("\\") ||
    path.includes("\0") ||
    path.split("/").some((s) => s === "" || s === "." || s === "..")
  ) {
    throw new Error(`unsafe output path: ${JSON.stringify(path)}`);
  }
}
