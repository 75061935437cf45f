import { parse } from "yaml";

/**
 * A reader for the block-style YAML that CRD generators (controller-gen, Helm) emit: block maps
 * and sequences, plain and quoted single-line scalars, literal and folded block scalars, empty or
 * simple flow collections. Anything else (anchors, tags, multi-line quoted scalars, nested flow)
 * makes it give up, and the document is read by the `yaml` package instead.
 *
 * Why: the CRDs a platform uses are 0.2–1.4 MB each, and `yaml.parse` on the large ones is most
 * of the time `slipway check` takes; this reader is several times faster on them (bench/README.md).
 * A test compares its output with `yaml.parse` on every CRD of the upstream schema directory.
 *
 * Why a second subset reader: this one reads trusted, generated files (CRDs, chart values), where block
 * scalars matter and errors need not be found, while users' spec files go through
 * `config/fast-yaml.ts`, which declines anything `yaml` would report so that `yaml` can report it
 * (this one reads `a: 1\na: 2` as `{a: 2}` and `a: b: c` as a string, so it cannot serve them).
 */
export function parseBlockYaml(text: string): unknown {
  try {
    return readBlockYaml(text);
  } catch (e) {
    if (e instanceof Unsupported) return parse(text, { uniqueKeys: false }) as unknown;
    throw e;
  }
}

export class Unsupported extends Error {}
const unsupported = (what: string): never => {
  throw new Unsupported(what);
};

interface Line {
  indent: number;
  /** Content after the indentation (may be rewritten for `- key: v` compact entries). */
  text: string;
  /** Index into the raw lines, for block scalars. */
  raw: number;
}

