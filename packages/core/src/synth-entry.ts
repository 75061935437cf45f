/**
 * The entry point of `slipway synth` (`@slipway/core/synth`): load, render and write, without
 * check, budget, init, docs or the JSON Schema export, which the root export also loads. The
 * command's resident memory is one of its figures (bench/synth): this is ~3 MiB less of it.
 */

export type { OutputFile } from "./render/files.js";
export { renderPlatform } from "./synth.js";
export { formatUnifiedDiff } from "./write/diff.js";
export { OWNERSHIP_FILE } from "./write/ownership.js";
export { appRows, tallyAppFiles } from "./write/summary.js";
export { type WriteResult, writeTree } from "./write/write.js";
