import { lstatSync, readFileSync, type Stats } from "node:fs";
import { resolve } from "node:path";
import type { CST, Document, Node } from "yaml";
import { type Diagnostic, diag, printable, type SourceLocation } from "../diagnostics.js";
import { locateYaml, yamlPackage as yaml } from "../yaml-locate.js";
import { FAST_LIMITS, parseSimpleYaml } from "./fast-yaml.js";

type Token = CST.Token;

/**
 * A user's YAML file as far as diagnostics need it: its display name and a way to map a path
 * into its data back to `file:line:col`.
 *
 * It deliberately holds no parse tree: a platform with thousands of services would otherwise keep
 * every file's AST alive for the whole synth. Locating is only needed on the error path, so
 * {@link SourceFile.locate} re-parses the text on demand.
 */
export interface SourceFile {
  /** Path as the user should see it (relative to the working directory when possible). */
  readonly file: string;
  /**
   * Where `path` is in the file, by the one locator (yaml-locate.ts): falls back to the nearest
   * existing ancestor (or 1:1). With `key: true` the position of the key is returned instead of
   * its value, which is where an unknown or misspelled key should be pointed at.
   */
  locate(path: readonly (string | number)[], opts?: { key?: boolean }): SourceLocation;
}

/** The result of parsing a file: plain data for validation, and the lean {@link SourceFile}. */
export interface ParsedSource {
  readonly source: SourceFile;
  /** Plain data, or `undefined` when the file did not parse. */
  readonly data: unknown;
  /** Syntax problems; when non-empty, `data` is `undefined`. */
  readonly diagnostics: readonly Diagnostic[];
  /** True when the file holds no document at all (only whitespace or comments). */
  readonly empty: boolean;
}

/**
 * Reads and parses a YAML file. The returned source re-reads the file when a location is asked
 * for, so nothing of the file is retained; the CLI's caret excerpt reads the file the same way.
 */
export function readSource(file: string, displayName = file): ParsedSource {
  // Checked before reading, without following a link: a pull request can commit
  // `services/x.yaml -> ~/.git-credentials` (whose first line an error would print), or a link to
  // /dev/zero, a directory or a loop; and a hostile multi-gigabyte file is never loaded.
  const st = lstatSync(file);
  if (!st.isFile()) return refused(notAFile(displayName, st), displayName);
  const size = st.size;
  if (size > LIMITS.fileBytes) return refused(tooLarge(displayName, size), displayName);
  const text = readFileSync(file, "utf8");
  // The locator must not close over `text`: that would keep every file's text alive.
  return parseText(text, displayName, () => reread(file));
}

