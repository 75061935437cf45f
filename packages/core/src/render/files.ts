import { createHash } from "node:crypto";

/** One file of the rendered tree: a POSIX path relative to the output root and its full content. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
  /** The component that produced it; used in conflict messages and budgets. */
  readonly owner: string;
}

/** Hex SHA-256 of file content: the ownership record's and the provisioning Job names' hash. */
export function sha256(content: string | Buffer): string {
  return createHash("sha256").update(content).digest("hex");
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
