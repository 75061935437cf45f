/**
 * The light entry point (`@slipway/core/lite`): errors and the YAML emitter, without the spec
 * schemas, components, check or write code. Generators that only need these (the presets) load in
 * a fraction of the root export's time (bench/new/README.md).
 */
export type { Diagnostic, DiagOptions, Severity, SourceLocation } from "./diagnostics.js";
export {
  ConflictError,
  diag,
  formatPath,
  InputError,
  internalError,
  NotFoundError,
  printable,
  SlipwayError,
  UnavailableError,
} from "./diagnostics.js";
export type { CatalogueCode, ErrorArea, ErrorCode, ErrorEntry, ErrorKind, PolicyCode } from "./errors.js";
export { ERROR_AREAS, ERROR_KINDS, ERRORS, errorDocs, isCatalogued } from "./errors.js";
export { toYaml, toYamlStream } from "./render/yaml.js";
