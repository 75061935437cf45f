import { writeFileSync } from "node:fs";
import { adoptFromManifests, ConflictError, diag } from "@slipway/core";
import { defineCommand } from "citty";
import { EXIT, err, formatDiagnostic, out, useColor } from "../format.js";

export const adoptCommand = defineCommand({
  meta: {
    name: "adopt",
    description:
      "Read an existing GitOps repository and propose a platform.yaml that renders around what already runs (Argo CD, CNI, collector, tunnel, DNS), listing the conflicts; applies nothing, exit 1 on a conflict",
  },
  args: {
    "from-manifests": {
      type: "string",
      description:
        "The repository's directory: Argo CD Applications, Helm values, manifests, cloudflared config",
      valueHint: "dir",
      required: true,
    },
    out: {
      type: "string",
      description: "Write the proposal to this file (never overwrites); default: print it",
      valueHint: "file",
    },
    cluster: {
      type: "string",
      description: "The adopted cluster as the Applications name it (default: the remote one most target)",
      valueHint: "name",
    },
    domain: {
      type: "string",
      description: "The platform's domain (default: the cloudflared wildcard's)",
      valueHint: "domain",
    },
  },
  run({ args }) {
    const r = adoptFromManifests(args["from-manifests"], {
      ...(args.cluster !== undefined ? { cluster: args.cluster } : {}),
      ...(args.domain !== undefined ? { domain: args.domain } : {}),
    });
    if (args.out !== undefined) {
      try {
        // `wx`: a proposal never replaces a platform.yaml someone wrote.
        writeFileSync(args.out, r.platformYaml, { flag: "wx" });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        throw new ConflictError([
          diag("SW_ADOPT_FILE_EXISTS", `${args.out} already exists`, {
            hint: "slipway adopt never overwrites a file; pass another --out, or omit it to print the proposal.",
          }),
        ]);
      }
      out(`wrote the proposal to ${args.out}\n`);
    } else {
      out(r.platformYaml);
    }
    const color = useColor(process.stderr);
    for (const c of r.conflicts) err(`${formatDiagnostic(c, color)}\n`);
    const errors = r.conflicts.filter((c) => c.severity === "error").length;
    err(
      `${r.notes.length} decisions, ${r.conflicts.length} conflict${r.conflicts.length === 1 ? "" : "s"} (${errors} blocking); nothing was applied\n`,
    );
    return errors > 0 ? EXIT.failed : EXIT.ok;
  },
});
