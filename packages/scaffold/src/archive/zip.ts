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
 * node:zlib (faster than fflate's JavaScript deflate on a generated project: bench/README.md),
 * only what changed since earlier requests deflated again (below). The
 * container is written here into one buffer of the exact size, every part copied straight into it.
 * Under load, what a request leaves behind in buffers is what the service's resident memory is made
 * of (bench/scaffold): V8 collects ArrayBuffers only when their total reaches its external-memory
 * limit, so each request should allocate as few as it can.
 *
 * @param allocate where the archive is written, `size` bytes exactly; `Buffer.allocUnsafe` unless
 *   given (routes/starter.ts gives a pool's)
 */
export function zipArchive(
  entries: readonly ArchiveEntry[],
  allocate: (size: number) => Buffer = Buffer.allocUnsafe,
): Buffer {
  if (entries.length > 0xffff) throw new Error(`too many archive entries for ZIP: ${entries.length}`);
  const packs = entries.map((e) => packed(e.content));
  const nameLengths = entries.map((e) => Buffer.byteLength(e.path, "utf8"));
  let size = END_OF_CENTRAL_DIRECTORY;
  for (let i = 0; i < entries.length; i++) {
    size += LOCAL_HEADER + CENTRAL_HEADER + 2 * (nameLengths[i] as number) + (packs[i] as Packed).length;
  }
  if (size > 0xffffffff) throw new Error("archive too large for ZIP without ZIP64");
  const out = allocate(size);
  const offsets: number[] = [];
  let at = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as ArchiveEntry;
    const p = packs[i] as Packed;
    offsets.push(at);
    at = out.writeUInt32LE(0x04034b50, at);
    at = sharedFields(out, at, p, nameLengths[i] as number);
    at = out.writeUInt16LE(0, at);
    at += out.write(e.path, at, "utf8");
    for (const part of p.parts) {
      out.set(part, at);
      at += part.length;
    }
  }
  const centralStart = at;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as ArchiveEntry;
    const p = packs[i] as Packed;
    at = out.writeUInt32LE(0x02014b50, at);
    at = out.writeUInt16LE(MADE_BY, at);
    at = sharedFields(out, at, p, nameLengths[i] as number);
    at = out.writeUInt16LE(0, at); // extra field
    at = out.writeUInt16LE(0, at); // comment
    at = out.writeUInt16LE(0, at); // disk
    at = out.writeUInt16LE(0, at); // internal attributes
    at = out.writeUInt32LE(((S_IFREG | e.mode) << 16) >>> 0, at);
    at = out.writeUInt32LE(offsets[i] as number, at);
    at += out.write(e.path, at, "utf8");
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

/** The fields the local and the central header share: "version needed" to the name's length. */
function sharedFields(out: Buffer, start: number, p: Packed, nameLength: number): number {
  let at = out.writeUInt16LE(NEEDED, start);
  at = out.writeUInt16LE(UTF8_NAMES, at);
  at = out.writeUInt16LE(DEFLATE, at);
  at = out.writeUInt16LE(DOS_TIME, at);
  at = out.writeUInt16LE(DOS_DATE, at);
  at = out.writeUInt32LE(p.crc, at);
  at = out.writeUInt32LE(p.length, at);
  at = out.writeUInt32LE(p.size, at);
  return out.writeUInt16LE(nameLength, at);
}

/** One file's part of the archive: CRC and size of its bytes, and its deflate stream in pieces. */
interface Packed {
  readonly crc: number;
  readonly size: number;
  readonly parts: readonly Uint8Array[];
  /** Bytes in `parts`. */
  readonly length: number;
}

/*
 * Two caches, both for what repeats across requests, both bounded and started again from empty when
 * full, and both only filled with what was seen twice (by length and CRC): a file or segment that
 * carries the project's name is new on every request and would only push out what does repeat.
 * - Whole files, keyed by their text: most of a generated project is the same from one request to
 *   the next, and such a file then needs neither encoding, nor CRC, nor deflate.
 * - Segments of a file that changed. Deflate was the largest cost of /starter.zip under load
 *   (bench/README.md, "Where /starter.zip's time went": most of it the node-service lockfile),
 *   and in a changed file only the lines that carry the name or the options differ. So files are
 *   deflated in segments that end at content-defined line boundaries, each segment's deflate is
 *   cached by its bytes, and the file is the segments' raw deflate streams concatenated: every
 *   segment but the last ends with a sync flush (byte-aligned, not final) and an empty final block
 *   closes the file — one valid deflate stream (what pigz does).
 * The output depends on the bytes only, never on what the caches hold.
 */
/** A segment ends at the first qualifying line break after this many bytes. */
const SEGMENT_MIN = 8192;
/** Bytes (text counted at two per character) each cache may hold before it starts again from empty. */
const CACHE_BYTES = 4 * 2 ** 20;
/** Fingerprints remembered for the seen-twice rule before they are forgotten all at once. */
const SEEN_MAX = 4096;
/** BFINAL=1, fixed Huffman, end of block: an empty last block. */
const FINAL_EMPTY_BLOCK = Uint8Array.of(0x03, 0x00);

const files = new Map<string, Packed>();
let fileBytes = 0;
interface Segment {
  readonly raw: Buffer;
  readonly deflated: Buffer;
}
const segments = new Map<string, Segment>();
let segmentBytes = 0;
const seen = new Set<string>();

/** True the second time a fingerprint is offered (and after, until forgotten). */
function seenBefore(fingerprint: string): boolean {
  if (seen.has(fingerprint)) return true;
  if (seen.size >= SEEN_MAX) seen.clear();
  seen.add(fingerprint);
  return false;
}

function packed(content: string): Packed {
  const hit = files.get(content);
  if (hit !== undefined) return hit;
  const data = encoded(content);
  const crc = crc32(data);
  const parts = deflatedParts(data);
  let length = 0;
  for (const part of parts) length += part.length;
  const p: Packed = { crc, size: data.length, parts, length };
  if (!seenBefore(`e${data.length}:${crc}`)) return p;
  if (fileBytes + 2 * content.length + length > CACHE_BYTES) {
    files.clear();
    fileBytes = 0;
  }
  // One allocation of its own (allocUnsafeSlow): a slice of Node's shared 8 KiB pool would pin the
  // whole slab, full of a request's transient buffers.
  const copy = Buffer.allocUnsafeSlow(length);
  let at = 0;
  for (const part of parts) {
    copy.set(part, at);
    at += part.length;
  }
  const kept: Packed = { crc, size: data.length, parts: [copy], length };
  files.set(content, kept);
  fileBytes += 2 * content.length + length;
  return kept;
}

/*
 * The UTF-8 bytes of the file being packed. Generation and archiving are synchronous, so one buffer
 * per process serves every file of every request; what is kept from it is copied (the caches) and
 * what is returned is deflated, never the bytes themselves. Past SCRATCH_MAX a file gets its own.
 */
const SCRATCH_MAX = 2 ** 20;
let scratch = Buffer.allocUnsafeSlow(64 * 1024);

function encoded(content: string): Buffer {
  const most = 3 * content.length; // UTF-8 bytes per UTF-16 code unit
  if (most > scratch.length) {
    if (most > SCRATCH_MAX) return Buffer.from(content, "utf8");
    scratch = Buffer.allocUnsafeSlow(Math.max(most, 2 * scratch.length));
  }
  return scratch.subarray(0, scratch.write(content, 0, "utf8"));
}

function deflatedParts(data: Uint8Array): Uint8Array[] {
  const cuts = segmentEnds(data);
  if (cuts.length === 1) return [deflateCached(data, true)];
  const parts: Uint8Array[] = [];
  let start = 0;
  for (const end of cuts) {
    parts.push(deflateCached(data.subarray(start, end), false));
    start = end;
  }
  parts.push(FINAL_EMPTY_BLOCK);
  return parts;
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
  const hit = segments.get(key);
  if (hit?.raw.equals(raw)) {
    return hit.deflated;
  }
  const out = deflateRawSync(raw, {
    level: LEVEL,
    // zlib's default 16 KiB output chunk is a fresh ArrayBuffer per call; 2 KiB comes from Node's pool.
    chunkSize: 2048,
    ...(last ? {} : { finishFlush: constants.Z_SYNC_FLUSH }),
  });
  if (!seenBefore(key)) return out;
  if (segmentBytes + raw.length + out.length > CACHE_BYTES) {
    segments.clear();
    segmentBytes = 0;
  }
  // Copied, into one allocation of its own: the input is a view of the scratch buffer and the output
  // may be a view of zlib's chunk in Node's pool (see packed()).
  const both = Buffer.allocUnsafeSlow(raw.length + out.length);
  both.set(raw, 0);
  both.set(out, raw.length);
  segments.set(key, { raw: both.subarray(0, raw.length), deflated: both.subarray(raw.length) });
  segmentBytes += raw.length + out.length;
  return out;
}