/** A file's text read again for a location, or "" when it is gone (positions fall back to 1:1). */
function reread(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/** Parses YAML text that is not on disk (tests, web requests); the source keeps the text. */
export function parseSource(text: string, file: string): ParsedSource {
  const size = Buffer.byteLength(text);
  if (size > LIMITS.fileBytes) return refused(tooLarge(file, size), file);
  return parseText(text, file, () => text);
}

/**
 * Bounds on a spec file, so a hostile one (a pull request to the platform repository) costs
 * milliseconds and is reported as input, never a crash: real spec files are a few KiB deep in
 * single digits.
 */
export const LIMITS = {
  /** Bytes in one file (platform.yaml, services/<name>.yaml). */
  fileBytes: 256 * 1024,
  /** Collections nested in one another, aliases expanded. */
  depth: FAST_LIMITS.depth,
  /** Characters in one key or value. */
  valueChars: FAST_LIMITS.valueChars,
  /** Values aliases may add to a document once expanded (a "billion laughs" stays far below). */
  aliasValues: 10_000,
  /** Syntax errors reported per file; a corrupt file's first few explain it. */
  syntaxErrors: 20,
} as const;

function tooLarge(file: string, size: number): Diagnostic {
  return diag("SW_SPEC_TOO_LARGE", `${file} is ${size} bytes, over the limit of ${LIMITS.fileBytes}`, {
    location: { file, line: 1, col: 1 },
    hint: "A spec file is a few KiB; split it, or look for a generated or pasted blob in it.",
  });
}

/** An input that is not a regular file: never read, never followed. */
export function notAFile(file: string, st: Stats): Diagnostic {
  const what = st.isSymbolicLink()
    ? "a symbolic link"
    : st.isDirectory()
      ? "a directory"
      : "not a regular file";
  return diag("SW_SPEC_NOT_A_FILE", `${file} is ${what}; slipway reads only regular files`, {
    location: { file, line: 1, col: 1 },
    hint: st.isSymbolicLink()
      ? "Replace the link with the file itself; a link in the repository could point at any file on the machine that runs slipway."
      : "Spec files are plain YAML files; remove or rename this entry.",
  });
}

function refused(d: Diagnostic, file: string): ParsedSource {
  return { source: lazySource(file, () => ""), data: undefined, diagnostics: [d], empty: false };
}

const SYNTAX_HINTS: Record<string, string> = {
  TAB_AS_INDENT: "YAML indents with spaces only; replace the tab characters with spaces.",
  MULTIPLE_DOCS: "Put one document per file: one service per services/<name>.yaml.",
  BAD_INDENT:
    "Check the indentation (nested keys are indented further than their parent) and that every '[', '{' or quote opened above is closed.",
  MISSING_CHAR: "A character is missing here, such as a ':' after a key or a closing quote or bracket.",
  BLOCK_AS_IMPLICIT_KEY: "A key is missing its ':' or the line above is indented wrongly.",
};

const GENERIC_SYNTAX_HINT = "Fix the YAML syntax at this position (indentation, quoting, a missing ':').";

function parseText(text: string, file: string, reload: () => string): ParsedSource {
  // Most spec files are plain block YAML; the fast path reads those, anything else (including
  // every file with an error or beyond a limit) goes through the full parser, which owns all diagnostics.
  const fast = parseSimpleYaml(text);
  if (fast)
    return { source: lazySource(file, reload), data: detach(fast.value), diagnostics: [], empty: false };
  const { Composer, LineCounter, Parser } = yaml();
  const lines = new LineCounter();
  const at = (offset: number): SourceLocation => ({ file, ...lines.linePos(offset) });
  // A corrupt file yields an error object per token; their stack traces were most of the time
  // on a large corrupt file, and nothing reads them.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    // The CST is built without recursion; its depth is checked before the composer (recursive) sees it.
    // The lexer alone finds deep flow nesting (a megabyte of '['), which the CST parser takes
    // seconds and a gigabyte to build.
    const flowDeep = flowTooDeepOffset(text);
    if (flowDeep !== undefined) return refused(tooDeep(offsetLocation(text, flowDeep, file)), file);
    // Tokens come lazily: on a corrupt file (every line a stray token) reading stops after the
    // errors that will be reported, instead of lexing and composing the whole megabyte.
    const tokens: unknown[] = [];
    let strayErrors = 0;
    let truncated = false;
    for (const t of new Parser(lines.addNewLine).parse(text)) {
      tokens.push(t);
      if (t.type === "error" && ++strayErrors > 4 * LIMITS.syntaxErrors) {
        truncated = true;
        break;
      }
    }
    const deep = tooDeepOffset(tokens);
    if (deep !== undefined) return refused(tooDeep(at(deep)), file);
    let doc: Document.Parsed | undefined;
    let extraDoc: readonly [number, number, number] | undefined;
    // yaml's own duplicate check compares each key with every earlier one (100k keys: 4 s);
    // duplicateKeys() does it with a set.
    const composer = new Composer({ prettyErrors: false, uniqueKeys: false, strict: true });
    for (const d of composer.compose(tokens as Iterable<Token>, true, text.length)) {
      if (!doc) doc = d;
      else {
        extraDoc = d.range;
        break;
      }
    }
    // A bug past this point keeps its stack trace (SLIPWAY_DEBUG=1).
    Error.stackTraceLimit = stackTraceLimit;
    if (!doc) return { source: lazySource(file, reload), data: undefined, diagnostics: [], empty: true };
    const diagnostics = syntaxDiagnostics(doc, extraDoc, truncated, at);
    if (diagnostics.length > 0)
      return { source: lazySource(file, reload), data: undefined, diagnostics, empty: false };
    const problem = checkLimits(doc, at);
    if (problem) return refused(problem, file);
    const empty = doc.contents === null;
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      // yaml's own bound on aliases; checkLimits reports every case we know of first.
      if (!(e instanceof ReferenceError)) throw e;
      return refused(aliasProblem(firstLine(e.message), at(0)), file);
    }
    return { source: lazySource(file, reload), data, diagnostics: [], empty };
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

function syntaxDiagnostics(
  doc: Document.Parsed,
  extraDoc: readonly [number, number, number] | undefined,
  truncated: boolean,
  at: (offset: number) => SourceLocation,
): Diagnostic[] {
  const errors: { code: string; message: string; pos: number }[] = doc.errors.map((e) => ({
    code: e.code,
    message: e.message,
    pos: e.pos[0],
  }));
  const dups = duplicateKeys(doc);
  if (dups.length > 0) {
    errors.push(...dups);
    errors.sort((a, b) => a.pos - b.pos);
  }
  if (extraDoc)
    errors.push({ code: "MULTIPLE_DOCS", message: "Source contains multiple documents", pos: extraDoc[0] });
  const diagnostics: Diagnostic[] = [];
  const seenLines = new Set<number>();
  let more = 0;
  for (const e of errors) {
    const location = at(e.pos);
    // One mistake (a tab, an unclosed bracket) often yields several errors on its line; the first explains it.
    if (seenLines.has(location.line)) continue;
    seenLines.add(location.line);
    if (diagnostics.length === LIMITS.syntaxErrors) {
      more++;
      continue;
    }
    const dup = e.code === "DUPLICATE_KEY";
    const tab = e.code === "TAB_AS_INDENT" || /\btab/i.test(e.message);
    diagnostics.push(
      diag(dup ? "SW_YAML_DUPLICATE_KEY" : "SW_YAML_SYNTAX", firstLine(e.message), {
        location,
        hint: dup
          ? "A key may appear once per mapping; remove or rename one of them."
          : ((tab ? SYNTAX_HINTS.TAB_AS_INDENT : SYNTAX_HINTS[e.code]) ?? GENERIC_SYNTAX_HINT),
      }),
    );
  }
  if (more > 0 || truncated) {
    const last = diagnostics.at(-1);
    const rest = truncated
      ? "the rest of the file has more syntax errors and was not read"
      : `${more} more lines with syntax errors are not shown`;
    diagnostics.push(
      diag("SW_YAML_MORE_ERRORS", rest, {
        severity: "info",
        ...(last?.location ? { location: last.location } : {}),
        hint: `Only the first ${LIMITS.syntaxErrors} are reported; fix those and run again.`,
      }),
    );
  }
  return diagnostics;
}

/** Keys repeated in a mapping, as yaml's `uniqueKeys` finds them (equal scalar values), in linear time. */
function duplicateKeys(doc: Document.Parsed): { code: string; message: string; pos: number }[] {
  const { isMap, isScalar, visit } = yaml();
  const found: { code: string; message: string; pos: number }[] = [];
  visit(doc, {
    Map: (_k, map) => {
      if (!isMap(map)) return;
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        if (seen.has(pair.key.value))
          found.push({
            code: "DUPLICATE_KEY",
            message: "Map keys must be unique",
            pos: pair.key.range?.[0] ?? 0,
          });
        seen.add(pair.key.value);
      }
    },
  });
  return found;
}

