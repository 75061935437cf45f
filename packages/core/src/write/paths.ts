const EMPTY = 0;
/** Bytes per storage chunk. Chunks are never copied or regrown: a set wastes less than one. */
const CHUNK = 256 * 1024;

/**
 * A set of paths packed outside the JavaScript heap: their UTF-8 bytes in fixed-size chunks, a
 * location per path and an open-addressing hash index. The write step keeps every rendered path
 * and directory of a run (43,000 files at 5000 services); as a `Map` of strings that was ~5 MiB
 * of live heap, which V8 commits about twice over, here it is ~70 bytes a path.
 *
 * Paths are addressed by the index {@link add} gives them, in the order they were added.
 */
export class PathSet {
  readonly #chunks: Buffer[] = [Buffer.allocUnsafe(CHUNK)];
  /** Bytes used in the last chunk. */
  #used = 0;
  /** Path i: its chunk, offset in the chunk and byte length. */
  #chunk = new Uint32Array(1024);
  #offset = new Uint32Array(1024);
  #length = new Uint32Array(1024);
  #count = 0;
  /** Hash index: slot → path index + 1, or {@link EMPTY}. Always at most half full. */
  #slots = new Int32Array(2048);

  get size(): number {
    return this.#count;
  }

  /**
   * Adds `path` unless it is there; returns its index, and whether it was added now.
   * @example const { index, added } = set.add("k8s/helm/values/vault.yaml");
   */
  add(path: string): { readonly index: number; readonly added: boolean } {
    const length = this.#stage(path);
    const slot = this.#probe(length);
    const found = (this.#slots[slot] as number) - 1;
    if (found >= 0) return { index: found, added: false };
    const index = this.#count++;
    if (index === this.#chunk.length) {
      this.#chunk = grow(this.#chunk);
      this.#offset = grow(this.#offset);
      this.#length = grow(this.#length);
    }
    this.#chunk[index] = this.#chunks.length - 1;
    this.#offset[index] = this.#used;
    this.#length[index] = length;
    this.#used += length;
    this.#slots[slot] = index + 1;
    if (this.#count * 2 > this.#slots.length) this.#rehash(this.#slots.length * 2);
    return { index, added: true };
  }

  /** The index of `path`, or -1. */
  indexOf(path: string): number {
    return (this.#slots[this.#probe(this.#stage(path))] as number) - 1;
  }

  has(path: string): boolean {
    return this.indexOf(path) >= 0;
  }

  /** The path at `index`. */
  path(index: number): string {
    const at = this.#offset[index] as number;
    return this.#bufferOf(index).toString("utf8", at, at + (this.#length[index] as number));
  }

  /**
   * Indexes ordered by path, bytewise (UTF-8), which for the ASCII paths Slipway renders is the
   * order of JavaScript's string comparison.
   */
  sorted(): number[] {
    const order = Array.from({ length: this.#count }, (_, i) => i);
    return order.sort((x, y) => {
      const xs = this.#offset[x] as number;
      const ys = this.#offset[y] as number;
      return this.#bufferOf(x).compare(
        this.#bufferOf(y),
        ys,
        ys + (this.#length[y] as number),
        xs,
        xs + (this.#length[x] as number),
      );
    });
  }

  #bufferOf(index: number): Buffer {
    return this.#chunks[this.#chunk[index] as number] as Buffer;
  }

  /** Writes `path` after the stored bytes of the last chunk (not yet part of the set); returns its length. */
  #stage(path: string): number {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    const room = path.length * 3;
    if (this.#used + room > this.#last.length) {
      this.#chunks.push(Buffer.allocUnsafe(Math.max(CHUNK, room)));
      this.#used = 0;
    }
    return this.#last.write(path, this.#used, "utf8");
  }

  get #last(): Buffer {
    return this.#chunks[this.#chunks.length - 1] as Buffer;
  }

  /** The slot holding the path equal to the staged bytes, or the empty slot where it would go. */
  #probe(length: number): number {
    const staged = this.#last;
    const start = this.#used;
    const end = start + length;
    const mask = this.#slots.length - 1;
    let slot = hash(staged, start, end) & mask;
    for (;;) {
      const entry = this.#slots[slot] as number;
      if (entry === EMPTY) return slot;
      const i = entry - 1;
      if (this.#length[i] === length) {
        const at = this.#offset[i] as number;
        if (staged.compare(this.#bufferOf(i), at, at + length, start, end) === 0) return slot;
      }
      slot = (slot + 1) & mask;
    }
  }

  #rehash(size: number): void {
    this.#slots = new Int32Array(size);
    const mask = size - 1;
    for (let i = 0; i < this.#count; i++) {
      const at = this.#offset[i] as number;
      let slot = hash(this.#bufferOf(i), at, at + (this.#length[i] as number)) & mask;
      while (this.#slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      this.#slots[slot] = i + 1;
    }
  }
}

/** FNV-1a over bytes. */
function hash(b: Buffer, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
  return h >>> 0;
}

function grow(a: Uint32Array): Uint32Array<ArrayBuffer> {
  const bigger = new Uint32Array(a.length * 2);
  bigger.set(a);
  return bigger;
}
