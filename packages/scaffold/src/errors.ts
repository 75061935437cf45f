import { type Diagnostic, ERROR_KINDS, type ErrorCode } from "@slipway/core/lite";

/** A Slipway error as data, recognised without `instanceof` (several module copies may be loaded). */
export interface SlipwayErrorLike {
  readonly kind: "input" | "conflict" | "not-found" | "unavailable";
  readonly diagnostics: readonly Diagnostic[];
}

export function isSlipwayError(e: unknown): e is SlipwayErrorLike & Error {
  return (
    e instanceof Error &&
    typeof (e as { kind?: unknown }).kind === "string" &&
    Array.isArray((e as { diagnostics?: unknown }).diagnostics)
  );
}

/** The HTTP status of an error kind, from the error catalogue's kinds (400, 404, 409, 503). */
export function statusOf(e: SlipwayErrorLike): number {
  return ERROR_KINDS[e.kind].http ?? 500;
}

const REASON: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  406: "Not Acceptable",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** Initializr's error body, plus the diagnostics (code, path, hint) as data. */
export interface ApiError {
  readonly status: number;
  readonly error: string;
  readonly message: string;
  /** The request parameter at fault, when one is. */
  readonly parameter?: string;
  readonly code?: ErrorCode;
  readonly diagnostics?: readonly { code: ErrorCode; message: string; parameter?: string; hint?: string }[];
}

export function apiError(status: number, message: string, extra: Partial<ApiError> = {}): ApiError {
  return { status, error: REASON[status] ?? "Error", message, ...extra };
}

/**
 * Maps a Slipway error to the API body; `rename` turns a preset parameter path back into the name
 * the client sent (e.g. the preset's `name` came from Initializr's `artifactId`).
 */
export function apiErrorOf(e: SlipwayErrorLike, rename: (param: string) => string = (p) => p): ApiError {
  const diagnostics = e.diagnostics.map((d) => {
    const first = d.path[0];
    return {
      code: d.code,
      message: d.message,
      ...(typeof first === "string" && first !== "" ? { parameter: rename(first) } : {}),
      ...(d.hint !== undefined ? { hint: d.hint } : {}),
    };
  });
  const first = diagnostics[0];
  return apiError(statusOf(e), diagnostics.map((d) => d.message).join("; "), {
    ...(first?.parameter !== undefined ? { parameter: first.parameter } : {}),
    ...(first !== undefined ? { code: first.code } : {}),
    diagnostics,
  });
}
