import { createHash, hash } from "node:crypto";

const SIZE = 32;
/** Digests per chunk (256 KiB). Chunks are never copied or regrown: a pool wastes less than one. */
const PER_CHUNK = 8192;

/**
 * SHA-256 digests of the files of one write, packed in fixed-size byte chunks: the write step
 * keeps one per rendered file (43,000 at 5000 services), and 32 packed bytes cost a tenth of a
 * 64-character hex string on the heap. Digests are addressed by the index {@link add} returns.
 */
export class DigestPool {
  readonly #chunks: Buffer[] = [];
  #count = 0;

  /** Hashes `content` and returns the index of its digest. */
  add(content: string | Buffer): number {
    // The one-shot hash: a Hash object per file would hold a native context until V8 collects it.
    return this.#store(hash("sha256", content, "buffer"));
  }

  /** Hashes content given in pieces (see OutputFile.chunks) and returns the index of its digest. */
  addChunks(chunks: Iterable<string>): number {
    const h = createHash("sha256");
    for (const c of chunks) h.update(c);
    return this.#store(h.digest());
  }

  /** Stores a digest given as 64 lowercase hex characters; returns its index. */
  addHex(hex: string): number {
    return this.#store(Buffer.from(hex, "hex"));
  }

  #store(digest: Buffer): number {
    const index = this.#count++;
    const slot = index % PER_CHUNK;
    if (slot === 0) this.#chunks.push(Buffer.allocUnsafe(SIZE * PER_CHUNK));
    digest.copy(this.#chunks[this.#chunks.length - 1] as Buffer, slot * SIZE);
    return index;
  }

  /** The digest at `index` as lowercase hex, the ownership record's form. */
  hex(index: number): string {
    const at = (index % PER_CHUNK) * SIZE;
    return (this.#chunks[Math.floor(index / PER_CHUNK)] as Buffer).toString("hex", at, at + SIZE);
  }
}
