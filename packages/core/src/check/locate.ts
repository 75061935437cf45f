import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from "yaml";
import type { Diagnostic, SourceLocation } from "../diagnostics.js";
import type { OutputFile } from "../render/files.js";

/**
 * Line and column of a path inside one document of a rendered file. Positions are only needed for
 * the few objects with findings, so files are parsed a second time, with positions, on demand.
 * A path that does not exist (a missing required field) resolves to its nearest existing parent.
 */
export function locate(
  content: string,
  doc: number,
  path: readonly (string | number)[],
  file: string,
): SourceLocation {
  return locateIn(parseWithPositions(content), doc, path, file);
}

interface Positioned {
  readonly lc: LineCounter;
  readonly docs: readonly { contents: unknown }[];
}

function parseWithPositions(content: string): Positioned {
  const lc = new LineCounter();
  const docs = parseAllDocuments(content, { lineCounter: lc, uniqueKeys: false });
  return { lc, docs: Array.isArray(docs) ? docs : [] };
}

function locateIn(
  p: Positioned,
  doc: number,
  path: readonly (string | number)[],
  file: string,
): SourceLocation {
  const lc = p.lc;
  const d = p.docs[doc];
  let node: unknown = d?.contents;
  let range: readonly number[] | undefined = (node as Node | undefined)?.range ?? undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
      );
      if (!pair) break;
      range = (pair.key as Node).range ?? range;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      range = item.range ?? range;
      node = item;
    } else break;
  }
  const start = lc.linePos(range?.[0] ?? 0);
  return { file, line: start.line, col: start.col };
}

/**
 * Fills `location` (file:line:col) of diagnostics that name a rendered file and a document.
 * Findings arrive as `{ file, doc, diagnostic }`; each file is re-parsed once.
 */
export function withLocations(
  findings: readonly Finding[],
  files: ReadonlyMap<string, OutputFile>,
): Diagnostic[] {
  const cache = new Map<string, Positioned>();
  return findings.map((f) => {
    if (f.diagnostic.location) return f.diagnostic;
    const file = files.get(f.file);
    let location: SourceLocation = { file: f.file, line: 1, col: 1 };
    if (file && (file.path.endsWith(".yaml") || file.path.endsWith(".yml"))) {
      let p = cache.get(file.path);
      if (!p) {
        p = parseWithPositions(file.content);
        cache.set(file.path, p);
      }
      location = locateIn(p, f.doc, f.diagnostic.path, f.file);
    }
    return { ...f.diagnostic, location };
  });
}

/** A diagnostic about a rendered file before its position is resolved. */
export interface Finding {
  readonly file: string;
  readonly doc: number;
  readonly diagnostic: Diagnostic;
}
