import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, join } from "node:path";
import { parse } from "yaml";
import { diag, InputError } from "../diagnostics.js";
import { isRecord } from "./input.js";
import type { ApiServer } from "./server.js";

/**
 * The API server of a kubeconfig's context (the current one unless `context` names another):
 * its URL, CA, and a token or a client certificate. Exec and auth-provider plugins are not run;
 * such a user is an InputError (SW_KUBECONFIG) with a hint.
 *
 * @param path the kubeconfig @default the first of `$KUBECONFIG`, else `~/.kube/config`
 * @example const server = apiServerFromKubeconfig({ context: "homelab" });
 */
export function apiServerFromKubeconfig(opts: { path?: string; context?: string } = {}): ApiServer {
  const path =
    opts.path ??
    (process.env.KUBECONFIG ?? "").split(delimiter).find((p) => p !== "") ??
    join(homedir(), ".kube", "config");
  const fail = (message: string, hint: string): never => {
    throw new InputError([
      diag("SW_KUBECONFIG", message, { hint, location: { file: path, line: 1, col: 1 } }),
    ]);
  };
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, "utf8")) as unknown;
  } catch (e) {
    return fail(
      `cannot read kubeconfig ${path}: ${e instanceof Error ? e.message : String(e)}`,
      "Pass --kubeconfig FILE or set KUBECONFIG.",
    );
  }
  const cfg = isRecord(doc) ? doc : {};
  const named = (list: unknown, name: unknown, field: string): Record<string, unknown> | undefined => {
    const entry = (Array.isArray(list) ? list : []).find((e) => isRecord(e) && e.name === name);
    return isRecord(entry) && isRecord(entry[field]) ? entry[field] : undefined;
  };
  const contextName = opts.context ?? cfg["current-context"];
  if (typeof contextName !== "string" || contextName === "") {
    return fail(`kubeconfig ${path} has no current context`, "Pass --context NAME.");
  }
  const context = named(cfg.contexts, contextName, "context");
  if (!context)
    return fail(`kubeconfig ${path} has no context ${contextName}`, "Pass an existing --context.");
  const cluster = named(cfg.clusters, context.cluster, "cluster");
  if (!cluster || typeof cluster.server !== "string") {
    return fail(
      `context ${contextName}: no cluster ${String(context.cluster)} with a server URL`,
      "Fix the kubeconfig.",
    );
  }
  const user = named(cfg.users, context.user, "user") ?? {};
  const base = dirname(path);
  // A file named relative to the kubeconfig; one that cannot be read is the kubeconfig's fault.
  const readRelative = (file: string, key: string): string => {
    try {
      return readFileSync(isAbsolute(file) ? file : join(base, file), "utf8");
    } catch (e) {
      return fail(
        `context ${contextName}: cannot read ${key} ${file}: ${e instanceof Error ? e.message : String(e)}`,
        "Fix the path in the kubeconfig.",
      );
    }
  };
  // A value inline (`…-data`, base64) or in a file.
  const pem = (obj: Record<string, unknown>, key: string): string | undefined => {
    const data = obj[`${key}-data`];
    if (typeof data === "string") return Buffer.from(data, "base64").toString("utf8");
    const file = obj[key];
    return typeof file === "string" ? readRelative(file, key) : undefined;
  };
  if (user.exec !== undefined || user["auth-provider"] !== undefined) {
    return fail(
      `context ${contextName}: user ${String(context.user)} authenticates through an exec or auth-provider plugin, which slipway does not run`,
      "Use a context whose user has a token or a client certificate (e.g. a ServiceAccount token with read access and dry-run rights).",
    );
  }
  let token = typeof user.token === "string" ? user.token : undefined;
  if (token === undefined && typeof user.tokenFile === "string") {
    token = readRelative(user.tokenFile, "tokenFile").trim();
  }
  const ca = pem(cluster, "certificate-authority");
  const cert = pem(user, "client-certificate");
  const key = pem(user, "client-key");
  return {
    url: cluster.server,
    ...(token !== undefined ? { token } : {}),
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(cluster["insecure-skip-tls-verify"] === true ? { insecureSkipTlsVerify: true } : {}),
  };
}
