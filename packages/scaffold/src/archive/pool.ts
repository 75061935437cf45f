/**
 * Reusable memory for archives that are sent and then dropped (POST /starter.zip). Under load the
 * ~22 KB archive of every request outlived its young-generation collections while the socket wrote
 * it, so V8 promoted it and freed it only at the next full collection: tens of MiB of dead
 * ArrayBuffers in the service's resident memory (bench/scaffold). A buffer from here goes back when
 * its response has finished, i.e. when the socket no longer holds it; a response that ends
 * otherwise (client gone) simply does not return its buffer, and V8 collects it as before.
 */
export interface BufferPool {
  /** A buffer of exactly `size` bytes (uninitialised), a view of a pooled allocation. */
  take(size: number): Buffer;
  /** Gives back what `take` returned, for reuse: only once nothing reads it any more. */
  give(view: Buffer): void;
}

/** Allocations are rounded up to this, so that archives of similar size share buffers. */
const GRAIN = 16 * 1024;

/**
 * @param keep free buffers kept for reuse (about the concurrent requests expected)
 * @param largest bytes above which a buffer is not pooled
 */
export function bufferPool(keep = 32, largest = 1024 * 1024): BufferPool {
  const free: ArrayBuffer[] = [];
  return {
    take(size) {
      for (let i = free.length - 1; i >= 0; i--) {
        const buffer = free[i] as ArrayBuffer;
        if (buffer.byteLength >= size) {
          free.splice(i, 1);
          return Buffer.from(buffer, 0, size);
        }
      }
      if (size > largest) return Buffer.allocUnsafe(size);
      return Buffer.from(new ArrayBuffer(Math.ceil(size / GRAIN) * GRAIN), 0, size);
    },
    give(view) {
      const buffer = view.buffer;
      if (!(buffer instanceof ArrayBuffer) || buffer.byteLength > largest || free.length >= keep) return;
      if (buffer.byteLength % GRAIN !== 0 || free.includes(buffer)) return;
      free.push(buffer);
    },
  };
}
