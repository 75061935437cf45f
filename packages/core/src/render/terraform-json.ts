/**
 * Terraform in its JSON syntax (`*.tf.json`): configuration as data, serialized once. Keys are
 * sorted recursively so output is byte-stable whatever order builders used; Terraform gives key
 * order no meaning except inside lists, which keep theirs. The text is that of
 * `JSON.stringify(value, null, 2)` with sorted keys (keys whose value is undefined left out) and a
 * trailing newline.
 */
export function terraformJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
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
