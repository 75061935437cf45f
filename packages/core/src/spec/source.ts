import { readFileSync } from "node:fs";
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { type Diagnostic, diag, type SourceLocation } from "../diagnostics.js";

/**
 * A user's YAML file kept with its parse tree, so that any path into the data can be mapped
 * back to `file:line:col` after schema validation.
 */
export interface SourceFile {
  /** Path as the user should see it (relative to the working directory when possible). */
  readonly file: string;
  readonly text: string;
  /** Plain data, or `undefined` when the file did not parse. */
  readonly data: unknown;
  /** Syntax problems; when non-empty, `data` must not be trusted. */
  readonly diagnostics: readonly Diagnostic[];
  /** Where `path` is in the file; falls back to the nearest existing ancestor. */
  locate(path: readonly (string | number)[], opts?: { key?: boolean }): SourceLocation;
}

export function readSource(file: string, displayName = file): SourceFile {
  return parseSource(readFileSync(file, "utf8"), displayName);
}

export function parseSource(text: string, file: string): SourceFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col };
  };
  const diagnostics: Diagnostic[] = [];
  for (const e of doc.errors) {
    const code = e.code === "DUPLICATE_KEY" ? "SW_YAML_DUPLICATE_KEY" : "SW_YAML_SYNTAX";
    diagnostics.push(
      diag(code, firstLine(e.message), {
        location: at(e.pos[0]),
        hint:
          code === "SW_YAML_DUPLICATE_KEY"
            ? "A key may appear once per mapping; remove or rename one of them."
            : "Fix the YAML syntax at this position (indentation, quoting, a missing ':').",
      }),
    );
  }
  const locate = (path: readonly (string | number)[], opts: { key?: boolean } = {}): SourceLocation => {
    let node: unknown = doc.contents;
    let best: [number, number, number] | undefined = rangeOf(node);
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
        );
        if (!pair) break;
        const wantKey = opts.key === true && i === path.length - 1;
        const keyRange = rangeOf(pair.key);
        node = pair.value;
        best = (wantKey ? keyRange : (rangeOf(node) ?? keyRange)) ?? best;
        if (wantKey) break;
      } else if (isSeq(node) && typeof seg === "number") {
        node = node.items[seg];
        best = rangeOf(node) ?? best;
      } else break;
    }
    if (!best) return { file, line: 1, col: 1 };
    const start = at(best[0]);
    const end = lineCounter.linePos(best[1]);
    return { ...start, endLine: end.line, endCol: end.col };
  };
  const data = diagnostics.length === 0 ? doc.toJS({ maxAliasCount: 100 }) : undefined;
  return { file, text, data, diagnostics, locate };
}

function rangeOf(node: unknown): [number, number, number] | undefined {
  const r = (node as Node | null | undefined)?.range;
  return r ? [r[0], r[1], r[2]] : undefined;
}

function firstLine(s: string): string {
  return s.split("\n")[0] ?? s;
}
