import { createRequire } from "node:module";
import type { Document, LineCounter, Node } from "yaml";
import type { SourceLocation } from "./diagnostics.js";

/**
 * The one locator: where a path into a YAML document (`["spec", "services", 0, "port"]`) is in the
 * text, as `file:line:col` and the span to its end. Every diagnostic that points into YAML goes
 * through it: the user's spec files (config/source.ts) and the rendered files `check` reports on
 * (check/locate.ts).
 *
 * A mapping entry is located at its value, or with `key` at its key (where an unknown key, or a
 * rendered object's field, is pointed at); a sequence item at the item. A path that does not exist
 * (a missing required field) resolves to its nearest existing ancestor, located the same way.
 *
 * Positions are only needed on the error path, so the text is parsed again, with positions, when a
 * location is asked for; parsing needs the `yaml` package, which {@link yamlPackage} loads then.
 */
export interface LocateOptions {
  /** Which document of a multi-document file (rendered files hold several); default the first. */
  readonly doc?: number;
  /** Point at the last segment's key instead of its value. */
  readonly key?: boolean;
}

let yamlModule: typeof import("yaml") | undefined;

/**
 * The `yaml` package, loaded on first use: the spec's fast path reads almost every file, so a run
 * without errors or unusual YAML never loads it (what that saves: bench/README.md).
 */
export function yamlPackage(): typeof import("yaml") {
  yamlModule ??= createRequire(import.meta.url)("yaml") as typeof import("yaml");
  return yamlModule;
}

/** A text parsed once with positions, to locate many paths in it (a file's findings come together). */
export interface YamlPositions {
  locate(file: string, path: readonly (string | number)[], opts?: LocateOptions): SourceLocation;
}

/** Parses `text` with positions; hold the result only while its file's diagnostics are located. */
export function yamlPositions(text: string): YamlPositions {
  const { parseAllDocuments, LineCounter } = yamlPackage();
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const docs: readonly Document[] = Array.isArray(parsed) ? parsed : [];
  return { locate: (file, path, opts = {}) => locateIn(docs, lineCounter, file, path, opts) };
}

/**
 * The last text located in, parsed: a file's diagnostics are located one after another, and parsing
 * it again for each cost minutes on a file of thousands of wrong values. One entry, and only on the
 * error path, so no file's tree outlives the next.
 */
let last: { text: string; positions: YamlPositions } | undefined;

/** Where `path` is in `text` (see the module's comment), `file` naming it. */
export function locateYaml(
  text: string,
  file: string,
  path: readonly (string | number)[],
  opts: LocateOptions = {},
): SourceLocation {
  if (last?.text !== text) last = { text, positions: yamlPositions(text) };
  return last.positions.locate(file, path, opts);
}

function locateIn(
  docs: readonly Document[],
  lineCounter: LineCounter,
  file: string,
  path: readonly (string | number)[],
  opts: LocateOptions,
): SourceLocation {
  const { isMap, isPair, isScalar, isSeq } = yamlPackage();
  let node: unknown = docs[opts.doc ?? 0]?.contents;
  let best = rangeOf(node);
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
      );
      if (!pair) break;
      const keyRange = rangeOf(pair.key);
      node = pair.value;
      best = (opts.key === true ? keyRange : (rangeOf(node) ?? keyRange)) ?? best;
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
