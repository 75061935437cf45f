import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse } from "yaml";
import { runProgram } from "../check/process.js";
import { type ApiServer, KubeClient } from "../check/server.js";
import { VAULT } from "../components/vault/contract.js";
import type { Action, BootstrapPlan, BootstrapStep, BootstrapTool, Check } from "./plan.js";

/**
 * Where `status` and `--apply` run: the CLIs found (absent ones are `undefined`), the cluster, the
 * Vault address and token, the repository the plan was rendered from, and the init file.
 */
export interface BootstrapEnv {
  /** Absolute paths of the CLIs; a step needing one that is `undefined` stops with a hint. */
  readonly tools: Readonly<Record<BootstrapTool, string | undefined>>;
  /** The kubeconfig's API server, or why there is none (the message of SW_KUBECONFIG). */
  readonly kube: ApiServer | { readonly error: string };
  /** VAULT_ADDR; unset: probes of Vault fail with the port-forward hint. */
  readonly vaultAddr?: string;
  /** VAULT_TOKEN; unset: the init file's root token, when there is one. */
  readonly vaultToken?: string;
  /** `vault operator init` output (mode 0600). */
  readonly initFile: string;
  /** Root of the rendered platform repository (cwd of every command). */
  readonly repoRoot: string;
  /** Extra arguments to `helm upgrade --install` (e.g. a local chart path instead of the repo). */
  readonly helmChart?: string;
  /** Per-command timeout. @default 600000 */
  readonly timeoutMs?: number;
}

export type StepState = "done" | "todo" | "unknown" | "advice";

export interface StepStatus {
  readonly id: string;
  readonly title: string;
  readonly by: BootstrapStep["by"];
  readonly state: StepState;
  /** The first check that does not hold (todo) or could not be evaluated (unknown). */
  readonly failed?: { readonly describe: string; readonly fix: string; readonly detail?: string };
}

export interface StatusReport {
  readonly steps: readonly StepStatus[];
  /** The first step not done: where `--apply` continues. Undefined when all are done. */
  readonly at?: string;
}

export interface ApplyReport {
  readonly steps: readonly (StepStatus & { readonly ran: boolean })[];
  /** Set when `--apply` stopped before the end. */
  readonly stopped?: {
    readonly step: string;
    readonly reason: "precondition" | "tool" | "action" | "not-done" | "by-hand" | "waiting";
    readonly message: string;
    readonly fix: string;
    readonly commands: readonly string[];
  };
}

interface Result {
  readonly ok: boolean;
  /** The check could not be evaluated (no vault CLI, no kubeconfig). */
  readonly unknown?: boolean;
  readonly detail?: string;
}

/** The state of every step, by its `done` checks; never changes anything. */
export async function bootstrapStatus(plan: BootstrapPlan, env: BootstrapEnv): Promise<StatusReport> {
  const probe = new Prober(env);
  try {
    const steps: StepStatus[] = [];
    for (const s of plan.steps) steps.push(await stepStatus(s, probe));
    return { steps, ...atOf(steps) };
  } finally {
    probe.close();
  }
}

function atOf(steps: readonly StepStatus[]): { at?: string } {
  const first = steps.find((s) => s.state === "todo" || s.state === "unknown");
  return first ? { at: first.id } : {};
}

async function stepStatus(s: BootstrapStep, probe: Prober): Promise<StepStatus> {
  const base = { id: s.id, title: s.title, by: s.by };
  if (s.done.length === 0) return { ...base, state: "advice" };
  for (const c of s.done) {
    const r = await probe.check(c);
    if (!r.ok) {
      return {
        ...base,
        state: r.unknown ? "unknown" : "todo",
        failed: { describe: c.describe, fix: c.fix, ...(r.detail ? { detail: r.detail } : {}) },
      };
    }
  }
  return { ...base, state: "done" };
}

/**
 * Runs the plan from the first step not done: each step is skipped when its `done` checks hold
 * (so a rerun continues where the last one stopped, and a finished plan changes nothing), its
 * tools and preconditions are checked before anything runs, and it stops at the first step it
 * cannot finish, saying why and what to do. `wait` steps are polled for `waitMs`.
 */
