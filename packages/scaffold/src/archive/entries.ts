import { diag, InputError } from "@slipway/core/lite";
import { type GeneratedFile, unsafePathReason } from "@slipway/presets";

/**
 * One archive entry: a safe relative path, its text and Unix mode. The text stays a string: the
 * archivers encode it themselves (zip.ts into one reused buffer, and not at all for a file it has
 * seen before), so that a request does not leave a fresh buffer per file behind.
 */
export interface ArchiveEntry {
  readonly path: string;
  readonly content: string;
  readonly mode: number;
}

const MAX_SEGMENT_BYTES = 255;

/**
 * Generated files as archive entries under `baseDir` ("" = the root). Every path is checked again
 * here, the last step before bytes leave the service: nothing can land outside the archive's root.
 *
 * @throws InputError `SW_SCAFFOLD_UNSAFE_BASE_DIR` (path `["baseDir"]`) for an absolute or `..` base dir
 * @throws InputError `SW_SCAFFOLD_BASE_DIR_TOO_LONG` (path `["baseDir"]`) for a directory name over 255 bytes
 */
export function archiveEntries(files: readonly GeneratedFile[], baseDir: string): ArchiveEntry[] {
  // One trailing slash is how people write directories ("demo/"); "/" itself is absolute.
  const base = baseDir.endsWith("/") && baseDir.length > 1 ? baseDir.slice(0, -1) : baseDir;
  if (base !== "") {
    const reason = unsafePathReason(base);
    if (reason !== undefined) {
      throw new InputError([
        diag("SW_SCAFFOLD_UNSAFE_BASE_DIR", `baseDir is unsafe: ${reason}`, {
          path: ["baseDir"],
          hint: "use a relative directory name such as demo",
        }),
      ]);
    }
    // Longer names would archive (tar.ts writes a PAX header) but extract nowhere: 255 bytes is
    // the name limit of ext4, APFS, NTFS and most other file systems.
    const long = base.split("/").find((segment) => Buffer.byteLength(segment) > MAX_SEGMENT_BYTES);
    if (long !== undefined) {
      throw new InputError([
        diag(
          "SW_SCAFFOLD_BASE_DIR_TOO_LONG",
          `baseDir has a directory name of ${Buffer.byteLength(long)} bytes, over ${MAX_SEGMENT_BYTES}`,
          { path: ["baseDir"], hint: "use shorter directory names; file systems refuse longer ones" },
        ),
      ]);
    }
  }
  return files.map((f) => {
    const path = base === "" ? f.path : `${base}/${f.path}`;
    const reason = unsafePathReason(path);
    if (reason !== undefined)
      throw new Error(`refusing unsafe archive path ${JSON.stringify(path)}: ${reason}`);
    return { path, content: f.content, mode: f.mode ?? 0o644 };
  });
}
