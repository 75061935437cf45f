import { gzipSync } from "node:zlib";
import type { ArchiveEntry } from "./entries.js";

const BLOCK = 512;

/** A gzipped ustar archive; mtime 0, owner 0:0, so the bytes depend on the entries only. */
export function tgzArchive(entries: readonly ArchiveEntry[]): Buffer {
  const chunks: Uint8Array[] = [];
  for (const e of entries) {
    const split = splitPath(e.path);
    if (split === undefined) {
      // Too long for ustar's name and prefix: a PAX extended header carries the whole path (POSIX
      // 2001; GNU tar, bsdtar, Python's tarfile and node-tar read it) for the entry after it.
      const record = paxRecord("path", e.path);
      push(chunks, header(["", PAX_NAME], record.length, 0o644, "x"), record);
    }
    const data = Buffer.from(e.content, "utf8");
    push(chunks, header(split ?? ["", fallbackName(e.path)], data.length, e.mode, "0"), data);
  }
  chunks.push(new Uint8Array(BLOCK * 2));
  return gzipSync(Buffer.concat(chunks), { level: 6 });
}

/** GNU tar's name for a PAX extended header (a reader that does not know PAX extracts it as a file). */
const PAX_NAME = "././@PaxHeader";

function push(chunks: Uint8Array[], header: Uint8Array, data: Uint8Array): void {
  chunks.push(header, data);
  const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
  if (pad > 0) chunks.push(new Uint8Array(pad));
}

/** `"<length> <key>=<value>\n"`, where the length counts the whole record, its own digits too. */
function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  const bodyBytes = Buffer.byteLength(body);
  let length = bodyBytes + 1;
  while (String(length).length + bodyBytes !== length) length = String(length).length + bodyBytes;
  return Buffer.from(`${length}${body}`, "utf8");
}

/** The ustar name of an entry whose real path is in a PAX header: its last 100 bytes, whole characters. */
function fallbackName(path: string): string {
  // By code point: slicing UTF-16 units could split a surrogate pair into a replacement character.
  const chars = Array.from(path);
  while (Buffer.byteLength(chars.join("")) > 100) chars.shift();
  return chars.join("");
}

function header(
  [prefix, name]: readonly [string, string],
  size: number,
  mode: number,
  type: "0" | "x",
): Uint8Array {
  const h = new Uint8Array(BLOCK);
  put(h, 0, 100, name);
  put(h, 100, 8, octal(mode, 7));
  put(h, 108, 8, octal(0, 7));
  put(h, 116, 8, octal(0, 7));
  put(h, 124, 12, octal(size, 11));
  put(h, 136, 12, octal(0, 11));
  h.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  put(h, 156, 1, type);
  put(h, 257, 6, "ustar\0");
  put(h, 263, 2, "00");
  put(h, 265, 32, "root");
  put(h, 297, 32, "root");
  put(h, 345, 155, prefix);
  let sum = 0;
  for (const b of h) sum += b;
  put(h, 148, 8, `${octal(sum, 6)}\0 `);
  return h;
}

/**
 * ustar keeps names ≤ 100 bytes, with up to 155 more in `prefix` split at a `/`; undefined when the
 * path does not fit (a long directory segment), and a PAX header must carry it.
 */
function splitPath(path: string): [string, string] | undefined {
  if (Buffer.byteLength(path) <= 100) return ["", path];
  for (let i = path.length - 1; i > 0; i--) {
    if (path[i] !== "/") continue;
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return [prefix, name];
  }
  return undefined;
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width, "0");
}

function put(h: Uint8Array, offset: number, length: number, s: string): void {
  const bytes = Buffer.from(s, "utf8");
  h.set(bytes.subarray(0, length), offset);
}
