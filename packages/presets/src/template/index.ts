// The template export writes a preset as a GitHub template repository or as Backstage Software
// Templates. It needs all of core (check, diagnostics), so it lives behind
// `@slipway/presets/template`: generating a project loads only the light core.

export {
  backstageTemplateFiles,
  presetSkeleton,
  softwareTemplate,
  TEMPLATE_DESCRIPTION_PATTERN,
  type TemplateExportFile,
} from "./backstage.js";
export { exportBackstageTemplates, exportTemplate, type TemplateExportResult } from "./export.js";
