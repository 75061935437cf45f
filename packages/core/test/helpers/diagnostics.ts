import type { Diagnostic } from "../../src/diagnostics.js";

/**
 * Runs `fn`, which must throw a Slipway error, and returns its diagnostics as `[code, path]`
 * pairs: what a test of an input error asserts (never only the error's class or wording).
 */
export function diagnosticsOf(fn: () => unknown): [string, Diagnostic["path"]][] {
  try {
    fn();
  } catch (e) {
    const ds = (e as { diagnostics?: readonly Diagnostic[] }).diagnostics;
    if (!ds) throw e;
    return ds.map((d) => [d.code, d.path]);
  }
  throw new Error("expected an error with diagnostics, and nothing was thrown");
}
