import {
  apiServerFromKubeconfig,
  archDiagnostics,
  budgetDiagnostics,
  budgetOf,
  buildCheckInput,
  checkInput,
  checkServer,
  checkTerraform,
  type Diagnostic,
  type ErrorCode,
  formatPath,
  placeholderDiagnostics,
  renderPlatform,
  resolveSchemaDir,
  type ServerCheckStats,
  type TerraformRoot,
} from "@slipway/core";
import { defineCommand } from "citty";
import { configArg } from "../args.js";
import { EXIT, formatDiagnostic, out, useColor } from "../format.js";

export const checkCommand = defineCommand({
  meta: {
    name: "check",
    description:
      "Render in memory and validate every object (schemas, strict CRDs, Helm values) and the policy rules, and that the requests fit the nodes (as slipway budget); with --render-charts also what helm template renders, with --server send each object to a cluster's API server in dry-run, with --terraform run every Terraform root through tofu; exit 1 on any error",
  },
  args: {
    config: configArg,
    schemas: {
      type: "string",
      description:
        "Directory of upstream schemas: CRDs, kubernetes-json-schema, charts' values.schema.json (default: $SLIPWAY_SCHEMA_DIR, else the cache 'slipway schemas pull' fills)",
      valueHint: "dir",
    },
    format: { type: "enum", description: "Output format", options: ["text", "json"], default: "text" },
    server: {
      type: "boolean",
      description:
        "Also send every object to the kubeconfig's API server with server-side apply in dry-run (nothing is written)",
      default: false,
    },
    kubeconfig: {
      type: "string",
      description: "Kubeconfig for --server (default: $KUBECONFIG, else ~/.kube/config)",
      valueHint: "file",
    },
    context: {
      type: "string",
      description: "Kubeconfig context for --server (default: the current one)",
      valueHint: "name",
    },
    "render-charts": {
      type: "boolean",
      description:
        "Also run helm template for every chart Application as Argo CD would, and check what the charts render",
      default: false,
    },
    charts: {
      type: "string",
      description:
        "Unpacked charts <chart>/<version>/ for --render-charts; others are pulled into ~/.cache/slipway/charts (default: $SLIPWAY_CHARTS_DIR)",
      valueHint: "dir",
    },
    helm: {
      type: "string",
      description: "Helm binary for --render-charts (default: $SLIPWAY_HELM, else helm on PATH)",
      valueHint: "path",
    },
    terraform: {
      type: "boolean",
      description:
        "Also check every Terraform root: references (slipway-tfrefs), tofu init, and tofu validate where the providers can be installed",
      default: false,
    },
    tofu: {
      type: "string",
      description: "tofu or terraform binary for --terraform (default: $SLIPWAY_TOFU, else tofu on PATH)",
      valueHint: "path",
    },
    tfrefs: {
      type: "string",
      description:
        "slipway-tfrefs binary for --terraform, built by tools/build.sh (default: $SLIPWAY_TFREFS; skipped if unset)",
      valueHint: "path",
    },
    "provider-mirror": {
      type: "string",
      description: "Terraform provider filesystem mirror for tofu init (default: the registry)",
      valueHint: "dir",
    },
  },
  async run({ args }) {
    const started = performance.now();
    const session = renderPlatform(args.config);
    const schemaSource = resolveSchemaDir(args.schemas || undefined);
    const schemaDir = schemaSource?.dir;
    const kubernetesVersion = session.spec.platform.cluster.kubernetesVersion;
    const input = buildCheckInput(session.files, session.apps);
    const chartsDir = args.charts || process.env.SLIPWAY_CHARTS_DIR || undefined;
    const helm = args.helm || process.env.SLIPWAY_HELM || undefined;
    const charts = args["render-charts"]
      ? { ...(chartsDir ? { chartsDir } : {}), ...(helm ? { helm } : {}) }
      : undefined;
    const result = await checkInput(input, {
      ...(schemaDir ? { schemaDir } : {}),
      kubernetesVersion,
      ...(charts ? { charts } : {}),
    });
    let server: ServerCheckStats | undefined;
    // Requests beyond the nodes' allocatable leave pods Pending: an error, as `slipway budget` exits 1.
    let diagnostics = [
      ...result.diagnostics,
      ...budgetDiagnostics(budgetOf(input, session.spec.platform.cluster), session.spec.configFile),
      // What `slipway init` writes when not told: renders, but points at someone else's repository.
      ...placeholderDiagnostics(session.spec.platform, session.spec.configFile),
      // Images not published for a node's architecture (spec.cluster.nodes[].arch), charts' too when rendered.
      ...archDiagnostics(
        [...input.objects, ...(result.charts?.objects ?? [])],
        [...input.files, ...(result.charts?.files ?? [])],
        session.spec.platform,
      ),
    ];
    if (args.server) {
      const api = apiServerFromKubeconfig({
        ...(args.kubeconfig ? { path: args.kubeconfig } : {}),
        ...(args.context ? { context: args.context } : {}),
      });
      const s = await checkServer(input, {
        server: api,
        mode: "dry-run",
        kubernetesVersion,
        ...(schemaDir ? { schemaDir } : {}),
        // With --render-charts, what the charts render is sent too, as Argo CD would apply it.
        ...(result.charts ? { extra: result.charts } : {}),
      });
      server = s.stats;
      diagnostics = [...diagnostics, ...s.diagnostics];
    }
    let terraform: readonly TerraformRoot[] | undefined;
    if (args.terraform) {
      const tfrefs = args.tfrefs || process.env.SLIPWAY_TFREFS || undefined;
      const t = await checkTerraform(input.files, {
        tofu: args.tofu || process.env.SLIPWAY_TOFU || "tofu",
        ...(tfrefs ? { tfrefs } : {}),
        ...(args["provider-mirror"] ? { providerMirror: args["provider-mirror"] } : {}),
      });
      terraform = t.roots;
      diagnostics = [...diagnostics, ...t.diagnostics];
    }
    const errors = diagnostics.filter((d) => d.severity === "error").length;
    const warnings = diagnostics.filter((d) => d.severity === "warning").length;
    if (args.format === "json") {
      out(
        `${JSON.stringify(
          {
            version: 1,
            ok: errors === 0,
            errors,
            warnings,
            schemaDir: schemaDir ?? null,
            schemaSource: schemaSource?.from ?? null,
            diagnostics: diagnostics.map(jsonDiagnostic),
            stats: result.stats,
            server: server ?? null,
            terraform: terraform ?? null,
          },
          null,
          2,
        )}\n`,
      );
      return errors === 0 ? EXIT.ok : EXIT.failed;
    }
    const color = useColor(process.stdout);
    // Infos that come in numbers (objects a dry-run cannot reach before the sync creates their CRD
    // or namespace can be most of the tree on a fresh cluster): one line per code, each of them
    // with --format json. An info without a summary of its own is printed like any diagnostic.
    const noted = new Map<ErrorCode, number>();
    for (const d of diagnostics) {
      if (d.severity === "info" && INFO_NOTES[d.code] !== undefined)
        noted.set(d.code, (noted.get(d.code) ?? 0) + 1);
      else out(`${formatRendered(d, color)}\n`);
    }
    for (const [code, n] of [...noted].sort(([a], [b]) => a.localeCompare(b)))
      out(`note: ${INFO_NOTES[code]?.(n)} (${code}; each with --format json)\n`);
    const s = result.stats;
    if (!schemaDir) {
      out(
        "note: no schema directory: custom resources were not validated against their CRDs nor Helm values against their charts' schemas (core kinds were, by the bundled models); run 'slipway schemas pull' once (or pass --schemas DIR)\n",
      );
    }
    if (s.valuesWithoutSchema.length > 0) {
      const why = schemaDir ? "the chart ships no values.schema.json" : "no schema directory";
      out(`note: Helm values not validated (${why}): ${s.valuesWithoutSchema.join(", ")}\n`);
    }
    if (s.valuesPartiallyValidated.length > 0) {
      out(
        `note: Helm values partly validated (schemas on the web are not fetched): ${s.valuesPartiallyValidated.join(", ")}\n`,
      );
    }
    if (s.charts && s.charts.schemaNotLoaded.length > 0) {
      out(
        `note: helm rendered without the chart's values schema (it $refs schemas on the web that could not be fetched): ${s.charts.schemaNotLoaded.join(", ")}\n`,
      );
    }
    if (s.charts) {
      out(
        `charts: ${s.charts.rendered} of ${s.charts.sources} chart Applications rendered with helm template, ${s.charts.objects} objects checked (${s.charts.ms} ms)\n`,
      );
    }
    if (server) {
      out(
        `server: ${server.applied} objects sent in dry-run, ${server.rejected} rejected, ${server.unknownKinds} of kinds the server does not serve (${server.ms} ms)\n`,
      );
    }
    if (terraform) {
      const line = (r: TerraformRoot) =>
        `${r.root} (references ${r.references}, init ${r.init}, validate ${r.validate})`;
      out(`terraform: ${terraform.map(line).join("; ")}\n`);
    }
    const ms = Math.round(performance.now() - started);
    out(
      `checked ${s.objects} objects in ${s.files} files (${s.validated.crd} against CRDs, ${s.validated.core} core schemas, ${s.validated.model} bundled models), ${s.valuesChecked} Helm values, ${s.policies.length} policies: ${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}${schemaDir ? "" : " (no schemas: run 'slipway schemas pull')"} (${ms} ms)\n`,
    );
    return errors === 0 ? EXIT.ok : EXIT.failed;
  },
});

