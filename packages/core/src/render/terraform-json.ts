/**
 * Terraform in its JSON syntax (`*.tf.json`): configuration as data, serialized once. Keys are
 * sorted recursively so output is byte-stable whatever order builders used; Terraform gives key
 * order no meaning except inside lists, which keep theirs. The text is that of
 * `JSON.stringify(value, null, 2)` with sorted keys and a trailing newline.
 *
 * A block of thousands of entries (one DNS record per service) can be given as {@link lazyMap} or
 * {@link lazyList}: its entries are then made and serialized one at a time, never held as one
 * object graph.
 */
export function terraformJson(value: unknown): string {
  return [...terraformJsonChunks(value)].join("");
}

/**
 * The text of {@link terraformJson} in pieces, made as they are asked for: with lazy blocks, a
 * file of thousands of entries is written without its whole text or object graph in memory.
 */
export function* terraformJsonChunks(value: unknown): Generator<string> {
  yield* write(value, "");
  yield "\n";
}

/**
 * Entries of an object given one at a time, each key once, in the order of an object's keys when
 * they are inserted sorted: sorted, except that integer-like keys ("0", "12") come first.
 */
export function lazyMap(entries: Iterable<readonly [string, unknown]>): unknown {
  return new Lazy("map", entries);
}

/** Items of a list given one at a time, in their order. */
export function lazyList(items: Iterable<unknown>): unknown {
  return new Lazy("list", items);
}

class Lazy {
  constructor(
    readonly kind: "map" | "list",
    readonly items: Iterable<unknown>,
  ) {}
}

function* write(v: unknown, indent: string): Generator<string> {
  if (v instanceof Lazy) {
    const inner = `${indent}  `;
    let count = 0;
    for (const item of v.items) {
      yield count === 0 ? (v.kind === "map" ? "{" : "[") : ",";
      if (v.kind === "map") {
        const [key, value] = item as readonly [string, unknown];
        yield `\n${inner}${JSON.stringify(key)}: `;
        yield* write(value, inner);
      } else {
        yield `\n${inner}`;
        yield* write(item, inner);
      }
      count++;
    }
    yield count === 0 ? (v.kind === "map" ? "{}" : "[]") : `\n${indent}${v.kind === "map" ? "}" : "]"}`;
    return;
  }
  if (!hasLazy(v)) {
    yield plain(v, indent);
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    for (const [i, item] of v.entries()) {
      yield `${i === 0 ? "[" : ","}\n${inner}`;
      yield* write(item, inner);
    }
    yield `\n${indent}]`;
    return;
  }
  const record = v as Record<string, unknown>;
  // The order JSON.stringify gives the sorted object: integer-like keys first, as in any object.
  const sorted = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  for (const [i, k] of Object.keys(Object.fromEntries(sorted.map((k) => [k, 0]))).entries()) {
    yield `${i === 0 ? "{" : ","}\n${inner}${JSON.stringify(k)}: `;
    yield* write(record[k], inner);
  }
  yield `\n${indent}}`;
}

/** A value without lazy parts as two-space JSON with sorted keys, its lines after the first at `indent`. */
function plain(v: unknown, indent: string): string {
  const flat = flatObject(v, indent);
  if (flat !== undefined) return flat;
  const text = JSON.stringify(sortKeys(v), null, 2) ?? "null";
  // JSON escapes newlines inside strings, so every newline here is between lines of the layout.
  return indent === "" ? text : text.replaceAll("\n", `\n${indent}`);
}

/**
 * A non-empty object of strings, numbers, booleans and nulls (a DNS record, an ingress rule) as
 * {@link plain} writes it, built directly: no sorted copy and no re-indented copy of its text,
 * which for thousands of records was most of the garbage of writing them.
 */
function flatObject(v: unknown, indent: string): string | undefined {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
  const record = v as Record<string, unknown>;
  const lines: string[] = [];
  for (const k of Object.keys(record).sort()) {
    const x = record[k];
    if (x === undefined) continue;
    if (x !== null && typeof x === "object") return undefined;
    if (typeof x !== "string" && typeof x !== "number" && typeof x !== "boolean" && x !== null)
      return undefined;
    lines.push(`${JSON.stringify(k)}: ${JSON.stringify(x)}`);
  }
  // Integer-like keys would come first in JSON.stringify's order; leave those to the general path.
  if (lines.length === 0 || Object.keys(record).some((k) => /^(?:0|[1-9]\d*)$/.test(k))) return undefined;
  return `{\n${indent}  ${lines.join(`,\n${indent}  `)}\n${indent}}`;
}

function hasLazy(v: unknown): boolean {
  if (v instanceof Lazy) return true;
  if (Array.isArray(v)) return v.some(hasLazy);
  if (v !== null && typeof v === "object") return Object.values(v).some(hasLazy);
  return false;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

/**
 * A Terraform resource name for an arbitrary label (hostname, policy name): identifiers allow
 * letters, digits, `_` and `-` and must not start with a digit. Distinct labels can collide only
 * if they differ in characters mapped to `_`; callers that care check for duplicates.
 */
export function tfName(label: string): string {
  const s = label.replace(/[^A-Za-z0-9_-]/g, "_");
  return /^[A-Za-z_]/.test(s) ? s : `_${s}`;
}

/** `${expr}`: a Terraform interpolation inside a JSON string. */
export const tfRef = (expr: string): string => `\${${expr}}`;
