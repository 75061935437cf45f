import { pullSchemas, resolveSchemaDir, schemaCacheDir, UPSTREAM_BASE } from "@slipway/core";
import { defineCommand } from "citty";
import { EXIT, err, formatDiagnostic, out, reportUsageError, useColor } from "../format.js";

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

export const schemasCommand = defineCommand({
  meta: {
    name: "schemas",
    description:
      "pull: download the pinned upstream CRDs and Helm values schemas 'slipway check' validates against into the cache (each file checked against its sha256); path: print the directory check would use",
  },
  args: {
    action: { type: "positional", description: "pull or path", required: true, valueHint: "pull|path" },
    from: {
      type: "string",
      description: `Base URL to download from instead of ${UPSTREAM_BASE} (a mirror with the same <owner>/<repo>/<commit>/<path> layout; default: $SLIPWAY_SCHEMA_MIRROR)`,
      valueHint: "url",
    },
    dir: {
      type: "string",
      description:
        "Directory to write (default: the cache, $SLIPWAY_SCHEMA_CACHE or ~/.cache/slipway/schemas/<set>)",
      valueHint: "dir",
    },
    force: { type: "boolean", description: "Download again even when the cache is complete", default: false },
  },
  async run({ args }) {
    if (args.action === "path") {
      const s = resolveSchemaDir(undefined);
      if (!s) {
        err(`no schema directory (the cache ${schemaCacheDir()} is empty): run 'slipway schemas pull'\n`);
        return EXIT.failed;
      }
      out(`${s.dir}\n`);
      return EXIT.ok;
    }
    if (args.action !== "pull") {
      return reportUsageError("slipway schemas", `unknown action '${args.action}' (expected pull or path)`);
    }
    const base = args.from || process.env.SLIPWAY_SCHEMA_MIRROR || UPSTREAM_BASE;
    const started = performance.now();
    const r = await pullSchemas({
      base,
      ...(args.dir ? { dir: args.dir } : {}),
      force: args.force,
    });
    const ms = Math.round(performance.now() - started);
    if (r.diagnostics.length > 0) {
      const color = useColor(process.stderr);
      for (const d of r.diagnostics) err(`${formatDiagnostic(d, color)}\n`);
      err(`schemas: ${r.diagnostics.length} of ${r.files} files failed; nothing was written (${ms} ms)\n`);
      return EXIT.failed;
    }
    out(
      r.upToDate
        ? `schemas: ${r.dir} is complete (${r.files} files, ${mib(r.bytes)}, every sha256 verified)\n`
        : `schemas: ${r.files} files (${mib(r.bytes)}) from ${base} into ${r.dir}, every sha256 verified (${ms} ms)\n`,
    );
    if (!args.dir) out("'slipway check' now validates custom resources and Helm values against them\n");
    else out(`use them with: slipway check --schemas ${r.dir}\n`);
    return EXIT.ok;
  },
});
