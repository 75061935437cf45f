import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { type Diagnostic, diag, InputError } from "../diagnostics.js";
import type { ErrorCode } from "../errors.js";
import type { OutputFile } from "../render/files.js";
import { type RunResult, runProgram } from "./process.js";

/**
 * The Terraform stage of `check`: every rendered Terraform root (a directory of `*.tf.json`) is
 * handed to the tools that consume it. Both are optional, and the result says which ran:
 *
 * - `tofu` (or `terraform`): `init -backend=false`, then `validate -json`. `init` loads and
 *   checks the configuration before it installs providers (block structure, `required_version`
 *   against the binary, provider requirements); `validate` needs the providers, from the registry
 *   or from `providerMirror` (a filesystem mirror, `tofu providers mirror DIR`).
 * - `slipway-tfrefs` (tools/tofu): every reference resolves, with OpenTofu's own HCL library. It
 *   proves what holds without provider schemas, for machines where the providers cannot be had.
 */
export interface TerraformCheckOptions {
  /** Path of a `tofu` or `terraform` binary. */
  readonly tofu?: string;
  /** Path of `slipway-tfrefs` (built by tools/build.sh). */
  readonly tfrefs?: string;
  /** A provider filesystem mirror; without it `tofu init` installs from the registry. */
  readonly providerMirror?: string;
}

/** What happened to one root. `skipped`: the tool was not given. */
export interface TerraformRoot {
  /** The root's directory in the rendered tree, e.g. `vault/terraform`. */
  readonly root: string;
  readonly references: "ok" | "failed" | "skipped";
  /** `providers-unavailable`: the configuration loaded, but init could not install the providers. */
  readonly init: "ok" | "failed" | "providers-unavailable" | "skipped";
  readonly validate: "ok" | "failed" | "skipped";
}

export interface TerraformCheckResult {
  readonly diagnostics: readonly Diagnostic[];
  readonly roots: readonly TerraformRoot[];
}

/** A provider package that could not be found or installed, as tofu and terraform word it; any other init error is the configuration's. */
const PROVIDER_INSTALL =
  /^Failed to (query available provider packages|resolve provider packages|install provider)/;

/**
 * Runs the Terraform tools over every root in the rendered tree. Roots are written to a temporary
 * directory that is removed afterwards; diagnostics point at the rendered paths.
 * @example const { diagnostics } = await checkTerraform(session.files, { tofu: "tofu" });
 */
