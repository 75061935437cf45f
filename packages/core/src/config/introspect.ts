import type { z } from "zod";

/**
 * Just enough zod introspection to explain an issue: which keys a mapping at a path allows, so a
 * misspelled key gets "did you mean …?". Reads `_zod.def`, zod 4's stable definition object,
 * because the public classes do not expose wrappers (default, pipe, optional) uniformly.
 */
interface Def {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly getter?: () => z.ZodType;
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Strips wrappers that do not change which keys are allowed (optional, default, pipe, …). */
function unwrap(s: z.ZodType): z.ZodType[] {
  const def = defOf(s);
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "nonoptional":
    case "readonly":
    case "catch":
      return def.innerType ? unwrap(def.innerType) : [];
    case "pipe":
      return def.in ? unwrap(def.in) : [];
    case "lazy":
      return def.getter ? unwrap(def.getter()) : [];
    case "union":
      return (def.options ?? []).flatMap(unwrap);
    default:
      return [s];
  }
}

/** The schemas that may apply at `path` (several when a union allows several shapes). */
export function schemasAt(schema: z.ZodType, path: readonly (string | number)[]): z.ZodType[] {
  let current = unwrap(schema);
  for (const seg of path) {
    const next: z.ZodType[] = [];
    for (const s of current) {
      const def = defOf(s);
      if (def.type === "object" && typeof seg === "string" && def.shape?.[seg]) next.push(def.shape[seg]);
      else if (def.type === "array" && typeof seg === "number" && def.element) next.push(def.element);
      else if (def.type === "record" && def.valueType) next.push(def.valueType);
    }
    current = next.flatMap(unwrap);
  }
  return current;
}

/** Keys a mapping at `path` allows, sorted; empty when the path is not a fixed-shape mapping. */
export function allowedKeys(schema: z.ZodType, path: readonly (string | number)[]): string[] {
  const keys = new Set<string>();
  for (const s of schemasAt(schema, path)) {
    const def = defOf(s);
    if (def.type === "object") for (const k of Object.keys(def.shape ?? {})) keys.add(k);
  }
  return [...keys].sort();
}

/**
 * Levenshtein distance with adjacent transpositions counted as one edit (optimal string
 * alignment), because swapped letters are the most common typo in keys ("enabeld").
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const up = rows[i - 1] as number[];
      let d = Math.min((up[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (up[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      }
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}

/**
 * The candidate closest to `word`, if it is close enough to be a plausible typo: at most a third
 * of the word's length edited (at least 1, at most 3), compared case-insensitively.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}
