import { exportBackstageTemplates, exportTemplate } from "@slipway/presets/template";
import { defineCommand } from "citty";
import { EXIT, out, reportUsageError } from "../format.js";

export const templateCommand = defineCommand({
  meta: {
    name: "template",
    description:
      "export: write the service-template GitHub template repository (CI workflow, Argo CD Application, ImageUpdater, README runbook); backstage: write every preset as a Backstage Software Template (in a platform repository: --out backstage/templates)",
  },
  args: {
    action: { type: "positional", description: "export | backstage" },
    out: {
      type: "string",
      description: "Directory to write it to (new or empty)",
      required: true,
      valueHint: "dir",
    },
    force: {
      type: "boolean",
      description: "Write into a non-empty directory, overwriting the template's files",
    },
  },
  run({ args }) {
    if (args.action === "backstage") {
      const result = exportBackstageTemplates(args.out, { force: args.force === true });
      for (const f of result.files) out(`+ ${f}\n`);
      out(`wrote the Backstage Software Templates (${result.files.length} files) to ${args.out}\n`);
      return EXIT.ok;
    }
    if (args.action !== "export") {
      return reportUsageError(
        "slipway template",
        `unknown action '${args.action}': expected export or backstage`,
      );
    }
    const result = exportTemplate(args.out, { force: args.force === true });
    for (const f of result.files) out(`+ ${f}\n`);
    out(`wrote the service template (${result.files.length} files) to ${args.out}\n`);
    return EXIT.ok;
  },
});