const KEY =
  /^([^\s"'#&*!|>%@`{}[\],?:-][^\n]*?|-\S[^\n]*?|"(?:[^"\\]|\\.)*"|'(?:[^']|'')*')[ \t]*:(?:[ \t]+|$)/;
const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

class Reader {
  readonly raw: string[];
  readonly lines: Line[] = [];
  i = 0;

  constructor(text: string) {
    this.raw = text.split("\n");
    for (let r = 0; r < this.raw.length; r++) {
      let l = this.raw[r] as string;
      if (l.endsWith("\r")) l = l.slice(0, -1);
      if (l.includes("\t") && /^\s*\t/.test(l)) unsupported("tab indentation");
      const indent = l.search(/\S/);
      if (indent < 0) continue;
      const t = l.slice(indent);
      if (t.startsWith("#")) continue;
      if (indent === 0 && (t === "---" || t.startsWith("--- ") || t === "..." || t.startsWith("%"))) {
        if (t === "---" && this.lines.length === 0) continue;
        unsupported("several documents or directives");
      }
      this.lines.push({ indent, text: t, raw: r });
    }
  }

  document(): unknown {
    if (this.lines.length === 0) return null;
    const first = this.lines[0] as Line;
    const v = this.node(first.indent);
    if (this.i < this.lines.length) unsupported("trailing content");
    return v;
  }

  node(indent: number): unknown {
    const l = this.lines[this.i] as Line;
    if (l.text === "-" || l.text.startsWith("- ")) return this.seq(indent);
    if (KEY.test(l.text)) return this.map(indent);
    return unsupported("top-level scalar");
  }

  map(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    while (this.i < this.lines.length) {
      const l = this.lines[this.i] as Line;
      if (l.indent !== indent) {
        if (l.indent > indent) unsupported("bad indentation");
        break;
      }
      if (l.text === "-" || l.text.startsWith("- ")) break;
      const m = KEY.exec(l.text);
      if (!m) return unsupported("not a key");
      const key = unquoteKey(m[1] as string);
      if (key === "<<") unsupported("merge key");
      const rest = l.text.slice(m[0].length);
      this.i++;
      out[key] = this.value(rest, indent, l, true);
    }
    return out;
  }

  seq(indent: number): unknown[] {
    const out: unknown[] = [];
    while (this.i < this.lines.length) {
      const l = this.lines[this.i] as Line;
      if (l.indent !== indent || !(l.text === "-" || l.text.startsWith("- "))) {
        if (l.indent > indent) unsupported("bad indentation");
        break;
      }
      if (l.text === "-") {
        this.i++;
        out.push(this.nested(indent, false));
        continue;
      }
      const after = l.text.slice(2);
      const pad = after.search(/\S/);
      const rest = after.slice(pad);
      if (rest.startsWith("#")) {
        this.i++;
        out.push(this.nested(indent, false));
      } else if (rest === "-" || rest.startsWith("- ") || KEY.test(rest)) {
        // Compact entry (`- key: v` / `- - x`): the rest of the line opens a node at its own column.
        l.indent = indent + 2 + pad;
        l.text = rest;
        out.push(this.node(l.indent));
      } else {
        this.i++;
        out.push(this.value(rest, indent, l, false));
      }
    }
    return out;
  }

  /** The node below a `key:` or `-` with nothing after it. */
  nested(indent: number, inMap: boolean): unknown {
    const n = this.lines[this.i];
    if (!n) return null;
    if (n.indent > indent) return this.node(n.indent);
    // `key:` followed by `- item` at the same column is a sequence value in YAML.
    if (inMap && n.indent === indent && (n.text === "-" || n.text.startsWith("- "))) return this.seq(indent);
    return null;
  }

  value(rest: string, indent: number, line: Line, inMap: boolean): unknown {
    if (rest === "" || rest.startsWith("#")) return this.nested(indent, inMap);
    const c = rest[0];
    if (c === "|" || c === ">") return this.blockScalar(rest, indent, line);
    if (c === '"' || c === "'") return this.quoted(rest, c, line);
    if (c === "[" || c === "{") return flow(rest);
    if (c === "&" || c === "*" || c === "!" || c === "%" || c === "@" || c === "`")
      unsupported("anchor, alias or tag");
    let text = stripComment(rest);
    // A plain scalar may continue on more-indented lines; they fold into one line.
    while (this.i < this.lines.length && (this.lines[this.i] as Line).indent > indent) {
      const next = this.lines[this.i] as Line;
      if (this.raw[next.raw - 1]?.trim() === "") unsupported("multi-line plain scalar with blank lines");
      text += ` ${stripComment(next.text)}`;
      this.i++;
    }
    return plain(text);
  }

  /** A quoted scalar, possibly folded over several lines (long CEL rules are). */
  quoted(rest: string, q: '"' | "'", line: Line): string {
    const parts: string[] = [];
    let buf = rest.slice(1);
    let r = line.raw;
    let after: string;
    for (;;) {
      const close = closingQuote(buf, q);
      if (close >= 0) {
        parts.push(buf.slice(0, close));
        after = buf.slice(close + 1);
        break;
      }
      parts.push(buf);
      r++;
      if (r >= this.raw.length) return unsupported("unterminated quoted scalar");
      buf = (this.raw[r] as string).replace(/\r$/, "");
    }
    if (!/^[ \t]*(?:#.*)?$/.test(after)) return unsupported("content after a quoted scalar");
    while (this.i < this.lines.length && (this.lines[this.i] as Line).raw <= r) this.i++;
    const dq = q === '"';
    const decode = (x: string) => (dq ? doubleQuoted(x) : x.replace(/''/g, "'"));
    if (parts.length === 1) return decode(parts[0] as string);
    // Line folding: a break between text is a space, n blank lines are n newlines, and in
    // double quotes a backslash at the end of a line joins without a space.
    let out = "";
    let empties = 0;
    let joinTight = false;
    for (let k = 0; k < parts.length; k++) {
      let p = parts[k] as string;
      if (k > 0) p = p.replace(/^[ \t]+/, "");
      const last = k === parts.length - 1;
      let escapedBreak = false;
      if (!last) {
        if (dq && /(?:^|[^\\])(?:\\\\)*\\$/.test(p)) {
          p = p.slice(0, -1);
          escapedBreak = true;
        } else p = p.replace(/[ \t]+$/, "");
      }
      if (k > 0 && p === "" && !last) {
        empties++;
        continue;
      }
      if (k > 0 && !joinTight) out += empties > 0 ? "\n".repeat(empties) : " ";
      out += p;
      empties = 0;
      joinTight = escapedBreak;
    }
    return decode(out);
  }

  blockScalar(header: string, indent: number, line: Line): string {
    const h = /^([|>])([-+]?)([1-9]?)([-+]?)[ \t]*(?:#.*)?$/.exec(header);
    if (!h) return unsupported("block scalar header");
    const folded = h[1] === ">";
    const chomp = h[2] || h[4];
    // An indentation indicator gives the content's indentation relative to the parent's.
    const explicit = h[3] ? indent + Number(h[3]) : -1;
    // Raw lines after the header that are blank or indented deeper than the parent belong to it.
    const body: string[] = [];
    let r = line.raw + 1;
    let contentIndent = explicit;
    for (; r < this.raw.length; r++) {
      let l = this.raw[r] as string;
      if (l.endsWith("\r")) l = l.slice(0, -1);
      const ind = l.search(/\S/);
      if (ind < 0) {
        body.push("");
        continue;
      }
      if (ind <= indent) break;
      if (contentIndent < 0) contentIndent = ind;
      if (ind < contentIndent) break;
      body.push(l.slice(contentIndent));
    }
    while (this.i < this.lines.length && (this.lines[this.i] as Line).raw < r) this.i++;
    // Blank lines at the end of the body: trailing, subject to chomping.
    let end = body.length;
    while (end > 0 && body[end - 1] === "") end--;
    const trailing = body.length - end;
    const lines = body.slice(0, end);
    let text: string;
    if (!folded) text = lines.join("\n");
    else if (lines.some((x) => x === "" || x.startsWith(" ") || x.startsWith("\t"))) {
      return unsupported("folded scalar with blank or more-indented lines");
    } else text = lines.join(" ");
    if (lines.length === 0) return chomp === "+" ? "\n".repeat(trailing) : "";
    if (chomp === "-") return text;
    if (chomp === "+") return `${text}\n${"\n".repeat(trailing)}`;
    return `${text}\n`;
  }
}

function closingQuote(s: string, q: string): number {
  for (let k = 0; k < s.length; k++) {
    const ch = s[k];
    if (q === '"' && ch === "\\") k++;
    else if (ch === q) {
      if (q === "'" && s[k + 1] === "'") k++;
      else return k;
    }
  }
  return -1;
}

function unquoteKey(k: string): string {
  if (k.startsWith('"')) return doubleQuoted(k.slice(1, -1));
  if (k.startsWith("'")) return k.slice(1, -1).replace(/''/g, "'");
  return k.trimEnd();
}

function stripComment(s: string): string {
  const i = s.search(/[ \t]#/);
  return (i < 0 ? s : s.slice(0, i)).trimEnd();
}

const ESCAPES: Record<string, string> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  t: "\t",
  "\t": "\t",
  n: "\n",
  v: "\v",
  f: "\f",
  r: "\r",
  e: "\x1b",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
  N: "\u0085",
  _: "\u00a0",
  L: "\u2028",
  P: "\u2029",
};

function doubleQuoted(s: string): string {
  if (!s.includes("\\")) return s;
  let out = "";
  for (let k = 0; k < s.length; k++) {
    const ch = s[k] as string;
    if (ch !== "\\") {
      out += ch;
      continue;
    }
    const e = s[++k] ?? "";
    const hex = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
    if (hex > 0) {
      const h = s.slice(k + 1, k + 1 + hex);
      if (!/^[0-9a-fA-F]+$/.test(h) || h.length !== hex) return unsupported("bad escape");
      out += String.fromCodePoint(Number.parseInt(h, 16));
      k += hex;
    } else {
      const r = ESCAPES[e];
      if (r === undefined) return unsupported("bad escape");
      out += r;
    }
  }
  return out;
}

function plain(s: string): unknown {
  switch (s) {
    case "":
    case "~":
    case "null":
    case "Null":
    case "NULL":
      return null;
    case "true":
    case "True":
    case "TRUE":
      return true;
    case "false":
    case "False":
    case "FALSE":
      return false;
  }
  if (INT.test(s)) return Number.parseInt(s, 10);
  if (FLOAT.test(s)) return Number.parseFloat(s);
  if (/^0x[0-9a-fA-F]+$/.test(s) || /^0o[0-7]+$/.test(s) || /^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$/.test(s)) {
    return unsupported("special number");
  }
  return s;
}

/** `[]`, `{}` and one-line flow sequences of plain or quoted scalars. */
function flow(s: string): unknown {
  const t = stripComment(s);
  if (t === "[]") return [];
  if (t === "{}") return {};
  const m = /^\[(.*)\]$/.exec(t);
  if (!m || /[[\]{}]/.test(m[1] as string)) return unsupported("flow collection");
  const items: unknown[] = [];
  for (const part of (m[1] as string).split(",")) {
    const p = part.trim();
    if (p === "") continue;
    if (/^["']/.test(p) && (p.length < 2 || p[p.length - 1] !== p[0])) unsupported("quoted comma");
    if (p.startsWith('"')) items.push(doubleQuoted(p.slice(1, -1)));
    else if (p.startsWith("'")) items.push(p.slice(1, -1).replace(/''/g, "'"));
    else if (/[:#]/.test(p)) unsupported("flow mapping");
    else items.push(plain(p));
  }
  return items;
}

/** The block reader alone: throws {@link Unsupported} where {@link parseBlockYaml} falls back. */
export function readBlockYaml(text: string): unknown {
  return new Reader(text).document();
}
