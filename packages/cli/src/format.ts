import { readFileSync } from "node:fs";
import { type Diagnostic, formatPath, SlipwayError } from "@slipway/core";

/** Exit codes of the command-line contract (DESIGN.md). */
export const EXIT = { ok: 0, failed: 1, invalid: 2 } as const;

const useColor = (stream: NodeJS.WriteStream) => stream.isTTY === true && !("NO_COLOR" in process.env);

/**
 * Formats a diagnostic the way compilers do: `file:line:col: error CODE: message`, the path in
 * the YAML, a caret excerpt of the line, and the hint.
 */
export function formatDiagnostic(d: Diagnostic, color = false): string {
  const red = (s: string) => (color ? `\x1b[31m${s}\x1b[0m` : s);
  const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[0m` : s);
  const loc = d.location ? `${d.location.file}:${d.location.line}:${d.location.col}: ` : "";
  const lines = [`${loc}${red(d.severity)} ${d.code}: ${d.message}`];
  if (d.path.length > 0) lines.push(`  at ${formatPath(d.path)}`);
  const excerpt = d.location
    ? caretExcerpt(
        d.location.file,
        d.location.line,
        d.location.col,
        d.location.endLine === d.location.line ? d.location.endCol : undefined,
      )
    : undefined;
  if (excerpt) lines.push(excerpt);
  if (d.hint) lines.push(dim(`  hint: ${d.hint}`));
  return lines.join("\n");
}

function caretExcerpt(file: string, line: number, col: number, endCol?: number): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const src = text.split("\n")[line - 1];
  if (src === undefined) return undefined;
  const gutter = String(line).padStart(4);
  const width = Math.max(1, (endCol ?? col + 1) - col);
  return `${gutter} | ${src}\n${" ".repeat(gutter.length)} | ${" ".repeat(Math.max(0, col - 1))}${"^".repeat(Math.min(width, Math.max(1, src.length - col + 1)))}`;
}

/** Prints an error and returns its exit code; unknown errors are bugs and keep their stack. */
export function reportError(e: unknown): number {
  if (e instanceof SlipwayError) {
    const color = useColor(process.stderr);
    for (const d of e.diagnostics) process.stderr.write(`${formatDiagnostic(d, color)}\n`);
    const n = e.diagnostics.length;
    process.stderr.write(`${n} problem${n === 1 ? "" : "s"}\n`);
    return e.kind === "conflict" ? EXIT.failed : EXIT.invalid;
  }
  process.stderr.write(
    `slipway: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  );
  return 70;
}

export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