/**
 * The offset of the first '[' or '{' nested deeper than the limit, or of the first '-' or '?' past
 * it on one line (`- - - x` nests a sequence per dash), from the lexer's tokens. Only nesting by
 * indentation is left to the CST, and that needs a quadratic amount of text.
 */
function flowTooDeepOffset(text: string): number | undefined {
  const { Lexer } = yaml();
  let depth = 0;
  let compact = 0;
  let offset = 0;
  for (const lexeme of new Lexer().lex(text)) {
    if (lexeme === "[" || lexeme === "{") {
      if (++depth > LIMITS.depth) return offset;
    } else if (lexeme === "]" || lexeme === "}") depth = Math.max(0, depth - 1);
    else if (lexeme === "\n") compact = 0;
    else if ((lexeme === "-" || lexeme === "?") && depth === 0 && ++compact > LIMITS.depth) return offset;
    // The lexer's control lexemes (document start, flow end, scalar) are not in the text.
    if (lexeme !== "\x02" && lexeme !== "\x18" && lexeme !== "\x1f") offset += lexeme.length;
  }
  return undefined;
}

function offsetLocation(text: string, offset: number, file: string): SourceLocation {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { file, line, col: offset - lineStart + 1 };
}

interface CstToken {
  readonly type: string;
  readonly offset: number;
  readonly value?: unknown;
  readonly items?: readonly { key?: unknown; value?: unknown }[];
}

/** The offset of the first collection nested deeper than the limit in the CST, walked without recursion. */
function tooDeepOffset(tokens: readonly unknown[]): number | undefined {
  const stack: [CstToken, number][] = [];
  for (const t of tokens) stack.push([t as CstToken, 0]);
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [t, depth] = top;
    if (t.type === "document" && t.value) stack.push([t.value as CstToken, depth]);
    if (!t.items) continue;
    if (depth + 1 > LIMITS.depth) return t.offset;
    for (const item of t.items) {
      if (item.key && typeof item.key === "object") stack.push([item.key as CstToken, depth + 1]);
      if (item.value && typeof item.value === "object") stack.push([item.value as CstToken, depth + 1]);
    }
  }
  return undefined;
}

function tooDeep(location: SourceLocation): Diagnostic {
  return diag("SW_SPEC_TOO_DEEP", `collections are nested more than ${LIMITS.depth} levels deep`, {
    location,
    hint: "A spec is a few levels deep; look for unclosed '[' or '{', or an alias inside its own anchor.",
  });
}

