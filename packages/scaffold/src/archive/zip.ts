import { constants, crc32, deflateRawSync } from "node:zlib";
import type { ArchiveEntry } from "./entries.js";

/** MS-DOS date of 1980-01-01 (ZIP's earliest) at 00:00: a fixed timestamp makes archives byte-identical. */
const DOS_DATE = (1 << 5) | 1;
const DOS_TIME = 0;
/** "Made by" Unix, so unzip honours the mode in the external attributes; version 2.0 (deflate). */
const MADE_BY = (3 << 8) | 20;
const NEEDED = 20;
/** General purpose flag bit 11: names are UTF-8. */
const UTF8_NAMES = 0x0800;
const S_IFREG = 0o100000;
const DEFLATE = 8;
const LEVEL = 6;
const LOCAL_HEADER = 30;
const CENTRAL_HEADER = 46;
const END_OF_CENTRAL_DIRECTORY = 22;

/**
 * A deterministic ZIP: fixed timestamps, entries in the given order, Unix modes kept, deflated by
 * node:zlib (about twice as fast as fflate's JavaScript deflate on a generated project: 1.1 ms vs
 * 2.5 ms for node-service), only what changed since earlier requests deflated again (below). The
 * container is written here into one buffer of the exact size: under load, the many small buffers
 * of a streaming writer were a large part of the service's resident memory (bench/scaffold).
 */
export function zipArchive(entries: readonly ArchiveEntry[]): Uint8Array {
  if (entries.length > 0xffff) throw new Error(`too many archive entries for ZIP: ${entries.length}`);
  const names = entries.map((e) => Buffer.from(e.path, "utf8"));
  const bodies = entries.map((e) => deflated(e.data));
  let size = END_OF_CENTRAL_DIRECTORY;
  for (let i = 0; i < entries.length; i++) {
    const n = (names[i] as Buffer).length;
    size += LOCAL_HEADER + CENTRAL_HEADER + 2 * n + (bodies[i] as Buffer).length;
  }
  if (size > 0xffffffff) throw new Error("archive too large for ZIP without ZIP64");
  const out = Buffer.allocUnsafe(size);
  const central: number[] = [];
  let at = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as ArchiveEntry;
    const name = names[i] as Buffer;
    const body = bodies[i] as Buffer;
    const crc = crc32(e.data);
    central.push(at, crc);
    at = out.writeUInt32LE(0x04034b50, at);
    at = out.writeUInt16LE(NEEDED, at);
    at = out.writeUInt16LE(UTF8_NAMES, at);
    at = out.writeUInt16LE(DEFLATE, at);
    at = out.writeUInt16LE(DOS_TIME, at);
    at = out.writeUInt16LE(DOS_DATE, at);
    at = out.writeUInt32LE(crc, at);
    at = out.writeUInt32LE(body.length, at);
    at = out.writeUInt32LE(e.data.length, at);
    at = out.writeUInt16LE(name.length, at);
    at = out.writeUInt16LE(0, at);
    at += name.copy(out, at);
    at += body.copy(out, at);
  }
  const centralStart = at;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as ArchiveEntry;
    const name = names[i] as Buffer;
    at = out.writeUInt32LE(0x02014b50, at);
    at = out.writeUInt16LE(MADE_BY, at);
    at = out.writeUInt16LE(NEEDED, at);
    at = out.writeUInt16LE(UTF8_NAMES, at);
    at = out.writeUInt16LE(DEFLATE, at);
    at = out.writeUInt16LE(DOS_TIME, at);
    at = out.writeUInt16LE(DOS_DATE, at);
    at = out.writeUInt32LE(central[2 * i + 1] as number, at);
    at = out.writeUInt32LE((bodies[i] as Buffer).length, at);
    at = out.writeUInt32LE(e.data.length, at);
    at = out.writeUInt16LE(name.length, at);
    at = out.writeUInt16LE(0, at); // extra field
    at = out.writeUInt16LE(0, at); // comment
    at = out.writeUInt16LE(0, at); // disk
    at = out.writeUInt16LE(0, at); // internal attributes
    at = out.writeUInt32LE(((S_IFREG | e.mode) << 16) >>> 0, at);
    at = out.writeUInt32LE(central[2 * i] as number, at);
    at += name.copy(out, at);
  }
  const centralSize = at - centralStart;
  at = out.writeUInt32LE(0x06054b50, at);
  at = out.writeUInt16LE(0, at);
  at = out.writeUInt16LE(0, at);
  at = out.writeUInt16LE(entries.length, at);
  at = out.writeUInt16LE(entries.length, at);
  at = out.writeUInt32LE(centralSize, at);
  at = out.writeUInt32LE(centralStart, at);
  out.writeUInt16LE(0, at);
  return out;
}

