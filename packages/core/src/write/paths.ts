const EMPTY = 0;

/**
 * A set of paths packed outside the JavaScript heap: their UTF-8 bytes in one growing buffer, an
 * offset per path and an open-addressing hash index. The write step keeps every rendered path
 * and directory of a run (43,000 files at 5000 services); as a `Map` of strings that was ~5 MiB
 * of live heap, which V8 commits about twice over, here it is ~60 bytes a path.
 *
 * Paths are addressed by the index {@link add} gives them, in the order they were added.
 */
export class PathSet {
  #bytes = Buffer.allocUnsafe(64 * 1024);
  #used = 0;
  /** Start of path i in #bytes; the end is the start of path i + 1. */
  #starts = new Uint32Array(1025);
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
    const at = this.#append(path);
    const found = this.#find(at, this.#used);
    if (found >= 0) {
      this.#used = at; // drop the copy
      return { index: found, added: false };
    }
    if ((this.#count + 1) * 2 > this.#slots.length) this.#rehash(this.#slots.length * 2);
    const index = this.#count++;
    if (this.#count + 1 > this.#starts.length) this.#starts = grow(this.#starts, this.#starts.length * 2);
    this.#starts[index] = at;
    this.#starts[index + 1] = this.#used;
    this.#slots[this.#probe(at, this.#used)] = index + 1;
    return { index, added: true };
  }

  /** The index of `path`, or -1. */
  indexOf(path: string): number {
    const at = this.#append(path);
    const found = this.#find(at, this.#used);
    this.#used = at;
    return found;
  }

  has(path: string): boolean {
    return this.indexOf(path) >= 0;
  }

  /** The path at `index`. */
  path(index: number): string {
    return this.#bytes.toString("utf8", this.#starts[index], this.#starts[index + 1]);
  }

  /**
   * Indexes ordered by path, bytewise (UTF-8), which for the ASCII paths Slipway renders is the
   * order of JavaScript's string comparison.
   */
  sorted(): number[] {
    const order = Array.from({ length: this.#count }, (_, i) => i);
    const b = this.#bytes;
    const s = this.#starts;
    return order.sort((x, y) => b.compare(b, s[y], s[y + 1], s[x], s[x + 1]));
  }

  /** Writes `path` after the stored paths (not yet part of the set); returns where it starts. */
  #append(path: string): number {
    const at = this.#used;
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    if (at + path.length * 3 > this.#bytes.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.#bytes.length * 2, at + path.length * 3));
      this.#bytes.copy(bigger, 0, 0, at);
      this.#bytes = bigger;
    }
    this.#used = at + this.#bytes.write(path, at, "utf8");
    return at;
  }

  /** Looks up the bytes at [start, end): the index of an equal stored path, or -1. */
  #find(start: number, end: number): number {
    return (this.#slots[this.#probe(start, end)] as number) - 1;
  }

  /** The slot holding the path equal to bytes [start, end), or the empty slot where it would go. */
  #probe(start: number, end: number): number {
    const mask = this.#slots.length - 1;
    const b = this.#bytes;
    let slot = hash(b, start, end) & mask;
    for (;;) {
      const entry = this.#slots[slot] as number;
      if (entry === EMPTY) return slot;
      const s = this.#starts[entry - 1] as number;
      const e = this.#starts[entry] as number;
      if (e - s === end - start && b.compare(b, start, end, s, e) === 0) return slot;
      slot = (slot + 1) & mask;
    }
  }

  #rehash(size: number): void {
    this.#slots = new Int32Array(size);
    const mask = size - 1;
    for (let i = 0; i < this.#count; i++) {
      let slot = hash(this.#bytes, this.#starts[i] as number, this.#starts[i + 1] as number) & mask;
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

function grow(a: Uint32Array, size: number): Uint32Array<ArrayBuffer> {
  const bigger = new Uint32Array(size);
  bigger.set(a);
  return bigger;
}
