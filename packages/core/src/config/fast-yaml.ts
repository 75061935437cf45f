/**
 * A fast path for the YAML that spec files are made of: block mappings and sequences, one-line flow
 * collections, plain and quoted one-line scalars, comments. Parsing thousands of service files with
 * the full `yaml` parser dominates `slipway synth` at scale; this handles the common shape in a
 * fraction of its time (bench/README.md).
 *
 * It never decides anything on its own: any construct outside the subset (anchors, tags, block
 * scalars, multi-line scalars, duplicate keys, tabs, several documents, unusual numbers) makes it
 * return `undefined`, and the caller parses with `yaml`, which also produces every diagnostic.
 * For what it accepts, the result equals `yaml.parse` (YAML 1.2 core schema); a property test
 * holds it to that.
 *
 * Why a second subset reader: this one reads users' spec files and must decline anything `yaml` would
 * report (a duplicate key, `a: b: c`), because those files need `yaml`'s diagnostics, while the other,
 * `check/schemas/fast-yaml.ts`, reads trusted CRDs and chart files, whose block scalars it must accept
 * (this one declines most CRDs for them, leaving `check` to the much slower `yaml`) and whose errors
 * it need not find (it reads a repeated key as the last one).
 */

/**
 * The limits the full path enforces with diagnostics (source.ts `LIMITS`): here anything near them
 * is declined, so a file over a limit always reaches the path that reports it, and this one never
 * recurses deeper than the limit.
 */
export const FAST_LIMITS = { depth: 64, valueChars: 64 * 1024 } as const;

interface Line {
  indent: number;
  text: string;
}

/** Thrown internally to abandon the fast path; never escapes {@link parseSimpleYaml}. */
class Unsupported extends Error {}

const unsupported = (): never => {
  throw new Unsupported();
};