/*
 * Most of a generated project is the same from one request to the next (sources, configuration, the
 * bulk of a lockfile); only the lines that carry the name or the options differ. Deflate was the
 * largest cost of /starter.zip under load (bench/scaffold, `--cpu-prof`: ~27% of busy time, most
 * of it the ~40 KB node-service lockfile). So entries are deflated in segments that end at
 * content-defined line boundaries, each segment's deflate is cached by its bytes, and the entry is
 * the segments' raw deflate streams concatenated: every segment but the last ends with a sync flush
 * (byte-aligned, not final) and an empty final block closes the entry — one valid deflate stream
 * (what pigz does). The output depends on the bytes only, never on what the cache holds.
 */
/** A segment ends at the first qualifying line break after this many bytes. */
const SEGMENT_MIN = 8192;
/** Inputs and deflated bytes the cache may hold before it starts again from empty. */
const CACHE_BYTES = 4 * 2 ** 20;
/** BFINAL=1, fixed Huffman, end of block: an empty last block. */
const FINAL_EMPTY_BLOCK = Uint8Array.of(0x03, 0x00);

interface Cached {
  readonly raw: Buffer;
  readonly deflated: Buffer;
}
const cache = new Map<string, Cached>();
let cachedBytes = 0;

function deflated(data: Uint8Array): Buffer {
  const cuts = segmentEnds(data);
  if (cuts.length === 1) return deflateCached(data, true);
  const parts: Uint8Array[] = [];
  let start = 0;
  for (const end of cuts) {
    parts.push(deflateCached(data.subarray(start, end), false));
    start = end;
  }
  parts.push(FINAL_EMPTY_BLOCK);
  return Buffer.concat(parts);
}

/** Ends of segments: after a line, at least SEGMENT_MIN bytes in, whose last bytes hash to 0 mod 8. */
function segmentEnds(data: Uint8Array): number[] {
  const ends: number[] = [];
  let start = 0;
  if (data.length >= 2 * SEGMENT_MIN) {
    let nl = data.indexOf(0x0a, start + SEGMENT_MIN);
    while (nl !== -1 && nl < data.length - 1) {
      // FNV-1a over the line's last 16 bytes: where a cut falls depends on the content, not its offset.
      let h = 0x811c9dc5;
      for (let i = Math.max(nl - 16, start); i < nl; i++) h = Math.imul(h ^ (data[i] as number), 0x01000193);
      if ((h & 7) === 0) {
        ends.push(nl + 1);
        start = nl + 1;
        nl = data.indexOf(0x0a, start + SEGMENT_MIN);
      } else {
        nl = data.indexOf(0x0a, nl + 1);
      }
    }
  }
  ends.push(data.length);
  return ends;
}

function deflateCached(raw: Uint8Array, last: boolean): Buffer {
  const key = `${last ? "f" : "s"}${raw.length}:${crc32(raw)}`;
  const hit = cache.get(key);
  if (hit !== undefined && hit.raw.equals(raw)) {
    return hit.deflated;
  }
  const out = deflateRawSync(raw, {
    level: LEVEL,
    // zlib's default 16 KiB output chunk is a fresh ArrayBuffer per call; 2 KiB comes from Node's pool.
    chunkSize: 2048,
    ...(last ? {} : { finishFlush: constants.Z_SYNC_FLUSH }),
  });
  if (cachedBytes + raw.length + out.length > CACHE_BYTES) {
    cache.clear();
    cachedBytes = 0;
  }
  // Copies: the input is a view of the request's file, the output may be a view of zlib's chunk.
  cache.set(key, { raw: Buffer.from(raw), deflated: Buffer.from(out) });
  cachedBytes += raw.length + out.length;
  return out;
}
