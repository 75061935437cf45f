/**
 * `@slipway/core/synth`: what `slipway synth` needs — core's {@link synth} pipeline and the helpers
 * that print its result — without check, budget, init, docs or the JSON Schema export, which the
 * root export also loads (bench/README.md: what this entry saves at start-up).
 */

export type { OutputFile } from "./render/files.js";
export { renderPlatform, type SynthOptions, type SynthResult, synth } from "./synth.js";
export { formatUnifiedDiff } from "./write/diff.js";
export { OWNERSHIP_FILE } from "./write/ownership.js";
export type { AppRow } from "./write/summary.js";
export { appRows, tallyAppFiles } from "./write/summary.js";
export { type WriteResult, writeTree } from "./write/write.js";
