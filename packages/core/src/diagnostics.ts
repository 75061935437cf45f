import type { ErrorCode } from "./errors.js";

/**
 * Errors are data: every problem Slipway reports is a {@link Diagnostic} with a stable code,
 * a location in the user's file when there is one, and a hint. The CLI maps them to exit codes
 * and the web service to HTTP statuses; nothing in core prints.
 */

/** A position in a user's file, 1-based like editors show it. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly endLine?: number;
  readonly endCol?: number;
}

/** `info`: worth knowing, nothing to fix (e.g. an object a dry-run could not reach yet). */
export type Severity = "error" | "warning" | "info";

export interface Diagnostic {
  /**
   * Stable machine-readable code, e.g. `SW_SPEC_UNKNOWN_KEY`, from the catalogue (errors.ts). Tests
   * assert codes, never prose.
   */
  readonly code: ErrorCode;
  readonly severity: Severity;
  readonly message: string;
  /** The path inside the YAML document, e.g. `["spec", "components", "gateway", "replicas"]`. */
  readonly path: readonly (string | number)[];
  readonly location?: SourceLocation;
  readonly hint?: string;
}

/** Formats a YAML path the way users read it: `spec.services[2].port`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Base of the few error classes core throws; `kind` decides the exit code / HTTP status at the edge. */
export class SlipwayError extends Error {
  readonly kind: "input" | "conflict" | "not-found" | "unavailable";
  readonly diagnostics: readonly Diagnostic[];
  constructor(kind: SlipwayError["kind"], diagnostics: readonly Diagnostic[], message?: string) {
    super(message ?? diagnostics.map((d) => `${d.code}: ${d.message}`).join("\n"));
    this.name = new.target.name;
    this.kind = kind;
    this.diagnostics = diagnostics;
  }
}

/** The user's input (config, arguments, request) is invalid. CLI exit 2, HTTP 400. */
export class InputError extends SlipwayError {
  constructor(diagnostics: readonly Diagnostic[], message?: string) {
    super("input", diagnostics, message);
  }
}

/** The operation would clobber something Slipway does not own, or state changed under it. CLI exit 1, HTTP 409. */
export class ConflictError extends SlipwayError {
  constructor(diagnostics: readonly Diagnostic[], message?: string) {
    super("conflict", diagnostics, message);
  }
}

/** A named thing (preset, file, service) does not exist. CLI exit 2, HTTP 404. */
export class NotFoundError extends SlipwayError {
  constructor(diagnostics: readonly Diagnostic[], message?: string) {
    super("not-found", diagnostics, message);
  }
}

/** A remote Slipway depends on (a Git host) cannot be reached. CLI exit 2, HTTP 503. */
export class UnavailableError extends SlipwayError {
  constructor(diagnostics: readonly Diagnostic[], message?: string) {
    super("unavailable", diagnostics, message);
  }
}

/** What {@link diag} takes besides the code and message. */
export interface DiagOptions {
  readonly path?: readonly (string | number)[];
  readonly location?: SourceLocation;
  readonly hint?: string;
  readonly severity?: Severity;
}

/**
 * A bug in Slipway itself (a registry list, a preset), found at run time: a plain `Error`, so the
 * CLI reports an internal error (exit 70) and the scaffold service a 500, never a user's mistake;
 * its message carries the catalogued codes (`SW_REGISTRY_DUPLICATE_ID: …`).
 */
export function internalError(diagnostics: readonly Diagnostic[]): Error {
  return new Error(
    diagnostics.map((d) => `${d.code}: ${d.message}${d.hint ? ` (${d.hint})` : ""}`).join("\n"),
  );
}

/**
 * Builds an error-severity diagnostic; the one constructor used everywhere so fields stay uniform.
 * `code` must be in the catalogue (errors.ts) or be a registered policy's.
 */
export function diag(code: ErrorCode, message: string, opts: DiagOptions = {}): Diagnostic {
  return {
    code,
    severity: opts.severity ?? "error",
    message,
    path: opts.path ?? [],
    ...(opts.location ? { location: opts.location } : {}),
    ...(opts.hint ? { hint: opts.hint } : {}),
  };
}

/**
 * User input as it may be shown in a message or a terminal: control characters (ESC, CR, NUL, C1),
 * line and paragraph separators and bidirectional overrides become their `\u001b` form, so a
 * hostile file cannot move the cursor, clear the screen or fake a line of output. Tabs stay.
 */
export function printable(s: string): string {
  return s.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this escapes
    /[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
