import { bootstrapScript, prepare } from "@slipway/core";
import { defineCommand } from "citty";
import { configArg } from "../args.js";
import { EXIT, out, reportUsageError } from "../format.js";

export const bootstrapCommand = defineCommand({
  meta: {
    name: "bootstrap",
    description:
      "Print the one imperative step as a shell script: install Argo CD from its rendered values, then apply the root app-of-apps",
  },
  args: {
    config: configArg,
    print: {
      type: "boolean",
      description: "Print the script (slipway never runs helm or kubectl itself)",
      default: false,
    },
  },
  run({ args }) {
    // Slipway does not touch clusters: the flag makes that explicit in every invocation.
    if (!args.print) return reportUsageError("slipway bootstrap", "only --print is supported");
    const { spec } = prepare(args.config);
    if (spec.platform.components.argocd?.enabled !== true) {
      return reportUsageError("slipway bootstrap", "the argocd component is disabled; nothing to bootstrap");
    }
    out(bootstrapScript());
    return EXIT.ok;
  },
});
