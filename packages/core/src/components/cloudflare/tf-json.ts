/**
 * Terraform in its JSON syntax (`*.tf.json`): configuration as data, serialized once. Keys are
 * sorted recursively so output is byte-stable whatever order builders used; Terraform gives key
 * order no meaning except inside lists, which keep theirs.
 */
export function terraformJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

/**
 * The same text as {@link terraformJson} of `{ [outer[0]]: { [outer[1]]: … { name: value } } }`,
 * with the innermost object's entries given one at a time, in sorted order: a block of thousands
 * of resources (one DNS record per service) is serialized entry by entry, never held as one
 * object graph. `entries` must be sorted by name and unique.
 */
export function terraformJsonOfEntries(
  outer: readonly string[],
  entries: Iterable<readonly [string, unknown]>,
): string {
  const depth = outer.length + 1;
  const parts: string[] = ["{"];
  outer.forEach((key, i) => {
    parts.push(`\n${"  ".repeat(i + 1)}${JSON.stringify(key)}: {`);
  });
  const pad = "  ".repeat(depth);
  let count = 0;
  for (const [name, value] of entries) {
    const body = JSON.stringify(sortKeys(value), null, 2).replaceAll("\n", `\n${pad}`);
    parts.push(`${count === 0 ? "" : ","}\n${pad}${JSON.stringify(name)}: ${body}`);
    count++;
  }
  parts.push(count === 0 ? "}" : `\n${"  ".repeat(depth - 1)}}`);
  for (let i = outer.length - 1; i >= 0; i--) parts.push(`\n${"  ".repeat(i)}}`);
  parts.push("\n");
  return parts.join("");
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
