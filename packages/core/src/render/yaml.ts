/**
 * A YAML emitter specialized for plain data (objects, arrays, strings, numbers, booleans, null):
 * the only kind of value Slipway renders. It writes conventional block YAML, orders keys
 * deterministically, and quotes every string a YAML 1.1 or 1.2 reader could take for something else
 * (Helm and the Kubernetes API read YAML 1.1 through go-yaml: `on`, `yes`, `0755`, `1:20` are not
 * strings there).
 *
 * Why not `yaml.stringify`: it builds a document tree first and is most of the time of a naive
 * "objects → yaml.stringify → write" synth (bench/README.md compares the two on bench/synth's
 * objects). It walks the data once and concatenates strings. Round-trip correctness under
 * both YAML versions is proven by property tests against the `yaml` parser
 * (packages/core/test/render/yaml.test.ts).
 */

/** Keys that lead a mapping, in this order; all other keys follow sorted by code unit. */
const LEADING_KEYS = ["apiVersion", "kind", "metadata", "name", "namespace"] as const;

export interface EmitOptions {
  /**
   * Keep the mapping key order as given instead of sorting (for user-facing files with a logical order).
   * @default false
   */
  readonly preserveKeyOrder?: boolean;
}

/**
 * Serializes one document (no leading `---`), ending in a newline.
 * @example toYaml({ kind: "Service", apiVersion: "v1" }) // "apiVersion: v1\nkind: Service\n"
 */
export function toYaml(value: unknown, opts: EmitOptions = {}): string {
  const sort = opts.preserveKeyOrder !== true;
  if (typeof value === "object" && value !== null) {
    if (Array.isArray(value)) return value.length > 0 ? seqBlock(value, "", "", sort) : "[]\n";
    const keys = keysOf(value as Record<string, unknown>, sort);
    return keys.length > 0 ? mapBlock(value as Record<string, unknown>, keys, "", "", sort) : "{}\n";
  }
  // A top-level multi-line string is quoted: a root literal block could meet `---` at column 0.
  return `${typeof value === "string" && !isPlainSafe(value) ? quote(value) : scalar(value, "")}\n`;
}

/** Serializes several documents separated by `---`. */
export function toYamlStream(values: readonly unknown[], opts: EmitOptions = {}): string {
  let out = "";
  for (let i = 0; i < values.length; i++)
    out += i === 0 ? toYaml(values[i], opts) : `---\n${toYaml(values[i], opts)}`;
  return out;
}

// --- key order --------------------------------------------------------------------------------------

function leadingRank(k: string): number {
  // A switch compiles to length/char checks; cheaper than a hash lookup on this hot path.
  switch (k) {
    case "apiVersion":
      return 0;
    case "kind":
      return 1;
    case "metadata":
      return 2;
    case "name":
      return 3;
    case "namespace":
      return 4;
    default:
      return LEADING_KEYS.length;
  }
}

function compareKeys(a: string, b: string): number {
  const ra = leadingRank(a);
  const rb = leadingRank(b);
  if (ra !== rb) return ra - rb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The keys to emit, in emission order; `undefined` values are left out, as JSON does. */
function keysOf(obj: Record<string, unknown>, sort: boolean): string[] {
  let keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    if (obj[keys[i] as string] === undefined) {
      keys = keys.filter((k) => obj[k] !== undefined);
      break;
    }
  }
  if (sort && keys.length > 1) {
    if (keys.length <= 16) insertionSort(keys);
    else keys.sort(compareKeys);
  }
  return keys;
}

/**
 * Most objects have a handful of keys; sorting them in place with the comparison inlined is
 * faster for them than Array#sort with a callback.
 */
function insertionSort(keys: string[]): void {
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i] as string;
    const rk = leadingRank(k);
    let j = i - 1;
    for (; j >= 0; j--) {
      const p = keys[j] as string;
      const rp = leadingRank(p);
      if (rp < rk || (rp === rk && p < k)) break;
      keys[j + 1] = p;
    }
    keys[j + 1] = k;
  }
}

