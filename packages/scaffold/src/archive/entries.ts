import { diag, InputError } from "@slipway/core/lite";
import { type GeneratedFile, unsafePathReason } from "@slipway/presets";

/** One archive entry: a safe relative path, its bytes and Unix mode. */
export interface ArchiveEntry {
  readonly path: string;
  readonly data: Uint8Array;
  readonly mode: number;
}

/**
 * Generated files as archive entries under `baseDir` ("" = the root). Every path is checked again
 * here, the last step before bytes leave the service: nothing can land outside the archive's root.
 *
 * @throws InputError `SW_SCAFFOLD_UNSAFE_BASE_DIR` (path `["baseDir"]`) for an absolute or `..` base dir
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
  }
  return files.map((f) => {
    const path = base === "" ? f.path : `${base}/${f.path}`;
    const reason = unsafePathReason(path);
    if (reason !== undefined)
      throw new Error(`refusing unsafe archive path ${JSON.stringify(path)}: ${reason}`);
    // Buffer.from: small files share Node's pool instead of one ArrayBuffer each (resident memory under load).
    return { path, data: Buffer.from(f.content, "utf8"), mode: f.mode ?? 0o644 };
  });
}
