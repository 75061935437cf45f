import { isIPv4, isIPv6 } from "node:net";
import { unmapIPv4 } from "../auth/networks.js";

/**
 * The rate-limit key of a client address: an IPv4 address as is, an IPv6 address by its /64. One
 * IPv6 host usually holds a whole /64 (SLAAC, privacy addresses), so counting each address alone
 * would let it take 2^64 budgets. An IPv4-mapped address (`::ffff:192.0.2.1`) is its IPv4 address.
 *
 * @example
 * clientKey("2001:db8:1:2:aaaa::1"); // "2001:db8:1:2::/64"
 */
export function clientKey(ip: string): string {
  const address = ip.replace(/%.*$/, ""); // a zone (fe80::1%eth0) names an interface, not a host
  const mapped = unmapIPv4(address);
  if (isIPv4(mapped)) return mapped;
  if (!isIPv6(address)) return ip;
  return `${hextets(address).slice(0, 4).join(":")}::/64`;
}

/** The eight hextets of a valid IPv6 address, `::` expanded, without leading zeros. */
function hextets(address: string): string[] {
  let text = address;
  // A trailing IPv4 part (::1.2.3.4, 64:ff9b::1.2.3.4) is two hextets.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4 !== null) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const zeros = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...zeros, ...right].map((h) => Number.parseInt(h, 16).toString(16));
}

/** A fixed-window counter per client key ({@link clientKey}): enough to stop one client from hogging generation. */
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