// --- blocks -----------------------------------------------------------------------------------------

/**
 * A non-empty mapping whose lines start at `indent`, except the first, which starts with `first`
 * (`indent` for a mapping on its own lines, a space after a sequence dash for the compact form).
 */
function mapBlock(
  obj: Record<string, unknown>,
  keys: readonly string[],
  indent: string,
  first: string,
  sort: boolean,
): string {
  const child = `${indent}  `;
  let out = "";
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const key = emitKey(k);
    // Implicit keys are limited to 1024 characters; longer ones need the explicit `? key` form.
    const head = key.length <= 1024 ? `${key}:` : `? ${key}\n${indent}:`;
    out += `${i === 0 ? first : indent}${head}${afterColon(obj[k], child, sort)}`;
  }
  return out;
}

/** A non-empty sequence whose lines start at `indent`, except the first, which starts with `first`. */
function seqBlock(arr: readonly unknown[], indent: string, first: string, sort: boolean): string {
  const child = `${indent}  `;
  let out = "";
  for (let i = 0; i < arr.length; i++) {
    out += `${i === 0 ? first : indent}-${seqItem(arr[i], child, sort)}`;
  }
  return out;
}

/** What follows `key:`: a scalar on the same line, or a nested block on the following lines. */
function afterColon(v: unknown, child: string, sort: boolean): string {
  if (typeof v === "object" && v !== null) {
    if (Array.isArray(v)) {
      // Sequences are indented under their key, as `yaml` and most Kubernetes docs do.
      return v.length > 0 ? `\n${seqBlock(v, child, child, sort)}` : " []\n";
    }
    const keys = keysOf(v as Record<string, unknown>, sort);
    return keys.length > 0
      ? `\n${mapBlock(v as Record<string, unknown>, keys, child, child, sort)}`
      : " {}\n";
  }
  return ` ${scalar(v, child)}\n`;
}

/** What follows a sequence dash: a scalar, or a nested block in compact form (`- name: x`). */
function seqItem(v: unknown, child: string, sort: boolean): string {
  if (typeof v === "object" && v !== null) {
    if (Array.isArray(v)) return v.length > 0 ? seqBlock(v, child, " ", sort) : " []\n";
    const keys = keysOf(v as Record<string, unknown>, sort);
    return keys.length > 0 ? mapBlock(v as Record<string, unknown>, keys, child, " ", sort) : " {}\n";
  }
  return ` ${scalar(v, child)}\n`;
}

// --- scalars ----------------------------------------------------------------------------------------

/** A scalar; `indent` is where the lines of a literal block go. */
function scalar(v: unknown, indent: string): string {
  switch (typeof v) {
    case "string":
      return str(v, indent);
    case "number":
      if (Number.isFinite(v)) return Object.is(v, -0) ? "-0" : String(v);
      return Number.isNaN(v) ? ".nan" : v > 0 ? ".inf" : "-.inf";
    case "boolean":
      return v ? "true" : "false";
    case "bigint":
      return v.toString();
    case "undefined":
      return "null";
    case "object":
      if (v === null) return "null";
      break;
  }
  throw new TypeError(`cannot emit ${Object.prototype.toString.call(v)} as YAML`);
}

// Keys repeat across every object of a kind; their quoting decision is cached. Bounded so that
// arbitrary data (label values used as keys) cannot grow it without limit.
const keyCache = new Map<string, string>();
const KEY_CACHE_MAX = 4096;

function emitKey(k: string): string {
  let e = keyCache.get(k);
  if (e === undefined) {
    e = isPlainSafe(k) ? k : quote(k);
    if (keyCache.size < KEY_CACHE_MAX) keyCache.set(k, e);
  }
  return e;
}

function str(s: string, indent: string): string {
  if (isPlainSafe(s)) return s;
  if (s.indexOf("\n") !== -1 && isLiteralSafe(s)) return literal(s, indent);
  return quote(s);
}

