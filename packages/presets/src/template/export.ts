import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { ConflictError, diag, InputError } from "@slipway/core";
import { backstageTemplateFiles } from "./backstage.js";
import { templateFiles } from "./template.js";

export interface TemplateExportResult {
  readonly dir: string;
  readonly files: readonly string[];
}

/**
 * Writes the `service-template` repository into `outDir`. Refuses an existing non-empty directory
 * (`SW_TEMPLATE_OUT_NOT_EMPTY`) unless `force`, which overwrites the template's own files and
 * leaves everything else there alone. Everything is rendered before the first write.
 */
export function exportTemplate(
  outDir: string,
  opts: { readonly force?: boolean } = {},
): TemplateExportResult {
  return writeExport(outDir, opts, templateFiles);
}

/**
 * Writes every preset as a Backstage Software Template into `outDir` (`<preset>/template.yaml`,
 * `<preset>/skeleton/`, `all.yaml`; ADR 0011), with the same refusals as {@link exportTemplate}.
 * In a platform repository the catalog reads them from `backstage/templates/`.
 */
export function exportBackstageTemplates(
  outDir: string,
  opts: { readonly force?: boolean } = {},
): TemplateExportResult {
  return writeExport(outDir, opts, backstageTemplateFiles);
}

function writeExport(
  outDir: string,
  opts: { readonly force?: boolean },
  render: () => readonly { path: string; content: string; mode?: number }[],
): TemplateExportResult {
  const dir = resolve(outDir);
  const shown = relative(process.cwd(), dir) || dir;
  const st = statSync(dir, { throwIfNoEntry: false });
  if (st !== undefined && !st.isDirectory()) {
    throw new InputError([
      diag("SW_TEMPLATE_OUT_NOT_DIR", `${shown} is not a directory`, {
        path: ["out"],
        hint: "Give --out a new or empty directory.",
      }),
    ]);
  }
  if (st !== undefined && opts.force !== true && readdirSync(dir).length > 0) {
    throw new ConflictError([
      diag("SW_TEMPLATE_OUT_NOT_EMPTY", `${shown} is not empty`, {
        path: ["out"],
        hint: "Give --out a new or empty directory, or pass --force to overwrite the template's files there.",
      }),
    ]);
  }
  const files = render();
  for (const f of files) {
    const abs = join(dir, f.path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, f.content);
    if (f.mode !== undefined) chmodSync(abs, f.mode);
  }
  return { dir, files: files.map((f) => f.path) };
}
