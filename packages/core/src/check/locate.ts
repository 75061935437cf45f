import type { Diagnostic, SourceLocation } from "../diagnostics.js";
import type { OutputFile } from "../render/files.js";
import { type YamlPositions, yamlPositions } from "../yaml-locate.js";

/**
 * Fills `location` (file:line:col) of diagnostics that name a rendered file and a document, with
 * the one locator (yaml-locate.ts) at the key of the field the finding is about: positions are
 * only needed for the few objects with findings, so each such file is parsed a second time, with
 * positions, once. A path that does not exist (a missing required field) resolves to its nearest
 * existing parent.
 */
export function withLocations(
  findings: readonly Finding[],
  files: ReadonlyMap<string, OutputFile>,
): Diagnostic[] {
  const cache = new Map<string, YamlPositions>();
  return findings.map((f) => {
    if (f.diagnostic.location) return f.diagnostic;
    const file = files.get(f.file);
    let location: SourceLocation = { file: f.file, line: 1, col: 1 };
    if (file && (file.path.endsWith(".yaml") || file.path.endsWith(".yml"))) {
      let p = cache.get(file.path);
      if (!p) {
        p = yamlPositions(file.content);
        cache.set(file.path, p);
      }
      location = p.locate(f.file, f.diagnostic.path, { doc: f.doc, key: true });
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
