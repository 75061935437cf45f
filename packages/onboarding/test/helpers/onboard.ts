import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { SlipwayError } from "@slipway/core";

/** The example platform the onboarding tests copy. */
export const EXAMPLE = join(import.meta.dirname, "../../../../examples/homelab");

/** Hash of everything under `dir` (paths, modes, contents, link targets); "absent" when missing. */
export function treeHash(dir: string): string {
  if (!existsSync(dir)) return "absent";
  const h = createHash("sha256");
  const walk = (rel: string) => {
    const abs = join(dir, rel);
    const st = lstatSync(abs);
    h.update(`${rel}\0${st.mode}\0`);
    if (st.isSymbolicLink()) h.update(readlinkSync(abs));
    else if (st.isDirectory()) for (const e of readdirSync(abs).sort()) walk(rel === "" ? e : `${rel}/${e}`);
    else h.update(readFileSync(abs));
  };
  walk("");
  return h.digest("hex");
}

/** The {@link SlipwayError} `fn` throws; any other error is rethrown, and no error fails the test. */
export function errorOf(fn: () => unknown): SlipwayError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SlipwayError) return e;
    throw e;
  }
  throw new Error("expected an error");
}

/** The diagnostic codes of the error `fn` throws. */
export const codesOf = (fn: () => unknown): string[] => errorOf(fn).diagnostics.map((d) => d.code);
