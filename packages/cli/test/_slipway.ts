import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Spawns the built CLI (`packages/cli/bin/slipway.js`; `npm test` runs `tsc -b` first) with
 * Node 24 from the repository, in `cwd`, without colour unless the caller's env says otherwise.
 */
export const repo = join(import.meta.dirname, "../../..");
const bin = join(repo, "packages/cli/bin/slipway.js");
const node24 = join(repo, "node_modules/.bin/node");
const node = existsSync(node24) ? node24 : process.execPath;

export interface Run {
  readonly code: number | null;
  /** The signal that ended it: `SIGTERM` when it outlived `timeout`. */
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `timeout` (ms) kills a run that does not end by itself, e.g. a server that should have failed to start. */
export function slipway(
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {},
): Run {
  const r = spawnSync(node, [bin, ...args], {
    cwd: opts.cwd ?? repo,
    encoding: "utf8",
    env: opts.env ?? { ...process.env, NO_COLOR: "1" },
    ...(opts.timeout !== undefined ? { timeout: opts.timeout } : {}),
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A tiny platform repository: a handful of components and one service. Components are being
 * filled in, so tests on it assert structure (exit codes, codes, tree shape), not file lists.
 */
export function writeTinyPlatform(root: string, services: Record<string, string> = { hello: HELLO }): void {
  writeFileSync(join(root, "platform.yaml"), TINY_PLATFORM);
  mkdirSync(join(root, "services"), { recursive: true });
  for (const [name, text] of Object.entries(services))
    writeFileSync(join(root, "services", `${name}.yaml`), text);
}

export const TINY_PLATFORM = `apiVersion: slipway.dev/v1alpha1
kind: Platform
metadata:
  name: tiny
spec:
  domain: example.test
  git:
    repoURL: https://github.com/example/tiny.git
  github:
    owner: example
  cluster:
    distribution: k3s
    nodes:
      - name: node-1
        cpu: 4
        memory: 8Gi
  components:
    argocd: { enabled: true }
    gateway: { enabled: true }
    vault: { enabled: true }
    external-secrets: { enabled: true }
    services: { enabled: true }
    cloudflare: { enabled: false }
    postgres: { enabled: false }
    observability: { enabled: false }
`;

export const HELLO = `apiVersion: slipway.dev/v1alpha1
kind: Service
metadata:
  name: hello
spec:
  image: ghcr.io/example/hello:1.0.0
  port: 8080
  subdomain: hello
`;

export function service(name: string, extra = ""): string {
  return HELLO.replaceAll("hello", name) + extra;
}
