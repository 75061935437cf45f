import { synth } from "@slipway/core";
import { defineCommand } from "citty";
import { EXIT } from "../format.js";

export const synthCommand = defineCommand({
  meta: { name: "synth", description: "Render platform.yaml and services/*.yaml into the GitOps repository" },
  args: {
    config: { type: "string", description: "Path to platform.yaml", default: "platform.yaml" },
    out: { type: "string", description: "Output directory (default: the directory of platform.yaml)" },
    check: {
      type: "boolean",
      description: "Write nothing; exit 1 if the rendered tree is stale",
      default: false,
    },
    force: {
      type: "boolean",
      description: "Overwrite files a person edited or slipway does not own",
      default: false,
    },
    quiet: { type: "boolean", description: "Print only the summary line", default: false },
  },
  run({ args }) {
    const started = performance.now();
    const result = synth({
      config: args.config,
      ...(args.out ? { out: args.out } : {}),
      dryRun: args.check,
      force: args.force,
    });
    const changed = result.changes.filter((c) => c.kind !== "unchanged");
    if (!args.quiet) {
      const mark = { added: "+", changed: "~", deleted: "-", unchanged: " " } as const;
      for (const c of changed) process.stdout.write(`${mark[c.kind]} ${c.path}\n`);
    }
    const ms = Math.round(performance.now() - started);
    const counts = (k: string) => changed.filter((c) => c.kind === k).length;
    const total = result.unchanged + counts("added") + counts("changed");
    const apps = result.session.apps.length;
    if (args.check) {
      if (changed.length > 0) {
        process.stdout.write(
          `stale: ${counts("added")} to add, ${counts("changed")} to change, ${counts("deleted")} to delete — run 'slipway synth'\n`,
        );
        return EXIT.failed;
      }
      process.stdout.write(`up to date: ${total} files, ${apps} Applications (${ms} ms)\n`);
      return EXIT.ok;
    }
    process.stdout.write(
      `rendered ${total} files, ${apps} Applications: ${counts("added")} added, ${counts("changed")} changed, ${counts("deleted")} deleted, ${result.unchanged} unchanged (${ms} ms)\n`,
    );
    return EXIT.ok;
  },
});
