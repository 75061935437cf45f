import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import type { Node } from "yaml";
import { type Diagnostic, diag, type SourceLocation } from "../diagnostics.js";
import { parseSimpleYaml } from "./fast-yaml.js";

/**
 * The `yaml` package, loaded on first use: the fast path reads almost every spec file, so a run
 * without errors or unusual YAML never loads it (~1 MiB of resident memory and ~10 ms saved).
 */
let yamlModule: typeof import("yaml") | undefined;
function yaml(): typeof import("yaml") {
  yamlModule ??= createRequire(import.meta.url)("yaml") as typeof import("yaml");
  return yamlModule;
}

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
   * Where `path` is in the file; falls back to the nearest existing ancestor (or 1:1).
   * With `key: true` the position of the last segment's key is returned instead of its value,
   * which is where an unknown or misspelled key should be pointed at.
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
  return parseText(text, file, () => text);
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
  // every file with an error) goes through the full parser, which owns all diagnostics.
  const fast = parseSimpleYaml(text);
  if (fast)
    return { source: lazySource(file, reload), data: detach(fast.value), diagnostics: [], empty: false };
  const { parseDocument, LineCounter } = yaml();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, strict: true });
  const diagnostics: Diagnostic[] = [];
  if (doc.errors.length > 0) {
    const lines = new LineCounter();
    // The lexer reports every newline to the counter; re-lexing only happens on this error path.
    parseDocument(text, { lineCounter: lines, prettyErrors: false });
    const seenLines = new Set<number>();
    for (const e of doc.errors) {
      const pos = lines.linePos(e.pos[0]);
      // One mistake (a tab, an unclosed bracket) often yields several errors on its line; the first explains it.
      if (seenLines.has(pos.line)) continue;
      seenLines.add(pos.line);
      const dup = e.code === "DUPLICATE_KEY";
      const tab = e.code === "TAB_AS_INDENT" || /\btab/i.test(e.message);
      diagnostics.push(
        diag(dup ? "SW_YAML_DUPLICATE_KEY" : "SW_YAML_SYNTAX", firstLine(e.message), {
          location: { file, ...pos },
          hint: dup
            ? "A key may appear once per mapping; remove or rename one of them."
            : ((tab ? SYNTAX_HINTS.TAB_AS_INDENT : SYNTAX_HINTS[e.code]) ?? GENERIC_SYNTAX_HINT),
        }),
      );
    }
  }
  const empty = doc.contents === null && diagnostics.length === 0;
  const data = diagnostics.length === 0 ? doc.toJS({ maxAliasCount: 100 }) : undefined;
  return { source: lazySource(file, reload), data, diagnostics, empty };
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
  return locateIn(reread(resolve(file)), file, path, opts.key === true);
}

function lazySource(file: string, reload: () => string): SourceFile {
  return {
    file,
    locate: (path, opts = {}) => locateIn(reload(), file, path, opts.key === true),
  };
}

function locateIn(
  text: string,
  file: string,
  path: readonly (string | number)[],
  wantKey: boolean,
): SourceLocation {
  const { parseDocument, LineCounter, isMap, isPair, isScalar, isSeq } = yaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  let node: unknown = doc.contents;
  let best = rangeOf(node);
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
      );
      if (!pair) break;
      const keyRange = rangeOf(pair.key);
      if (wantKey && i === path.length - 1) {
        best = keyRange ?? best;
        break;
      }
      node = pair.value;
      // `key:` with no value has no value node: point at the key instead.
      best = rangeOf(node) ?? keyRange ?? best;
    } else if (isSeq(node) && typeof seg === "number") {
      node = node.items[seg];
      best = rangeOf(node) ?? best;
    } else break;
  }
  if (!best) return { file, line: 1, col: 1 };
  const start = lineCounter.linePos(best[0]);
  const end = lineCounter.linePos(best[1]);
  return { file, line: start.line, col: start.col, endLine: end.line, endCol: end.col };
}

function rangeOf(node: unknown): readonly [number, number] | undefined {
  const r = (node as Node | null | undefined)?.range;
  return r ? [r[0], r[1]] : undefined;
}

function firstLine(s: string): string {
  return s.split("\n")[0] ?? s;
}

/**
 * A copy of parsed data that shares no memory with the file's text. The scalars the fast path
 * cuts out of `text` are V8 sliced strings, each holding the whole text alive: at 5000 services
 * that kept every file (~7 MiB) for the whole synth. JSON round-trips plain data exactly here:
 * the fast path yields only strings, finite numbers, booleans, null, arrays and plain objects.
 */
function detach(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}
