import { gzipSync } from "node:zlib";
import type { ArchiveEntry } from "./entries.js";

const BLOCK = 512;

/** A gzipped ustar archive; mtime 0, owner 0:0, so the bytes depend on the entries only. */
export function tgzArchive(entries: readonly ArchiveEntry[]): Buffer {
  const chunks: Uint8Array[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.content, "utf8");
    chunks.push(header(e.path, data.length, e.mode));
    chunks.push(data);
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (pad > 0) chunks.push(new Uint8Array(pad));
  }
  chunks.push(new Uint8Array(BLOCK * 2));
  return gzipSync(Buffer.concat(chunks), { level: 6 });
}

function header(path: string, size: number, mode: number): Uint8Array {
  const h = new Uint8Array(BLOCK);
  const [prefix, name] = splitPath(path);
  put(h, 0, 100, name);
  put(h, 100, 8, octal(mode, 7));
  put(h, 108, 8, octal(0, 7));
  put(h, 116, 8, octal(0, 7));
  put(h, 124, 12, octal(size, 11));
  put(h, 136, 12, octal(0, 11));
  h.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  put(h, 156, 1, "0");
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

/** ustar keeps names ≤ 100 bytes, with up to 155 more in `prefix` split at a `/`. */
function splitPath(path: string): [string, string] {
  if (Buffer.byteLength(path) <= 100) return ["", path];
  for (let i = path.length - 1; i > 0; i--) {
    if (path[i] !== "/") continue;
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return [prefix, name];
  }
  throw new Error(`path too long for ustar: ${path}`);
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width, "0");
}

function put(h: Uint8Array, offset: number, length: number, s: string): void {
  const bytes = Buffer.from(s, "utf8");
  h.set(bytes.subarray(0, length), offset);
}