export async function bootstrapApply(
  plan: BootstrapPlan,
  env: BootstrapEnv,
  opts: { waitMs?: number; log?: (line: string) => void } = {},
): Promise<ApplyReport> {
  const probe = new Prober(env);
  const log = opts.log ?? (() => {});
  const steps: (StepStatus & { ran: boolean })[] = [];
  try {
    for (const s of plan.steps) {
      let st = await stepStatus(s, probe);
      if (st.state === "done" || st.state === "advice") {
        steps.push({ ...st, ran: false });
        log(st.state === "done" ? `✓ ${s.id}: already done` : `· ${s.id}: ${s.title} (advice, not checked)`);
        continue;
      }
      const stop = (reason: NonNullable<ApplyReport["stopped"]>["reason"], message: string, fix: string) => {
        steps.push({ ...st, ran: false });
        return { steps, stopped: { step: s.id, reason, message, fix, commands: s.commands } };
      };
      if (s.by === "manual") {
        return stop(
          "by-hand",
          `${s.id}: ${st.failed?.describe ?? s.title} — not yet`,
          st.failed?.fix ?? "Run this step's commands.",
        );
      }
      const missing = s.tools.filter((t) => env.tools[t] === undefined);
      if (missing.length > 0) {
        return stop(
          "tool",
          `${s.id} needs ${missing.map((t) => `the ${t} CLI`).join(" and ")}, not found on PATH`,
          missing.map((t) => TOOL_HINT[t]).join(" "),
        );
      }
      if (s.by === "wait") {
        const deadline = Date.now() + (opts.waitMs ?? 0);
        // Unknown (no VAULT_ADDR, no kubeconfig) will not change by waiting.
        while (st.state === "todo" && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 2000));
          st = await stepStatus(s, probe);
        }
        if (st.state !== "done") {
          return stop(
            "waiting",
            `${s.id}: ${st.failed?.describe ?? s.title} — not yet${st.failed?.detail ? ` (${st.failed.detail})` : ""}`,
            st.failed?.fix ?? "",
          );
        }
        steps.push({ ...st, ran: false });
        log(`✓ ${s.id}: done`);
        continue;
      }
      for (const c of s.preconditions) {
        const r = await probe.check(c);
        if (!r.ok) {
          return stop(
            "precondition",
            `${s.id}: precondition not met: ${c.describe}${r.detail ? ` (${r.detail})` : ""}`,
            c.fix,
          );
        }
      }
      log(`→ ${s.id}: ${s.title}`);
      for (const a of s.actions) {
        const err = await probe.act(a);
        if (err) {
          return stop(
            "action",
            `${s.id}: ${err}`,
            "Fix the cause, then run `slipway bootstrap --apply` again: steps already done are skipped.",
          );
        }
      }
      st = await stepStatus(s, probe);
      if (st.state !== "done") {
        return stop(
          "not-done",
          `${s.id} ran, but ${st.failed?.describe ?? "its done check"} does not hold${st.failed?.detail ? ` (${st.failed.detail})` : ""}`,
          st.failed?.fix ?? "",
        );
      }
      steps.push({ ...st, ran: true });
      log(`✓ ${s.id}: done`);
    }
    return { steps };
  } finally {
    probe.close();
  }
}

const TOOL_HINT: Record<BootstrapTool, string> = {
  helm: "Install Helm (https://helm.sh/docs/intro/install/) or pass --helm PATH.",
  kubectl: "Install kubectl (https://kubernetes.io/docs/tasks/tools/) or pass --kubectl PATH.",
  vault: "Install the Vault CLI (https://developer.hashicorp.com/vault/install) or pass --vault PATH.",
  tofu: "Install OpenTofu (https://opentofu.org/docs/intro/install/) or pass --tofu PATH (terraform ≥ 1.11 works too).",
};

interface VaultInit {
  unseal_keys_b64?: string[];
  recovery_keys_b64?: string[];
  root_token?: string;
}

/** Evaluates checks and runs actions against the environment. */
class Prober {
  #kube?: KubeClient;
  constructor(private readonly env: BootstrapEnv) {}

  close(): void {
    this.#kube?.close();
  }

  private kube(): KubeClient | string {
    if ("error" in this.env.kube) return this.env.kube.error;
    this.#kube ??= new KubeClient(this.env.kube);
    return this.#kube;
  }

