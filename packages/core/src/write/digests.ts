import { createHash } from "node:crypto";

const SIZE = 32;

/**
 * SHA-256 digests of the files of one write, packed into one growing byte array: the write step
 * keeps one per rendered file (43,000 at 5000 services), and 32 packed bytes cost a tenth of a
 * 64-character hex string on the heap. Digests are addressed by the index {@link add} returns.
 */
export class DigestPool {
  #bytes = new Uint8Array(SIZE * 1024);
  #count = 0;

  /** Hashes `content` and returns the index of its digest. */
  add(content: string | Buffer): number {
    if ((this.#count + 1) * SIZE > this.#bytes.length) {
      const grown = new Uint8Array(this.#bytes.length * 2);
      grown.set(this.#bytes);
      this.#bytes = grown;
    }
    this.#bytes.set(createHash("sha256").update(content).digest(), this.#count * SIZE);
    return this.#count++;
  }

  /** The digest at `index` as lowercase hex, the ownership record's form. */
  hex(index: number): string {
    return Buffer.from(this.#bytes.buffer, index * SIZE, SIZE).toString("hex");
  }
}
