import { accessSync, constants } from "node:fs";
import { homedir } from "node:os";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import {
  apiServerFromKubeconfig,
  type BootstrapEnv,
  type BootstrapTool,
  bootstrapApply,
  bootstrapPlan,
  bootstrapStatus,
  formatApply,
  formatPlan,
  formatStatus,
  renderPlatform,
} from "@slipway/core";
import { defineCommand } from "citty";
import { configArg } from "../args.js";
import { EXIT, err, out, reportUsageError, writeJson } from "../format.js";

// kubectl is not needed: --apply talks to the API server itself (the printed plan uses kubectl).
const TOOLS: readonly BootstrapTool[] = ["helm", "vault", "tofu"];

export const bootstrapCommand = defineCommand({
  meta: {
    name: "bootstrap",
    description:
      "From an empty K3s node to a running platform, as ordered steps: print the plan (default), `status` (which step the cluster is at; exit 1 until all are done), or --apply (run the steps that can run from this machine, skipping those already done; exit 1 when a step stops it)",
  },
  args: {
    action: {
      type: "positional",
      description: "`plan` (default) or `status`",
      required: false,
      valueHint: "plan|status",
    },
    config: configArg,
    print: { type: "boolean", description: "Print the plan (the default; kept as an alias)", default: false },
    status: { type: "boolean", description: "Same as `slipway bootstrap status`", default: false },
    apply: {
      type: "boolean",
      description:
        "Run the steps that can run from this machine (helm, vault, tofu and the API server), in order",
      default: false,
    },
    format: { type: "enum", description: "Output format", options: ["text", "json"], default: "text" },
    kubeconfig: {
      type: "string",
      description: "Kubeconfig of the cluster (default: $KUBECONFIG, else ~/.kube/config)",
      valueHint: "file",
    },
    context: {
      type: "string",
      description: "Kubeconfig context (default: the current one)",
      valueHint: "name",
    },
    "init-file": {
      type: "string",
      description:
        "Where --apply saves `vault operator init` output (mode 0600) and reads the root token and unseal keys (default: ~/.config/slipway/<platform>/vault-init.json)",
      valueHint: "file",
    },
    wait: {
      type: "string",
      description:
        "Seconds --apply waits for a step the cluster performs (Argo CD, External Secrets) before stopping",
      default: "0",
      valueHint: "seconds",
    },
    helm: { type: "string", description: "helm binary (default: helm on PATH)", valueHint: "path" },
    "helm-chart": {
      type: "string",
      description: "A local Argo CD chart directory to install instead of the chart repository (offline)",
      valueHint: "dir",
    },
    vault: { type: "string", description: "vault binary (default: vault on PATH)", valueHint: "path" },
    tofu: {
      type: "string",
      description: "tofu or terraform (≥ 1.11) binary (default: tofu, else terraform on PATH)",
      valueHint: "path",
    },
  },
  async run({ args }) {
    const action = args.action ?? (args.status ? "status" : "plan");
    if (action !== "plan" && action !== "status") {
      return reportUsageError(
        "slipway bootstrap",
        `unknown action ${JSON.stringify(action)}: use plan or status`,
      );
    }
    const modes = [
      args.print || (action === "plan" && args.action !== undefined),
      action === "status",
      args.apply,
    ];
    if (modes.filter(Boolean).length > 1) {
      return reportUsageError("slipway bootstrap", "choose one of plan/--print, status/--status and --apply");
    }
    const wait = Number(args.wait);
    if (!Number.isFinite(wait) || wait < 0) {
      return reportUsageError(
        "slipway bootstrap",
        `--wait ${JSON.stringify(args.wait)} is not a number of seconds`,
      );
    }
    const session = renderPlatform(args.config);
    if (session.spec.platform.components.argocd?.enabled !== true) {
      return reportUsageError("slipway bootstrap", "the argocd component is disabled; nothing to bootstrap");
    }
    const plan = bootstrapPlan(session);
    const json = args.format === "json";

    if (!args.apply && action === "plan") {
      if (json) writeJson({ version: 1, ...plan });
      else out(formatPlan(plan));
      return EXIT.ok;
    }

    const tools = Object.fromEntries(
      TOOLS.map((t) => {
        const flag = args[t] as string | undefined;
        if (flag) return [t, resolve(flag)];
        return [t, onPath(t) ?? (t === "tofu" ? onPath("terraform") : undefined)];
      }),
    ) as Record<BootstrapTool, string | undefined>;
    for (const t of TOOLS) {
      const flag = args[t] as string | undefined;
      if (flag && !executable(resolve(flag))) {
        return reportUsageError("slipway bootstrap", `--${t} ${flag}: not an executable file`);
      }
    }
    let kube: BootstrapEnv["kube"];
    try {
      kube = apiServerFromKubeconfig({
        ...(args.kubeconfig ? { path: args.kubeconfig } : {}),
        ...(args.context ? { context: args.context } : {}),
      });
    } catch (e) {
      kube = { error: e instanceof Error ? e.message : String(e) };
    }
    const env: BootstrapEnv = {
      tools,
      kube,
      ...(process.env.VAULT_ADDR ? { vaultAddr: process.env.VAULT_ADDR } : {}),
      ...(process.env.VAULT_TOKEN ? { vaultToken: process.env.VAULT_TOKEN } : {}),
      initFile: args["init-file"]
        ? resolve(args["init-file"])
        : join(homedir(), ".config", "slipway", plan.platform, "vault-init.json"),
      repoRoot: session.spec.root,
      ...(args["helm-chart"] ? { helmChart: resolve(args["helm-chart"]) } : {}),
    };

    if (!args.apply) {
      const report = await bootstrapStatus(plan, env);
      if (json) writeJson({ version: 1, ...report });
      else out(formatStatus(plan, report));
      return report.at === undefined ? EXIT.ok : EXIT.failed;
    }
    const report = await bootstrapApply(plan, env, {
      waitMs: wait * 1000,
      log: (line) => err(`${line}\n`),
    });
    if (json) writeJson({ version: 1, ...report });
    else out(formatApply(report));
    return report.stopped ? EXIT.failed : EXIT.ok;
  },
});

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first `name` on PATH that is executable (no shell, no `which`). */
function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "" || !isAbsolute(dir)) continue;
    const p = join(dir, name);
    if (executable(p)) return p;
  }
  return undefined;
}