/**
 * A finding in a rendered file reads `file:line:col: severity CODE: message at yaml.path`, then the
 * hint; rendered files are not the user's, so no caret excerpt of them.
 */
const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** The one-line summary of each info code `check` reports in numbers, by how many there are. */
const INFO_NOTES: Partial<Record<ErrorCode, (n: number) => string>> = {
  SW_CHECK_SERVER_NOT_YET: (n) =>
    `${plural(n, "object")} not checked by the server yet, their CRD or namespace being created earlier in the same sync`,
  SW_CHECK_TF_PROVIDERS: (n) =>
    `${plural(n, "Terraform root")} loaded but not validated, their providers could not be installed (run where the registry is reachable, or pass --provider-mirror)`,
};

function formatRendered(d: Diagnostic, color: boolean): string {
  if (!d.location) return formatDiagnostic(d, color);
  const sev = color
    ? `\x1b[${d.severity === "error" ? 31 : d.severity === "warning" ? 33 : 36}m${d.severity}\x1b[0m`
    : d.severity;
  const at = d.path.length > 0 ? ` at ${formatPath(d.path)}` : "";
  const hint = d.hint ? `\n  hint: ${d.hint}` : "";
  return `${d.location.file}:${d.location.line}:${d.location.col}: ${sev} ${d.code}: ${d.message}${at}${hint}`;
}

function jsonDiagnostic(d: Diagnostic) {
  return {
    code: d.code,
    severity: d.severity,
    file: d.location?.file ?? null,
    line: d.location?.line ?? null,
    col: d.location?.col ?? null,
    path: d.path,
    at: formatPath(d.path),
    message: d.message,
    hint: d.hint ?? null,
  };
}
