import { formatUnifiedDiff, OWNERSHIP_FILE, synth, type WriteResult } from "@slipway/core/synth";
import { defineCommand } from "citty";
import { configArg } from "../args.js";
import {
  CHANGE_MARK,
  EXIT,
  err,
  formatDiagnostic,
  formatTable,
  out,
  reportUsageError,
  useColor,
} from "../format.js";

export const synthCommand = defineCommand({
  meta: {
    name: "synth",
    description:
      "Render platform.yaml and services/*.yaml into the GitOps repository (exit 1 on a write conflict; nothing is changed)",
  },
  args: {
    config: configArg,
    out: {
      type: "string",
      description: "Output directory (default: the directory of platform.yaml)",
      valueHint: "dir",
    },
    check: {
      type: "boolean",
      description: "Write nothing; list what differs and exit 1 if the tree is stale",
    },
    "dry-run": {
      type: "boolean",
      description:
        "Write nothing; print unified diffs of what would change (summary on stderr); exit 0, or 1 on conflicts as synth would",
    },
    force: {
      type: "boolean",
      description:
        "Overwrite or delete files a person edited or slipway does not own (never through symlinks)",
    },
    quiet: {
      type: "boolean",
      description: "Leave out the Applications table and --check's file list (not --dry-run's diffs)",
    },
  },
  run({ args }) {
    const started = performance.now();
    const check = args.check === true;
    const dryRun = args["dry-run"] === true;
    if (check && dryRun) return reportUsageError("slipway synth", "--check and --dry-run cannot be combined");
    const result = synth({
      config: args.config,
      ...(args.out !== undefined ? { out: args.out } : {}),
      dryRun: check || dryRun,
      diff: dryRun,
      conflicts: check ? "return" : "throw",
      force: args.force === true,
      // A plain synth prints counts; only --check and --dry-run list the files.
      listChanges: check || dryRun,
    });
    const ms = Math.round(performance.now() - started);
    const apps = result.apps;
    // An interrupted earlier run re-applied, or a stale lock taken over: worth knowing, not failing.
    for (const d of result.warnings) err(`${formatDiagnostic(d, useColor(process.stderr))}\n`);

    if (dryRun) {
      for (const c of result.changes) out(formatUnifiedDiff(c));
      err(
        `dry run: ${apps.length} Applications, ${result.files} files: ${toDo(result)}, ${result.unchanged} unchanged (${ms} ms)\n`,
      );
      return EXIT.ok;
    }
    if (check) {
      if (result.changes.length === 0 && result.conflicts.length === 0 && !result.recordChanged) {
        out(`up to date: ${result.files} files, ${apps.length} Applications (${ms} ms)\n`);
        return EXIT.ok;
      }
      if (!args.quiet) {
        for (const c of result.changes) out(`${CHANGE_MARK[c.kind]} ${c.path}\n`);
        if (result.recordChanged) out(`~ ${OWNERSHIP_FILE}\n`);
      }
      for (const d of result.conflicts) err(`${formatDiagnostic(d, useColor(process.stderr))}\n`);
      const blocked = result.conflicts.length > 0 ? `, ${result.conflicts.length} in conflict` : "";
      const fix =
        result.conflicts.length > 0
          ? "resolve the conflicts, then run 'slipway synth'"
          : "run 'slipway synth'";
      out(`stale: ${toDo(result)}${blocked} — ${fix}\n`);
      return EXIT.failed;
    }
    if (!args.quiet && apps.length > 0) {
      out(
        formatTable(
          ["WAVE", "APPLICATION", "PROJECT", "COMPONENT", "FILES"],
          apps.map((a) => [a.wave, a.name, a.project, a.component, a.files]),
        ),
      );
      out("\n");
    }
    out(`${summary(result, apps.length, ms)}\n`);
    return EXIT.ok;
  },
});

function count(r: WriteResult, kind: "added" | "changed" | "deleted"): number {
  return r.counts[kind];
}

function toDo(r: WriteResult): string {
  return `${count(r, "added")} to add, ${count(r, "changed")} to change, ${count(r, "deleted")} to delete`;
}

function summary(r: WriteResult, apps: number, ms: number): string {
  return `rendered ${apps} Applications, ${r.files} files: ${count(r, "added")} added, ${count(r, "changed")} changed, ${count(r, "deleted")} deleted, ${r.unchanged} unchanged (${ms} ms)`;
}
