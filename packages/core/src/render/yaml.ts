/**
 * A YAML emitter specialized for plain data (objects, arrays, strings, numbers, booleans, null):
 * the only kind of value Slipway renders. It writes conventional block YAML, orders keys
 * deterministically, and quotes every string a YAML 1.1 or 1.2 reader could take for something else
 * (Helm and the Kubernetes API read YAML 1.1: `on`, `yes`, `0755` are not strings there).
 *
 * Why not `yaml.stringify`: it builds a document tree first and is most of synth's time at scale
 * (see bench/synth). Round-trip correctness is proven by a property test against the `yaml` parser.
 */

/** Keys that lead a mapping, in this order; all other keys follow sorted by code unit. */
const LEADING_KEYS = ["apiVersion", "kind", "metadata", "name", "namespace"] as const;
const LEADING_RANK: Record<string, number> = Object.fromEntries(LEADING_KEYS.map((k, i) => [k, i]));

export interface EmitOptions {
  /** Keep the mapping key order as given instead of sorting (for user-facing files with a logical order). */
  readonly preserveKeyOrder?: boolean;
}

/** Serializes one document (no leading `---`), ending in a newline. */
export function toYaml(value: unknown, opts: EmitOptions = {}): string {
  const sort = opts.preserveKeyOrder !== true;
  if (isBlockCollection(value)) return emitBlock(value, "", sort);
  return `${scalar(value, "")}\n`;
}

/** Serializes several documents separated by `---`. */
export function toYamlStream(values: readonly unknown[], opts: EmitOptions = {}): string {
  return values.map((v) => toYaml(v, opts)).join("---\n");
}

function compareKeys(a: string, b: string): number {
  const ra = LEADING_RANK[a];
  const rb = LEADING_RANK[b];
  if (ra !== undefined || rb !== undefined) return (ra ?? 99) - (rb ?? 99);
  return a < b ? -1 : a > b ? 1 : 0;
}

function entries(obj: Record<string, unknown>, sort: boolean): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (v !== undefined) out.push([k, v]);
  }
  if (sort) out.sort((x, y) => compareKeys(x[0], y[0]));
  return out;
}

function isBlockCollection(v: unknown): v is Record<string, unknown> | unknown[] {
  if (Array.isArray(v)) return v.length > 0;
  return (
    v !== null &&
    typeof v === "object" &&
    Object.keys(v).some((k) => (v as Record<string, unknown>)[k] !== undefined)
  );
}

/** Emits a non-empty map or list whose lines all start at `indent`. */
function emitBlock(value: Record<string, unknown> | unknown[], indent: string, sort: boolean): string {
  let out = "";
  if (Array.isArray(value)) {
    for (const item of value) out += `${indent}-${seqItem(item, `${indent}  `, sort)}`;
    return out;
  }
  for (const [k, v] of entries(value, sort)) {
    const key = scalarKey(k);
    if (isBlockCollection(v)) {
      // Sequences are indented under their key, as `yaml` and most Kubernetes docs do.
      out += `${indent}${key}:\n${emitBlock(v, `${indent}  `, sort)}`;
    } else {
      out += `${indent}${key}:${inline(v, `${indent}  `)}`;
    }
  }
  return out;
}

/** The rest of a `-` line: an inline scalar, or a compact nested block. */
function seqItem(item: unknown, indent: string, sort: boolean): string {
  if (!isBlockCollection(item)) return inline(item, indent);
  // Compact form: the first line of the nested block shares the dash's line.
  const block = emitBlock(item, indent, sort);
  return ` ${block.slice(indent.length)}`;
}

/** ` value\n` for scalars and empty collections; block scalars continue on following lines at `indent`. */
function inline(v: unknown, indent: string): string {
  if (Array.isArray(v)) return " []\n";
  if (v !== null && typeof v === "object") return " {}\n";
  return ` ${scalar(v, indent)}\n`;
}

function scalar(v: unknown, indent: string): string {
  switch (typeof v) {
    case "string":
      return str(v, indent);
    case "number":
      if (Number.isFinite(v)) return Object.is(v, -0) ? "0" : String(v);
      return Number.isNaN(v) ? ".nan" : v > 0 ? ".inf" : "-.inf";
    case "boolean":
      return v ? "true" : "false";
    case "bigint":
      return v.toString();
    case "object":
      if (v === null) return "null";
      break;
    case "undefined":
      return "null";
  }
  throw new TypeError(`cannot emit ${Object.prototype.toString.call(v)} as YAML`);
}

function scalarKey(k: string): string {
  return isPlainSafe(k) ? k : quote(k);
}

function str(s: string, indent: string): string {
  if (isPlainSafe(s)) return s;
  if (s.includes("\n") && isLiteralSafe(s)) return literal(s, indent);
  return quote(s);
}

// Words a YAML 1.1 or 1.2 reader resolves to null or a boolean.
const RESERVED = new Set([
  "null",
  "Null",
  "NULL",
  "~",
  "true",
  "True",
  "TRUE",
  "false",
  "False",
  "FALSE",
  "yes",
  "Yes",
  "YES",
  "no",
  "No",
  "NO",
  "on",
  "On",
  "ON",
  "off",
  "Off",
  "OFF",
  "y",
  "Y",
  "n",
  "N",
]);

/**
 * Plain (unquoted) only when no reader could mistake it: starts with a letter, `_` or `/`, uses only
 * characters that never start YAML syntax mid-scalar, no `: ` or ` #`, no trailing `:` or space.
 * Anything that starts with a digit, sign or dot is quoted, which sidesteps every number form.
 */
const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./@%+=:()^$-]*(?: [A-Za-z0-9_./@%+=:()^$-]+)*$/;

function isPlainSafe(s: string): boolean {
  if (!PLAIN.test(s) || RESERVED.has(s)) return false;
  if (s.endsWith(":") || s.includes(": ")) return false;
  return true;
}

/** Literal blocks can hold any printable text without escapes, except what they cannot express. */
function isLiteralSafe(s: string): boolean {
  // No carriage returns or non-printables; no line with trailing whitespace-only ambiguity at the start.
  if (/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufeff\ud800-\udfff]/.test(s)) return false;
  // A leading blank line or leading spaces on the first line would need an indentation indicator.
  return !/^[ \t\n]/.test(s);
}

function literal(s: string, indent: string): string {
  let body = s;
  let chomp: string;
  if (!body.endsWith("\n")) chomp = "-";
  else if (body.endsWith("\n\n")) chomp = "+";
  else chomp = "";
  if (chomp === "") body = body.slice(0, -1);
  else if (chomp === "+") body = body.slice(0, -1);
  const lines = body.split("\n");
  let out = `|${chomp}`;
  for (const line of lines) out += line === "" ? "\n" : `\n${indent}${line}`;
  return out;
}

/** Double-quoted scalar: JSON escapes plus the characters YAML refuses unescaped. */
function quote(s: string): string {
  return JSON.stringify(s).replace(
    /[\u007f-\u009f\u2028\u2029\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