function aliasProblem(message: string, location: SourceLocation): Diagnostic {
  return diag("SW_SPEC_ALIAS", message, {
    location,
    hint: "Define each anchor (&name) before its aliases (*name), and use aliases to share a few values, not to multiply them.",
  });
}

/**
 * Walks the composed document once, following aliases (each anchor's size and height measured once):
 * undefined aliases, aliases inside their own anchor, expansion beyond {@link LIMITS.aliasValues},
 * nesting beyond {@link LIMITS.depth} once expanded, and keys or values over {@link LIMITS.valueChars}.
 */
function checkLimits(doc: Document.Parsed, at: (offset: number) => SourceLocation): Diagnostic | undefined {
  const { isAlias, isCollection, isPair, isScalar, visit } = yaml();
  const anchors = new Map<string, Node>();
  const measured = new Map<Node, { size: number; height: number }>();
  const open = new Set<Node>();
  let aliasValues = 0;
  let problem: Diagnostic | undefined;
  const where = (n: Node | null | undefined) => at(n?.range?.[0] ?? 0);

  // Anchors in document order, so an alias sees the last anchor of its name before it (YAML's rule).
  const order: Node[] = [];
  visit(doc, {
    Node: (_k, n) => {
      order.push(n);
    },
  });
  const target = new Map<Node, Node | undefined>();
  for (const n of order) {
    if (isAlias(n)) target.set(n, anchors.get(n.source));
    else if (n.anchor) anchors.set(n.anchor, n);
  }

  // Recursion is bounded: it stops as soon as a height passes the limit.
  const measure = (n: unknown, depth: number): { size: number; height: number } => {
    if (problem || n === null || n === undefined || typeof n !== "object") return { size: 0, height: 0 };
    if (isPair(n)) {
      const k = measure(n.key, depth);
      const v = measure(n.value, depth);
      return { size: k.size + v.size, height: Math.max(k.height, v.height) };
    }
    const node = n as Node;
    if (isAlias(node)) {
      const t = target.get(node);
      if (!t) {
        problem = aliasProblem(`alias *${printable(node.source)} has no anchor before it`, where(node));
        return { size: 0, height: 0 };
      }
      if (open.has(t)) {
        problem = aliasProblem(`alias *${printable(node.source)} is inside its own anchor`, where(node));
        return { size: 0, height: 0 };
      }
      // The anchor's own height, checked here so an expansion too deep is reported at the alias.
      const m = measured.get(t) ?? measure(t, depth);
      if (depth + m.height > LIMITS.depth) problem ??= tooDeep(where(node));
      aliasValues += m.size;
      if (!problem && aliasValues > LIMITS.aliasValues)
        problem = aliasProblem(
          `aliases expand to more than ${LIMITS.aliasValues} values (*${printable(node.source)} and those before it)`,
          where(node),
        );
      return m;
    }
    if (isScalar(node)) {
      if (typeof node.value === "string" && node.value.length > LIMITS.valueChars)
        problem = diag(
          "SW_SPEC_VALUE_TOO_LONG",
          `a value of ${node.value.length} characters is over the limit of ${LIMITS.valueChars}`,
          {
            location: where(node),
            hint: "Keep large content (certificates, scripts) out of the spec; reference it.",
          },
        );
      return { size: 1, height: 0 };
    }
    if (!isCollection(node)) return { size: 1, height: 0 };
    if (depth + 1 > LIMITS.depth) {
      problem = tooDeep(where(node));
      return { size: 0, height: 0 };
    }
    open.add(node);
    let size = 1;
    let height = 0;
    for (const item of node.items) {
      const m = measure(item, depth + 1);
      size += m.size;
      height = Math.max(height, m.height);
      if (problem) break;
    }
    open.delete(node);
    const result = { size, height: height + 1 };
    measured.set(node, result);
    return result;
  };
  measure(doc.contents, 0);
  return problem;
}

/**
 * Where `path` is in the file a {@link SourceFile} was read from, by its display name (relative to
 * the working directory, or absolute): for problems found after loading, when the sources are gone.
 */
export function locateInFile(
  file: string,
  path: readonly (string | number)[],
  opts: { key?: boolean } = {},
): SourceLocation {
  return locateYaml(reread(resolve(file)), file, path, opts);
}

function lazySource(file: string, reload: () => string): SourceFile {
  return { file, locate: (path, opts = {}) => locateYaml(reload(), file, path, opts) };
}

function firstLine(s: string): string {
  return s.split("\n")[0] ?? s;
}

/**
 * A copy of parsed data that shares no memory with the file's text. The scalars the fast path
 * cuts out of `text` are V8 sliced strings, each holding the whole text alive: every file's text
 * would stay in memory for the whole synth. JSON round-trips plain data exactly here:
 * the fast path yields only strings, finite numbers, booleans, null, arrays and plain objects.
 */
function detach(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}
