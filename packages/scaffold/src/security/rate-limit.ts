/** A fixed-window counter per client IP: enough to stop one client from hogging generation. */
export class RateLimiter {
  readonly #windows = new Map<string, { count: number; resetAt: number }>();
  readonly #max: number;
  readonly #windowMs: number;

  constructor(max: number, windowMs: number) {
    this.#max = max;
    this.#windowMs = windowMs;
  }

  /** Counts a request; returns the seconds to wait when over the limit, else undefined. */
  hit(ip: string, now = Date.now()): number | undefined {
    let w = this.#windows.get(ip);
    if (w === undefined || w.resetAt <= now) {
      if (this.#windows.size > 10_000) this.#prune(now);
      w = { count: 0, resetAt: now + this.#windowMs };
      this.#windows.set(ip, w);
    }
    w.count++;
    return w.count > this.#max ? Math.ceil((w.resetAt - now) / 1000) : undefined;
  }

  #prune(now: number): void {
    for (const [ip, w] of this.#windows) if (w.resetAt <= now) this.#windows.delete(ip);
  }
}
