/**
 * A small serializer for the Alloy configuration syntax (formerly River): blocks with optional
 * labels, attributes, and the value types Alloy has. Configs are built as data and written once,
 * so a user-supplied string can never break out of its quotes (STYLE.md: no templating).
 */

/** A reference to another component's export, such as `loki.relabel.journal.rules`. */
export interface AlloyRef {
  readonly ref: string;
}

export type AlloyValue =
  | string
  | number
  | boolean
  | AlloyRef
  | readonly AlloyValue[]
  | { readonly [key: string]: AlloyValue };

export interface AlloyBlock {
  /** Dotted block name: `loki.source.journal`, `rule`, `stage.cri`. */
  readonly name: string;
  /** The component label: `loki.source.file "pods"`. */
  readonly label?: string;
  /** Attributes in the order written. */
  readonly attrs?: readonly (readonly [string, AlloyValue])[];
  readonly blocks?: readonly AlloyBlock[];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DOTTED = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export const ref = (r: string): AlloyRef => {
  if (!DOTTED.test(r)) throw new Error(`not an Alloy reference: ${r}`);
  return { ref: r };
};

/** A string literal: backslash, quote and control characters escaped. */
export function alloyString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) as number;
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

const isRef = (v: AlloyValue): v is AlloyRef =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && "ref" in v;

function value(v: AlloyValue, indent: string): string {
  if (typeof v === "string") return alloyString(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error(`not an Alloy number: ${v}`);
    return String(v);
  }
  if (Array.isArray(v)) return `[${(v as readonly AlloyValue[]).map((x) => value(x, indent)).join(", ")}]`;
  if (isRef(v)) {
    if (!DOTTED.test(v.ref)) throw new Error(`not an Alloy reference: ${v.ref}`);
    return v.ref;
  }
  const entries = Object.entries(v as Record<string, AlloyValue>);
  if (entries.length === 0) return "{}";
  const inner = `${indent}  `;
  // Object keys are always quoted: `__path__` and label names need not be identifiers.
  return `{\n${entries.map(([k, x]) => `${inner}${alloyString(k)} = ${value(x, inner)},`).join("\n")}\n${indent}}`;
}

function block(b: AlloyBlock, indent: string): string {
  if (!DOTTED.test(b.name)) throw new Error(`not an Alloy block name: ${b.name}`);
  if (b.label !== undefined && !IDENT.test(b.label)) throw new Error(`not an Alloy label: ${b.label}`);
  const inner = `${indent}  `;
  const lines: string[] = [];
  for (const [k, v] of b.attrs ?? []) {
    if (!IDENT.test(k)) throw new Error(`not an Alloy attribute: ${k}`);
    lines.push(`${inner}${k} = ${value(v, inner)}`);
  }
  for (const child of b.blocks ?? []) lines.push(block(child, inner));
  const head = `${indent}${b.name}${b.label !== undefined ? ` ${alloyString(b.label)}` : ""} {`;
  return lines.length === 0 ? `${head}}` : `${head}\n${lines.join("\n")}\n${indent}}`;
}

/** The config file: top-level blocks separated by blank lines, newline-terminated. */
export function toAlloy(blocks: readonly AlloyBlock[]): string {
  return `${blocks.map((b) => block(b, "")).join("\n\n")}\n`;
}
