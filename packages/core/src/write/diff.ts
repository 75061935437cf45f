import { FILE_HEADERS_ONLY, formatPatch, structuredPatch } from "diff";
import type { FileChange } from "./write.js";

/**
 * Formats one change as a git-style unified diff (`--- a/path`, `+++ b/path`, `/dev/null` for
 * added and deleted files), from a change that carries its content (`writeTree(…, { dryRun: true,
 * diff: true })`). Returns "" for a change without content or without a textual difference.
 *
 * @example
 * for (const c of result.changes) process.stdout.write(formatUnifiedDiff(c));
 */
export function formatUnifiedDiff(change: FileChange, context = 3): string {
  const before = change.before ?? "";
  const after = change.after ?? "";
  if (before === after) return "";
  const oldName = change.kind === "added" ? "/dev/null" : `a/${change.path}`;
  const newName = change.kind === "deleted" ? "/dev/null" : `b/${change.path}`;
  const patch = structuredPatch(oldName, newName, before, after, undefined, undefined, { context });
  return formatPatch(patch, FILE_HEADERS_ONLY);
}