/**
 * Plain (unquoted) only when no YAML 1.1 or 1.2 reader could mistake it:
 * - printable ASCII only (no tabs, no line breaks; YAML 1.1 also breaks lines at U+0085, U+2028);
 * - starts with a letter, `_` or `/`, so never a number, date, `.inf`, or an indicator
 *   (`- ? : , [ ] { } # & * ! | > ' " % @` and backtick), or is a quantity such as `64Mi`, `1.5Gi`
 *   or `250m` (digits then letters only: not a number in any schema, nor hex/octal/binary);
 * - no `: ` or ` #` inside, and no trailing `:` or space;
 * - not one of the words YAML 1.1 or 1.2 resolves to a boolean or null, in any letter case, nor an
 *   exponent with nothing before it (`e5`, `E+3`: the `yaml` package's YAML 1.1 schema reads a float).
 */
const PLAIN = /^(?:[A-Za-z_/][\x20-\x7e]*|(?:[1-9][0-9]*(?:\.[0-9]+)?|0\.[0-9]+)[A-Za-z]+)$/;

// Words that resolve to booleans or null in YAML 1.1 (go-yaml v2, which sigs.k8s.io/yaml and Helm use)
// or 1.2, compared in lower case so that odd casings (`yEs`) stay quoted too, for any reader.
const RESERVED = new Set(["y", "n", "yes", "no", "on", "off", "true", "false", "null"]);

function isPlainSafe(s: string): boolean {
  if (!PLAIN.test(s)) return false;
  const last = s.charCodeAt(s.length - 1);
  if (last === 0x3a /* : */ || last === 0x20) return false;
  if (s.length <= 5 && RESERVED.has(s.toLowerCase())) return false;
  if ((s.charCodeAt(0) | 0x20) === 0x65 /* e or E */ && BARE_EXPONENT.test(s)) return false;
  return s.indexOf(": ") === -1 && s.indexOf(" #") === -1;
}

const BARE_EXPONENT = /^[eE][-+]?[0-9]+$/;

/**
 * Literal blocks (`|`) keep multi-line text readable. They are used only where both readers agree on
 * the result without an indentation indicator: no characters that need escapes (controls, CR,
 * YAML 1.1 line breaks, BOM, non-characters, lone surrogates), no whitespace-only lines, and a first
 * non-empty line that does not start with whitespace (it sets the block's indentation).
 */
const LITERAL_UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what a literal block scalar cannot hold
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|(?:^|\n)[ \t]+(?:\n|$)|^\n*[ \t]/;

function isLiteralSafe(s: string): boolean {
  return !LITERAL_UNSAFE.test(s) && /[^\n]/.test(s);
}

function literal(s: string, indent: string): string {
  // Chomping: `|-` strips the final line break, `|` keeps one, `|+` keeps all trailing ones.
  let body: string;
  let header: string;
  if (s.charCodeAt(s.length - 1) !== 0x0a) {
    header = "|-";
    body = s;
  } else if (s.charCodeAt(s.length - 2) !== 0x0a) {
    header = "|";
    body = s.slice(0, -1);
  } else {
    header = "|+";
    body = s.slice(0, -1);
  }
  // Every line indented, empty lines left empty; one replace makes one flat string (a line-by-line
  // concatenation of a long script leaves a rope behind).
  return `${header}\n${body}`.replace(NON_EMPTY_LINE, `\n${indent}`);
}

/** A line break followed by a non-empty line. */
const NON_EMPTY_LINE = /\n(?=[^\n])/g;

// JSON.stringify leaves these unescaped; YAML forbids them raw (non-printables) or YAML 1.1 reads them
// as line breaks (U+0085, U+2028, U+2029).
const QUOTE_EXTRA = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;

/** Double-quoted scalar: JSON's escapes are all valid YAML 1.1 and 1.2 escapes. */
function quote(s: string): string {
  const q = JSON.stringify(s);
  QUOTE_EXTRA.lastIndex = 0;
  if (!QUOTE_EXTRA.test(q)) return q;
  return q.replace(QUOTE_EXTRA, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
