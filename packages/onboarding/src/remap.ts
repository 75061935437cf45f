import {
  ConflictError,
  type Diagnostic,
  InputError,
  NotFoundError,
  SlipwayError,
  UnavailableError,
} from "@slipway/core";

/**
 * Runs `fn`; a {@link SlipwayError} it throws is thrown again as the same kind of error with each
 * diagnostic passed through `map` (onboarding works on staged copies and clones, and its
 * diagnostics must name the files a person has).
 */
export function remapDiagnostics<T>(fn: () => T, map: (d: Diagnostic) => Diagnostic): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof SlipwayError)) throw e;
    const mapped = e.diagnostics.map(map);
    if (e instanceof ConflictError) throw new ConflictError(mapped);
    if (e instanceof NotFoundError) throw new NotFoundError(mapped);
    if (e instanceof UnavailableError) throw new UnavailableError(mapped);
    throw new InputError(mapped);
  }
}
