export type { ProjectRequest } from "./describe.js";
export { describe, parametersJsonSchema } from "./describe.js";
export type { CommonParameters, ProjectDescription } from "./description.js";
export type { GeneratedFile } from "./files.js";
export { unsafePathReason } from "./files.js";
export { generate } from "./generate.js";
export type { Contributor, Preset, ProjectModels } from "./preset.js";
export { SPRING_BOOT_VERSION } from "./presets/spring/project.js";
export { getPreset, presets } from "./registry.js";
