import { crc32, deflateRawSync } from "node:zlib";
import { Zip, type ZipInputFile } from "fflate";
import type { ArchiveEntry } from "./entries.js";

/** ZIP's earliest representable date; a fixed timestamp makes archives byte-identical. */
const MTIME = new Date(1980, 0, 1, 0, 0, 0);
/** "Made by" Unix, so unzip honours the mode in the external attributes. */
const OS_UNIX = 3;
const S_IFREG = 0o100000;
const DEFLATE = 8;

/**
 * A deterministic ZIP: fixed timestamps, entries in the given order, Unix modes kept. fflate writes
 * the container; the entries are deflated by node:zlib, which is about twice as fast as fflate's
 * JavaScript deflate on a generated project (bench: 1.1 ms vs 2.5 ms for node-service).
 */
export function zipArchive(entries: readonly ArchiveEntry[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  let failure: Error | undefined;
  const zip = new Zip((error, chunk) => {
    if (error) failure = error;
    else chunks.push(chunk);
  });
  for (const e of entries) {
    const file: ZipInputFile = {
      filename: e.path,
      size: e.data.length,
      crc: crc32(e.data),
      compression: DEFLATE,
      mtime: MTIME,
      os: OS_UNIX,
      attrs: ((S_IFREG | e.mode) << 16) >>> 0,
    };
    zip.add(file);
    file.ondata?.(null, deflateRawSync(e.data, { level: 6 }), true);
  }
  zip.end();
  if (failure !== undefined) throw failure;
  return Buffer.concat(chunks);
}
