/** The media types the metadata endpoints produce, in the server's order of preference. */
export const METADATA_TYPES = [
  "application/vnd.initializr.v2.3+json",
  "application/vnd.initializr.v2.2+json",
  "application/vnd.initializr.v2.1+json",
  "application/json",
] as const;

export type MetadataType = (typeof METADATA_TYPES)[number];

interface Range {
  readonly type: string;
  readonly q: number;
}

/** Parses an Accept header into media ranges with their q-values (RFC 9110 §12.5.1). */
export function parseAccept(header: string | undefined): Range[] {
  if (header === undefined || header.trim() === "") return [{ type: "*/*", q: 1 }];
  const out: Range[] = [];
  for (const part of header.split(",")) {
    const [type, ...params] = part.split(";").map((s) => s.trim());
    if (type === undefined || type === "") continue;
    let q = 1;
    for (const p of params) {
      const m = /^q=([0-9](?:\.[0-9]{0,3})?)$/i.exec(p);
      if (m) q = Math.min(1, Number(m[1]));
    }
    out.push({ type: type.toLowerCase(), q });
  }
  return out;
}

/** How well a range matches a type: 3 exact, 2 `type/*`, 1 `*\/*`, 0 not at all. */
function specificity(range: string, type: string): number {
  if (range === type) return 3;
  if (range === "*/*") return 1;
  if (range.endsWith("/*") && type.startsWith(range.slice(0, -1))) return 2;
  return 0;
}

/**
 * Chooses among `offered` (in the server's preference order): the highest q wins, the most specific
 * range decides a type's q, and ties go to the more specific match, then the server's order.
 * Undefined when nothing offered is acceptable (406).
 */
export function negotiate<T extends string>(
  accept: string | undefined,
  offered: readonly T[],
): T | undefined {
  const ranges = parseAccept(accept);
  let best: { type: T; q: number; spec: number; order: number } | undefined;
  offered.forEach((type, order) => {
    let q = -1;
    let spec = 0;
    for (const r of ranges) {
      const s = specificity(r.type, type);
      if (s > spec) {
        spec = s;
        q = r.q;
      }
    }
    if (spec === 0 || q <= 0) return;
    if (best === undefined || q > best.q || (q === best.q && spec > best.spec)) {
      best = { type, q, spec, order };
    }
  });
  return (best as { type: T } | undefined)?.type;
}