/** Parses `text` if it is within the subset; `undefined` means "use the full parser". */
export function parseSimpleYaml(text: string): { value: unknown } | undefined {
  // Tabs, CRs, a BOM and non-printable characters are rare and have subtle rules: leave them to yaml.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what sends a file to the full parser
  if (/[\t\r\uFEFF\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(text)) return undefined;
  const lines: Line[] = [];
  for (const raw of text.split("\n")) {
    const trimmed = raw.trimStart();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    // A value can be no longer than its line.
    if (raw.length > FAST_LIMITS.valueChars) return undefined;
    if (/^(---|\.\.\.|%)/.test(trimmed) && raw === trimmed) return undefined;
    lines.push({ indent: raw.length - trimmed.length, text: trimmed.trimEnd() });
  }
  if (lines.length === 0) return undefined;
  try {
    const state = { lines, i: 0, depth: 0 };
    const first = lines[0] as Line;
    const value = parseBlock(state, first.indent);
    if (state.i !== lines.length) return undefined;
    if (typeof value !== "object" || value === null) return undefined;
    return { value };
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}

interface State {
  readonly lines: Line[];
  i: number;
  /** Collections open around the current line. */
  depth: number;
}

/** Enters one more level of nesting; past the limit the file is left to the full parser. */
function enter(depth: number): number {
  return depth + 1 > FAST_LIMITS.depth ? unsupported() : depth + 1;
}

const isSeqItem = (t: string) => t === "-" || t.startsWith("- ");

function parseBlock(st: State, indent: number): unknown {
  const line = st.lines[st.i];
  if (!line || line.indent !== indent) return unsupported();
  return isSeqItem(line.text) ? parseSeq(st, indent) : parseMap(st, indent);
}

function parseSeq(st: State, indent: number): unknown[] {
  const out: unknown[] = [];
  st.depth = enter(st.depth);
  for (
    let line = st.lines[st.i];
    line && line.indent === indent && isSeqItem(line.text);
    line = st.lines[st.i]
  ) {
    const rest = line.text.slice(1).trimStart();
    if (rest === "" || rest.startsWith("#")) {
      st.i++;
      out.push(nestedOrNull(st, indent, false));
      continue;
    }
    if (isSeqItem(rest) || splitKey(rest) !== undefined) {
      // `- key: v` or `- - v`: the item is a block starting at the column of `rest`; re-read this line there.
      line.indent += line.text.length - rest.length;
      line.text = rest;
      out.push(parseBlock(st, line.indent));
      continue;
    }
    st.i++;
    out.push(parseInlineValue(rest, st.depth));
  }
  const next = st.lines[st.i];
  if (next && next.indent > indent) unsupported();
  st.depth--;
  return out;
}

function parseMap(st: State, indent: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  st.depth = enter(st.depth);
  for (
    let line = st.lines[st.i];
    line && line.indent === indent && !isSeqItem(line.text);
    line = st.lines[st.i]
  ) {
    const kv = splitKey(line.text) ?? unsupported();
    const [key, rest] = kv;
    if (Object.hasOwn(out, key) || key === "__proto__") unsupported(); // yaml reports duplicates
    st.i++;
    out[key] =
      rest === "" || rest.startsWith("#") ? nestedOrNull(st, indent, true) : parseInlineValue(rest, st.depth);
  }
  const next = st.lines[st.i];
  if (next && next.indent > indent) unsupported();
  st.depth--;
  return out;
}

/** The value of `key:` or `-` with nothing after it: a nested block, or null. */
function nestedOrNull(st: State, indent: number, inMap: boolean): unknown {
  const next = st.lines[st.i];
  if (!next) return null;
  if (next.indent > indent) return parseBlock(st, next.indent);
  // A mapping's sequence value may sit at the mapping's own indentation (`key:\n- a`).
  if (inMap && next.indent === indent && isSeqItem(next.text)) return parseSeq(st, indent);
  return null;
}

const KEY = /^([A-Za-z_][\w.\-/]*):(?: +|$)/;

/** `key: rest` → [key, rest]; undefined when the line is not a simple key. */
function splitKey(text: string): [string, string] | undefined {
  const m = KEY.exec(text);
  if (!m) return undefined;
  const key = m[1] as string;
  // Keys that resolve to null or booleans become different keys in yaml's output.
  if (/^(null|true|false)$/i.test(key)) return unsupported();
  return [key, text.slice(m[0].length)];
}

/** A value written on the same line as its key or dash: a flow collection or a scalar. */
function parseInlineValue(text: string, depth: number): unknown {
  const c = text[0];
  if (c === "{" || c === "[") {
    const p = { s: text, i: 0, depth };
    const value = parseFlow(p);
    expectLineEnd(p.s.slice(p.i));
    return value;
  }
  if (c === '"' || c === "'") {
    const p = { s: text, i: 0, depth };
    const value = parseQuoted(p);
    expectLineEnd(p.s.slice(p.i));
    return value;
  }
  return resolvePlain(plainUntil(text, false));
}

/** After a value only spaces and a comment (which needs a space before `#`) may follow. */
function expectLineEnd(rest: string): void {
  if (rest === "") return;
  if (!/^ +#/.test(rest) && rest.trim() !== "") unsupported();
}

/** Reads a plain scalar up to a comment (or, in flow, a flow indicator); checks what yaml would reject. */
function plainUntil(text: string, flow: boolean): string {
  if (/^[-?:](?: |$)|^[&*!|>%@`#,\]}]/.test(text)) unsupported();
  let end = text.length;
  const comment = text.indexOf(" #");
  if (comment >= 0) end = comment;
  if (flow) {
    const m = /[,[\]{}]/.exec(text);
    if (m && m.index < end) end = m.index;
  }
  const s = text.slice(0, end).trimEnd();
  // `a: b` inside a value is a nested mapping (an error in yaml); a trailing ':' is ambiguous.
  if (s === "" || s.includes(": ") || s.endsWith(":") || (flow && /[[{]/.test(s))) unsupported();
  return s;
}

interface Cursor {
  readonly s: string;
  i: number;
  /** Collections open around the cursor, block ones included. */
  depth: number;
}

function skipSpaces(p: Cursor): void {
  while (p.s[p.i] === " ") p.i++;
}

function parseFlow(p: Cursor): unknown {
  const open = p.s[p.i];
  const close = open === "{" ? "}" : "]";
  const out: Record<string, unknown> | unknown[] = open === "{" ? {} : [];
  p.depth = enter(p.depth);
  p.i++;
  skipSpaces(p);
  if (p.s[p.i] === close) {
    p.i++;
    p.depth--;
    return out;
  }
  for (;;) {
    skipSpaces(p);
    if (Array.isArray(out)) {
      out.push(parseFlowValue(p));
    } else {
      const m = /^([A-Za-z_][\w.\-/]*): +/.exec(p.s.slice(p.i)) ?? unsupported();
      const key = m[1] as string;
      if (/^(null|true|false)$/i.test(key) || Object.hasOwn(out, key) || key === "__proto__") unsupported();
      p.i += m[0].length;
      out[key] = parseFlowValue(p);
    }
    skipSpaces(p);
    const c = p.s[p.i];
    p.i++;
    if (c === close) {
      p.depth--;
      return out;
    }
    if (c !== ",") unsupported();
    skipSpaces(p);
    // A trailing comma before the closing bracket is left to yaml.
    if (p.s[p.i] === close) unsupported();
  }
}

function parseFlowValue(p: Cursor): unknown {
  const c = p.s[p.i];
  if (c === "{" || c === "[") return parseFlow(p);
  if (c === '"' || c === "'") return parseQuoted(p);
  const s = plainUntil(p.s.slice(p.i), true);
  p.i += s.length;
  return resolvePlain(s);
}

function parseQuoted(p: Cursor): string {
  const q = p.s[p.i];
  if (q === "'") {
    let out = "";
    for (let i = p.i + 1; i < p.s.length; i++) {
      if (p.s[i] === "'") {
        if (p.s[i + 1] === "'") {
          out += "'";
          i++;
          continue;
        }
        p.i = i + 1;
        return out;
      }
      out += p.s[i];
    }
    return unsupported();
  }
  for (let i = p.i + 1; i < p.s.length; i++) {
    if (p.s[i] === "\\") {
      i++;
      continue;
    }
    if (p.s[i] === '"') {
      const body = p.s.slice(p.i, i + 1);
      // YAML's double-quoted escapes are a superset of JSON's; take only those JSON reads the same way.
      if (/\\[^"\\/bfnrtu]/.test(body)) unsupported();
      p.i = i + 1;
      try {
        return JSON.parse(body) as string;
      } catch {
        return unsupported();
      }
    }
  }
  return unsupported();
}

/** YAML 1.2 core schema resolution of a plain scalar, as the `yaml` package does it. */
function resolvePlain(s: string): unknown {
  if (s === "~" || s === "null" || s === "Null" || s === "NULL") return null;
  if (/^(true|True|TRUE)$/.test(s)) return true;
  if (/^(false|False|FALSE)$/.test(s)) return false;
  if (/^[-+]?[0-9]+$/.test(s)) {
    const n = Number(s);
    // Beyond 2^53 yaml keeps precision rules of its own; leave those to it.
    return Number.isSafeInteger(n) ? n : unsupported();
  }
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(s)) {
    // `1e999` is Infinity, which the detached copy (JSON) cannot carry: leave it to the full parser.
    const n = Number(s);
    return Number.isFinite(n) ? n : unsupported();
  }
  // Hex, octal, .inf and .nan are valid YAML numbers but never appear in a spec: use the full parser.
  if (/^(0x|0o|[-+]?\.(inf|nan))/i.test(s)) return unsupported();
  return s;
}
