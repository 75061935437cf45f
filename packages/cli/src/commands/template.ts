import { exportTemplate } from "@slipway/presets/onboard";
import { defineCommand } from "citty";
import { EXIT, out, reportUsageError } from "../format.js";

export const templateCommand = defineCommand({
  meta: {
    name: "template",
    description:
      "export: write the service-template GitHub template repository (CI workflow, Argo CD Application, ImageUpdater, README runbook)",
  },
  args: {
    action: { type: "positional", description: "export" },
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
    if (args.action !== "export") {
      return reportUsageError("slipway template", `unknown action '${args.action}': expected export`);
    }
    const result = exportTemplate(args.out, { force: args.force === true });
    for (const f of result.files) out(`+ ${f}\n`);
    out(`wrote the service template (${result.files.length} files) to ${args.out}\n`);
    return EXIT.ok;
  },
});
