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
  const parts: string[] = [];
  write(value, "", parts);
  parts.push("\n");
  return parts.join("");
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

function write(v: unknown, indent: string, parts: string[]): void {
  if (v instanceof Lazy) {
    const inner = `${indent}  `;
    let count = 0;
    for (const item of v.items) {
      parts.push(count === 0 ? (v.kind === "map" ? "{" : "[") : ",");
      if (v.kind === "map") {
        const [key, value] = item as readonly [string, unknown];
        parts.push(`\n${inner}${JSON.stringify(key)}: `);
        write(value, inner, parts);
      } else {
        parts.push(`\n${inner}`);
        write(item, inner, parts);
      }
      count++;
    }
    parts.push(count === 0 ? (v.kind === "map" ? "{}" : "[]") : `\n${indent}${v.kind === "map" ? "}" : "]"}`);
    return;
  }
  if (!hasLazy(v)) {
    parts.push(plain(v, indent));
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    v.forEach((item, i) => {
      parts.push(`${i === 0 ? "[" : ","}\n${inner}`);
      write(item, inner, parts);
    });
    parts.push(`\n${indent}]`);
    return;
  }
  const record = v as Record<string, unknown>;
  // The order JSON.stringify gives the sorted object: integer-like keys first, as in any object.
  const sorted = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  Object.keys(Object.fromEntries(sorted.map((k) => [k, 0]))).forEach((k, i) => {
    parts.push(`${i === 0 ? "{" : ","}\n${inner}${JSON.stringify(k)}: `);
    write(record[k], inner, parts);
  });
  parts.push(`\n${indent}}`);
}

/** A value without lazy parts as two-space JSON with sorted keys, its lines after the first at `indent`. */
function plain(v: unknown, indent: string): string {
  const text = JSON.stringify(sortKeys(v), null, 2) ?? "null";
  // JSON escapes newlines inside strings, so every newline here is between lines of the layout.
  return indent === "" ? text : text.replaceAll("\n", `\n${indent}`);
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
