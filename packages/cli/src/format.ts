import { lstatSync, readFileSync } from "node:fs";
import { type Diagnostic, ERROR_KINDS, formatPath, printable, SlipwayError } from "@slipway/core/lite";

/**
 * Exit codes of the command-line contract (DESIGN.md): 0 ok, 1 check failed / stale / conflict,
 * 2 invalid input (config, arguments). `internal` (70, sysexits EX_SOFTWARE) is a bug in slipway,
 * kept apart so a script never mistakes a crash for "stale" or "invalid".
 */
export const EXIT = { ok: 0, failed: 1, invalid: 2, internal: 70 } as const;

/** The mark before a path in a list of changes (`synth --check`, `new`), as in `git status`. */
export const CHANGE_MARK = { added: "+", changed: "~", deleted: "-", unchanged: " " } as const;

/** Colour only on a terminal, and never when NO_COLOR is set to anything (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== "dumb";
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is what starts an ANSI colour code
const ANSI = /\x1b\[[0-9;]*m/g;

/** Removes ANSI colour codes (citty colours its usage text unconditionally). */
export function stripAnsi(s: string): string {
  return s.replace(ANSI, "");
}

export function out(s: string): void {
  process.stdout.write(s);
}

export function err(s: string): void {
  process.stderr.write(s);
}

/**
 * Formats a diagnostic the way compilers do: `file:line:col: error CODE: message`, the path in
 * the YAML, a caret excerpt of the line, and the hint.
 */
export function formatDiagnostic(d: Diagnostic, color = false): string {
  const red = (s: string) => (color ? `\x1b[31m${s}\x1b[0m` : s);
  const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[0m` : s);
  // Messages, paths and file names quote the user's input: never let it reach the terminal raw.
  const loc = d.location ? `${printable(d.location.file)}:${d.location.line}:${d.location.col}: ` : "";
  const lines = [`${loc}${red(d.severity)} ${d.code}: ${printable(d.message)}`];
  if (d.path.length > 0) lines.push(`  at ${printable(formatPath(d.path))}`);
  // Write conflicts point at a whole file, not a position in it: an excerpt of line 1 says nothing.
  const excerpt =
    d.location && !d.code.startsWith("SW_WRITE_")
      ? caretExcerpt(
          d.location.file,
          d.location.line,
          d.location.col,
          d.location.endLine === d.location.line ? d.location.endCol : undefined,
        )
      : undefined;
  if (excerpt) lines.push(excerpt);
  if (d.hint) lines.push(dim(`  hint: ${printable(d.hint)}`));
  return lines.join("\n");
}

/** The last file an excerpt was read from, split into lines: a file's diagnostics come together. */
let excerptCache: { key: string; lines: readonly string[] } | undefined;

/** Characters of a line shown around the column; a minified or hostile line can be megabytes. */
const EXCERPT_WIDTH = 120;

/** A file is quoted only when it is a regular file of spec size: never through a link, never a device. */
const EXCERPT_FILE_BYTES = 1024 * 1024;

function caretExcerpt(file: string, line: number, col: number, endCol?: number): string | undefined {
  const stat = lstatSync(file, { throwIfNoEntry: false });
  if (stat === undefined || !stat.isFile() || stat.size > EXCERPT_FILE_BYTES) return undefined;
  const key = `${file}\0${stat?.size}\0${stat?.mtimeMs}`;
  if (excerptCache?.key !== key) {
    try {
      excerptCache = { key, lines: readFileSync(file, "utf8").split("\n") };
    } catch {
      return undefined;
    }
  }
  const raw = excerptCache.lines[line - 1];
  if (raw === undefined) return undefined;
  // Cut a long line to a window around the column, then escape it, moving the caret with it.
  const from = Math.max(0, Math.min(col - 1 - 40, raw.length - EXCERPT_WIDTH));
  const cut = raw.slice(from, from + EXCERPT_WIDTH).replace(/\r$/, "");
  const before = printable(cut.slice(0, Math.max(0, col - 1 - from)));
  const src = `${from > 0 ? "..." : ""}${printable(cut)}${from + EXCERPT_WIDTH < raw.length ? "..." : ""}`;
  const caretCol = (from > 0 ? 3 : 0) + before.length;
  const gutter = String(line).padStart(4);
  const width = Math.max(1, (endCol ?? col + 1) - col);
  const span = Math.min(width, Math.max(1, src.length - caretCol));
  return `${gutter} | ${src}\n${" ".repeat(gutter.length)} | ${" ".repeat(caretCol)}${"^".repeat(span)}`;
}

/** Filesystem errors about a path the user named (a missing --config): input errors, not bugs. */
const INPUT_FS_ERRORS = new Set(["ENOENT", "ENOTDIR", "EISDIR"]);

/**
 * Prints an error and returns its exit code. Slipway errors print their diagnostics; anything
 * else is a bug: a one-line message, and the stack only with SLIPWAY_DEBUG=1.
 */
export function reportError(e: unknown): number {
  if (e instanceof SlipwayError) {
    const color = useColor(process.stderr);
    for (const d of e.diagnostics) err(`${formatDiagnostic(d, color)}\n`);
    const n = e.diagnostics.length;
    err(`${n} problem${n === 1 ? "" : "s"}\n`);
    return ERROR_KINDS[e.kind].exit; // conflict: EXIT.failed; input, not-found, unavailable: EXIT.invalid
  }
  const debug = process.env.SLIPWAY_DEBUG === "1";
  const sys = e as NodeJS.ErrnoException;
  if (sys instanceof Error && sys.code !== undefined && INPUT_FS_ERRORS.has(sys.code) && sys.path) {
    err(
      `slipway: ${printable(sys.path)}: ${sys.code === "ENOENT" ? "no such file or directory" : sys.code}\n`,
    );
    if (debug) err(`${sys.stack ?? ""}\n`);
    return EXIT.invalid;
  }
  const message = printable((e instanceof Error ? e.message.split("\n")[0] : String(e)) ?? "");
  err(`slipway: internal error: ${message}\n`);
  if (debug) err(`${e instanceof Error ? (e.stack ?? message) : message}\n`);
  else err("(this is a bug in slipway; run again with SLIPWAY_DEBUG=1 to print the stack trace)\n");
  return EXIT.internal;
}

/** A usage error: one line naming the command, a pointer to its help; exit 2. */
export function reportUsageError(command: string, message: string): number {
  err(`${command}: ${printable(message)}\nRun '${command} --help' for usage.\n`);
  return EXIT.invalid;
}

export function writeJson(value: unknown): void {
  out(`${JSON.stringify(value, null, 2)}\n`);
}

/** A plain left-aligned table (numeric columns right-aligned), two spaces between columns. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number"));
  const width = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (numeric[i] ? c.padStart(width[i] ?? 0) : c.padEnd(width[i] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .map((l) => `${l}\n`)
    .join("");
}

/** "did you mean …?" for a mistyped name, or "" when nothing is close. */
export function didYouMean(input: string, candidates: readonly string[], prefix = ""): string {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(input, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(input.length / 3)));
  if (best === undefined) return "";
  if (bestDistance <= limit || best.startsWith(input) || input.startsWith(best)) {
    return ` (did you mean ${prefix}${best}?)`;
  }
  return "";
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = v;
    }
  }
  return at(a.length, b.length);
}