export async function checkTerraform(
  files: Iterable<OutputFile>,
  opts: TerraformCheckOptions,
): Promise<TerraformCheckResult> {
  const roots = new Map<string, OutputFile[]>();
  for (const f of files) {
    if (!f.path.endsWith(".tf.json")) continue;
    const root = dirname(f.path);
    const list = roots.get(root) ?? [];
    roots.set(root, list);
    list.push(f);
  }
  const work = mkdtempSync(join(tmpdir(), "slipway-tf-"));
  const diagnostics: Diagnostic[] = [];
  const results: TerraformRoot[] = [];
  try {
    const cliConfig = join(work, "tofurc");
    writeFileSync(cliConfig, cliConfigText(opts.providerMirror));
    for (const [root, list] of [...roots].sort(([a], [b]) => a.localeCompare(b))) {
      const dir = join(work, "roots", root);
      mkdirSync(dir, { recursive: true });
      for (const f of list) writeFileSync(join(dir, f.path.slice(root.length + 1)), f.content);
      // Root-level findings point at the file that declares the providers.
      const requirer =
        list.find((f) => f.content.includes('"required_providers"'))?.path ?? list[0]?.path ?? root;
      results.push(
        await checkRoot(
          { root, dir, requirer, cliConfig, dataDir: join(work, "data", root) },
          opts,
          diagnostics,
        ),
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { diagnostics, roots: results };
}

/** One root, written out: where it is in the tree and on disk, and where its findings point. */
interface RootDir {
  /** The root's directory in the rendered tree. */
  readonly root: string;
  /** Its copy on disk. */
  readonly dir: string;
  /** The rendered file declaring the providers: where root-level findings point. */
  readonly requirer: string;
  readonly cliConfig: string;
  readonly dataDir: string;
}

async function checkRoot(
  { root, dir, requirer, cliConfig, dataDir }: RootDir,
  opts: TerraformCheckOptions,
  diagnostics: Diagnostic[],
): Promise<TerraformRoot> {
  const at = (file: string, line?: number, col?: number) => ({
    file: file ? `${root}/${basename(file)}` : root,
    line: line ?? 1,
    col: col ?? 1,
  });
  let references: TerraformRoot["references"] = "skipped";
  if (opts.tfrefs) {
    const r = await run(opts.tfrefs, [dir], dir);
    references = r.code === 0 ? "ok" : "failed";
    for (const line of r.stdout.split("\n")) {
      if (!line.trim()) continue;
      const p = JSON.parse(line) as {
        file: string;
        line: number;
        column: number;
        summary: string;
        detail: string;
      };
      diagnostics.push(
        diag("SW_CHECK_TF_REFERENCE", `${p.summary}: ${p.detail}`, {
          location: at(p.file, p.line, p.column),
          hint: "Every ${...} reference and depends_on entry must name something declared in the same root.",
        }),
      );
    }
    if (r.code !== 0 && r.code !== 1) {
      diagnostics.push(
        diag("SW_CHECK_TF_REFERENCE", `slipway-tfrefs failed: ${r.stderr.trim()}`, {
          location: at(requirer),
        }),
      );
    }
  }
  if (!opts.tofu) return { root, references, init: "skipped", validate: "skipped" };

  const env = {
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    TF_DATA_DIR: dataDir,
    CHECKPOINT_DISABLE: "1",
  };
  const init = await run(
    opts.tofu,
    ["init", "-backend=false", "-input=false", "-no-color", "-json"],
    dir,
    env,
  );
  if (init.code !== 0) {
    const errors = jsonLines(init.stdout).filter((d) => d.severity === "error");
    if (errors.length > 0 && errors.every((d) => PROVIDER_INSTALL.test(d.summary))) {
      diagnostics.push(
        diag(
          "SW_CHECK_TF_PROVIDERS",
          `${root}: the configuration loaded, but its providers could not be installed`,
          {
            severity: "info",
            location: at(requirer),
            hint: "tofu validate needs the providers: run where the registry is reachable, or pass a filesystem mirror (--provider-mirror).",
          },
        ),
      );
      return { root, references, init: "providers-unavailable", validate: "skipped" };
    }
    for (const d of errors.length > 0
      ? errors
      : [{ severity: "error", summary: `tofu init failed: ${init.stderr.trim()}` }]) {
      diagnostics.push(tofuDiagnostic("SW_CHECK_TF_INIT", d, at));
    }
    return { root, references, init: "failed", validate: "skipped" };
  }
  const validate = await run(opts.tofu, ["validate", "-json", "-no-color"], dir, env);
  const report = JSON.parse(validate.stdout || "{}") as { valid?: boolean; diagnostics?: TofuDiagnostic[] };
  const found = report.diagnostics ?? [];
  // Not valid and nothing said why (it crashed): its stderr is the finding.
  if (report.valid !== true && found.length === 0)
    found.push({ severity: "error", summary: `tofu validate failed: ${validate.stderr.trim()}` });
  for (const d of found) diagnostics.push(tofuDiagnostic("SW_CHECK_TF_VALIDATE", d, at));
  return { root, references, init: "ok", validate: report.valid === true ? "ok" : "failed" };
}

interface TofuDiagnostic {
  readonly severity: string;
  readonly summary: string;
  readonly detail?: string;
  readonly range?: {
    readonly filename: string;
    readonly start: { readonly line: number; readonly column: number };
  };
}

/** The diagnostics of `tofu … -json` output: one JSON object a line, diagnostics under `diagnostic`. */
function jsonLines(stdout: string): TofuDiagnostic[] {
  const out: TofuDiagnostic[] = [];
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const entry = JSON.parse(line) as { type?: string; diagnostic?: TofuDiagnostic };
    if (entry.type === "diagnostic" && entry.diagnostic) out.push(entry.diagnostic);
  }
  return out;
}

function tofuDiagnostic(
  code: ErrorCode,
  d: TofuDiagnostic,
  at: (file: string, line?: number, col?: number) => { file: string; line: number; col: number },
): Diagnostic {
  return diag(code, d.detail ? `${d.summary}: ${d.detail}` : d.summary, {
    severity: d.severity === "error" ? "error" : "warning",
    location: at(d.range?.filename ?? "", d.range?.start.line, d.range?.start.column),
  });
}

function cliConfigText(mirror: string | undefined): string {
  if (!mirror) return "";
  return `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(mirror)}\n  }\n}\n`;
}

/** {@link runProgram} for a Terraform tool; one that cannot start is the user's to fix (exit 2). */
async function run(
  cmd: string,
  args: readonly string[],
  cwd: string,
  env?: Record<string, string>,
): Promise<RunResult> {
  const r = await runProgram(cmd, args, { cwd, timeoutMs: 300_000, ...(env ? { env } : {}) });
  if (r.code !== null) return r;
  throw new InputError([
    diag("SW_CHECK_TF_TOOL", `cannot run ${cmd}: ${r.error ?? "no exit code"}`, {
      hint: "Install OpenTofu (or Terraform) and pass --tofu PATH; build slipway-tfrefs with `bash tools/build.sh tofu`.",
    }),
  ]);
}