  private async kubeSend(method: string, path: string, body?: string, type?: string) {
    const k = this.kube();
    if (typeof k === "string") return { error: k, unknown: true } as const;
    try {
      return { reply: await k.send(method, path, body, type) } as const;
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) } as const;
    }
  }

  private init(): VaultInit | undefined {
    if (!existsSync(this.env.initFile)) return undefined;
    return JSON.parse(readFileSync(this.env.initFile, "utf8")) as VaultInit;
  }

  private token(): string | undefined {
    return this.env.vaultToken ?? this.init()?.root_token;
  }

  /** Runs the vault CLI with VAULT_ADDR and the token; undefined when there is no CLI or address. */
  private async vault(args: readonly string[], input?: string) {
    const bin = this.env.tools.vault;
    if (!bin) return { error: "the vault CLI is not on PATH (--vault PATH)", unknown: true } as const;
    if (!this.env.vaultAddr) return { error: "VAULT_ADDR is not set", unknown: true } as const;
    const token = this.token();
    const r = await runProgram(bin, args, {
      timeoutMs: 30_000,
      env: { VAULT_ADDR: this.env.vaultAddr, ...(token ? { VAULT_TOKEN: token } : {}), VAULT_FORMAT: "json" },
      ...(input !== undefined ? { input } : {}),
    });
    return { result: r } as const;
  }

  async check(c: Check): Promise<Result> {
    switch (c.kind) {
      case "kube-reachable": {
        const r = await this.kubeSend("GET", "/version");
        if ("error" in r) return { ok: false, detail: r.error, ...(r.unknown ? { unknown: true } : {}) };
        return r.reply.ok ? { ok: true } : { ok: false, detail: `HTTP ${r.reply.status} ${r.reply.message}` };
      }
      case "kube-object": {
        const r = await this.kubeSend("GET", c.path);
        if ("error" in r) return { ok: false, detail: r.error, ...(r.unknown ? { unknown: true } : {}) };
        if (c.absent)
          return r.reply.status === 404 ? { ok: true } : { ok: false, detail: `HTTP ${r.reply.status}` };
        if (!r.reply.ok)
          return { ok: false, detail: r.reply.status === 404 ? "not found" : `HTTP ${r.reply.status}` };
        const body = r.reply.body as Record<string, unknown>;
        if (c.field) {
          const v = c.field.reduce<unknown>(
            (o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined),
            body,
          );
          if (c.equals !== undefined && v !== c.equals)
            return { ok: false, detail: `${c.field.join(".")} is ${String(v)}` };
          if (c.atLeast !== undefined && !(typeof v === "number" && v >= c.atLeast))
            return { ok: false, detail: `${c.field.join(".")} is ${v === undefined ? "unset" : String(v)}` };
        }
        if (c.condition) {
          const conds =
            (body.status as { conditions?: { type?: string; status?: string }[] } | undefined)?.conditions ??
            [];
          if (!conds.some((x) => x.type === c.condition && x.status === "True"))
            return { ok: false, detail: `no ${c.condition}=True condition` };
        }
        return { ok: true };
      }
      case "kube-list": {
        const r = await this.kubeSend("GET", c.path);
        if ("error" in r) return { ok: false, detail: r.error, ...(r.unknown ? { unknown: true } : {}) };
        const items = (r.reply.body as { items?: unknown[] } | undefined)?.items ?? [];
        return r.reply.ok && items.length > 0
          ? { ok: true }
          : { ok: false, detail: r.reply.ok ? "none" : `HTTP ${r.reply.status}` };
      }
      case "vault-status": {
        const r = await this.vault(["status", "-format=json"]);
        if ("error" in r) return { ok: false, detail: r.error, ...(r.unknown ? { unknown: true } : {}) };
        // Exit 0: unsealed; 2: sealed; 1: an error (unreachable).
        const { code, stdout, stderr } = r.result;
        if (code !== 0 && code !== 2) return { ok: false, detail: firstLine(stderr || r.result.error || "") };
        if (c.want === "reachable") return { ok: true };
        const s = JSON.parse(stdout) as { initialized?: boolean; sealed?: boolean };
        if (c.want === "initialized")
          return s.initialized ? { ok: true } : { ok: false, detail: "not initialised" };
        return s.sealed === false
          ? { ok: true }
          : { ok: false, detail: s.initialized ? "sealed" : "not initialised" };
      }
      case "vault-token": {
        if (!this.token()) return { ok: false, detail: "no VAULT_TOKEN and no init file" };
        const r = await this.vault(["token", "lookup", "-format=json"]);
        if ("error" in r) return { ok: false, detail: r.error, ...(r.unknown ? { unknown: true } : {}) };
        return r.result.code === 0 ? { ok: true } : { ok: false, detail: firstLine(r.result.stderr) };
      }
      case "vault-read": {
        for (const p of c.paths) {
          const r = await this.vault(["read", "-format=json", p]);
          if ("error" in r) return { ok: false, detail: r.error, ...(r.unknown ? { unknown: true } : {}) };
          if (r.result.code !== 0)
            return { ok: false, detail: `${p}: ${firstLine(r.result.stderr) || "missing"}` };
        }
        return { ok: true };
      }
      case "kv-present": {
        for (const s of c.secrets) {
          const r = await this.vault(["kv", "get", `-mount=${VAULT.kvMount}`, "-format=json", s.path]);
          if ("error" in r) return { ok: false, detail: r.error, ...(r.unknown ? { unknown: true } : {}) };
          if (r.result.code !== 0) return { ok: false, detail: `${VAULT.kvMount}/${s.path} missing` };
          const data =
            (JSON.parse(r.result.stdout) as { data?: { data?: Record<string, unknown> } }).data?.data ?? {};
          const absent = s.fields.filter((f) => data[f] === undefined);
          if (absent.length > 0)
            return { ok: false, detail: `${VAULT.kvMount}/${s.path} lacks ${absent.join(", ")}` };
        }
        return { ok: true };
      }
      case "tf-state": {
        const file = join(this.env.repoRoot, c.dir, "terraform.tfstate");
        if (!existsSync(file)) return { ok: false, detail: `no ${c.dir}/terraform.tfstate` };
        const state = JSON.parse(readFileSync(file, "utf8")) as { resources?: unknown[] };
        return (state.resources?.length ?? 0) > 0
          ? { ok: true }
          : { ok: false, detail: "the state is empty" };
      }
    }
  }

  /** Runs one action; returns an error message, or undefined on success. */
  async act(a: Action): Promise<string | undefined> {
    switch (a.kind) {
      case "exec": {
        const [tool, ...args] = a.argv;
        const bin = this.env.tools[tool as BootstrapTool];
        if (!bin) return `${tool} not found`;
        const argv = tool === "helm" && this.env.helmChart ? helmLocal(args, this.env.helmChart) : args;
        const token = this.token();
        const r = await runProgram(bin, argv, {
          timeoutMs: this.env.timeoutMs ?? 600_000,
          cwd: this.env.repoRoot,
          env: {
            ...(this.env.vaultAddr ? { VAULT_ADDR: this.env.vaultAddr } : {}),
            ...(token ? { VAULT_TOKEN: token } : {}),
            ...a.env,
          },
        });
        if (r.code !== 0)
          return `${tool} ${argv.slice(0, 2).join(" ")} failed (${r.code ?? r.error}): ${tail(r.stderr || r.stdout)}`;
        return undefined;
      }
      case "kube-apply": {
        const obj = parse(readFileSync(join(this.env.repoRoot, a.file), "utf8")) as {
          apiVersion: string;
          kind: string;
          metadata: { name: string; namespace?: string };
        };
        const [group, version] = obj.apiVersion.includes("/")
          ? obj.apiVersion.split("/")
          : ["", obj.apiVersion];
        const plural = `${obj.kind.toLowerCase()}s`;
        const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
        const ns = obj.metadata.namespace ? `/namespaces/${obj.metadata.namespace}` : "";
        const q = new URLSearchParams({ fieldManager: "slipway-bootstrap", force: "true" });
        const r = await this.kubeSend(
          "PATCH",
          `${base}${ns}/${plural}/${obj.metadata.name}?${q}`,
          JSON.stringify(obj),
          "application/apply-patch+yaml",
        );
        if ("error" in r) return r.error;
        return r.reply.ok ? undefined : `applying ${a.file}: HTTP ${r.reply.status} ${r.reply.message}`;
      }
      case "vault-init": {
        const prefix = a.recovery ? "-recovery-" : "-key-";
        const r = await this.vault([
          "operator",
          "init",
          `${prefix}shares=${a.shares}`,
          `${prefix}threshold=${a.threshold}`,
          "-format=json",
        ]);
        if ("error" in r) return r.error;
        if (r.result.code !== 0) return `vault operator init failed: ${tail(r.result.stderr)}`;
        mkdirSync(dirname(this.env.initFile), { recursive: true, mode: 0o700 });
        // Written before anything else can fail: losing it loses the Vault.
        writeFileSync(this.env.initFile, r.result.stdout, { mode: 0o600, flag: "wx" });
        return undefined;
      }
      case "unseal-secret": {
        const keys = this.init()?.unseal_keys_b64;
        if (!keys || keys.length < a.threshold)
          return `no unseal keys in ${this.env.initFile}: this Vault was initialised elsewhere; create the Secret with the keys you kept (see the command).`;
        const secret = {
          apiVersion: "v1",
          kind: "Secret",
          metadata: {
            name: a.name,
            namespace: a.namespace,
            labels: { "app.kubernetes.io/managed-by": "slipway-bootstrap" },
          },
          type: "Opaque",
          stringData: Object.fromEntries(keys.slice(0, a.threshold).map((k, i) => [`key-${i + 1}`, k])),
        };
        const r = await this.kubeSend(
          "POST",
          `/api/v1/namespaces/${a.namespace}/secrets`,
          JSON.stringify(secret),
          "application/json",
        );
        if ("error" in r) return r.error;
        return r.reply.ok || r.reply.status === 409
          ? undefined
          : `creating Secret ${a.namespace}/${a.name}: HTTP ${r.reply.status} ${r.reply.message}`;
      }
      case "vault-unseal": {
        const keys = this.init()?.unseal_keys_b64;
        if (!keys)
          return `no unseal keys in ${this.env.initFile}: unseal with the keys you kept (vault operator unseal).`;
        for (const k of keys) {
          // `vault operator unseal` takes the key only as an argument; sys/unseal reads it from stdin.
          const r = await this.vault(
            ["write", "-format=json", "sys/unseal", "-"],
            JSON.stringify({ key: k }),
          );
          if ("error" in r) return r.error;
          if (r.result.code !== 0) return `vault operator unseal failed: ${tail(r.result.stderr)}`;
          const out = JSON.parse(r.result.stdout) as { sealed?: boolean; data?: { sealed?: boolean } };
          if ((out.data ?? out).sealed === false) return undefined;
        }
        return "still sealed after every key of the init file";
      }
      case "kv-generate": {
        for (const s of a.secrets) {
          const has = await this.check({ kind: "kv-present", secrets: [s], describe: "", fix: "" });
          if (has.ok) continue;
          const exists = await this.vault(["kv", "get", `-mount=${VAULT.kvMount}`, s.path]);
          if ("result" in exists && exists.result.code === 0) {
            return `${VAULT.kvMount}/${s.path} exists without all of ${s.fields.join(", ")}: add the missing fields by hand (vault kv patch), never overwritten here`;
          }
          const data: Record<string, string> = {};
          for (const f of s.fields) data[f] = s.fixed?.[f] ?? randomBytes(24).toString("base64url");
          // From stdin as JSON: generated values never appear on a command line.
          const r = await this.vault(
            ["kv", "put", `-mount=${VAULT.kvMount}`, s.path, "-"],
            JSON.stringify(data),
          );
          if ("error" in r) return r.error;
          if (r.result.code !== 0) return `vault kv put ${s.path} failed: ${tail(r.result.stderr)}`;
        }
        return undefined;
      }
      case "kv-copy": {
        const r = await this.kubeSend("GET", `/api/v1/namespaces/${a.namespace}/secrets/${a.secret}`);
        if ("error" in r) return r.error;
        if (!r.reply.ok) return `Secret ${a.namespace}/${a.secret}: HTTP ${r.reply.status}`;
        const b64 = (r.reply.body as { data?: Record<string, string> }).data?.[a.key];
        if (!b64) return `Secret ${a.namespace}/${a.secret} has no key ${a.key}`;
        const value = Buffer.from(b64, "base64").toString("utf8");
        const w = await this.vault(
          ["kv", "put", `-mount=${VAULT.kvMount}`, a.kvPath, "-"],
          JSON.stringify({ [a.field]: value }),
        );
        if ("error" in w) return w.error;
        if (w.result.code !== 0) return `vault kv put ${a.kvPath} failed: ${tail(w.result.stderr)}`;
        const d = await this.kubeSend("DELETE", `/api/v1/namespaces/${a.namespace}/secrets/${a.secret}`);
        if ("error" in d) return d.error;
        return undefined;
      }
    }
  }
}

/** `helm upgrade --install NAME CHART --repo URL …` with a local chart directory instead of the repository. */
function helmLocal(args: readonly string[], chart: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--repo") {
      i++;
      continue;
    }
    out.push(i === 3 ? chart : (args[i] as string));
  }
  return out;
}

const firstLine = (s: string) =>
  s
    .trim()
    .split("\n")
    .find((l) => l.trim() !== "")
    ?.trim() ?? "";
const tail = (s: string) => s.trim().split("\n").slice(-3).join(" / ");
