import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ApiServer } from "../../src/check/server.js";
import { freePort, sleep } from "./net.js";
import { tool } from "./tools.js";
import { issueCa, issueClient } from "./x509.js";

/**
 * A throwaway Kubernetes API server for tests that must prove objects against the real thing:
 * etcd and kube-apiserver (built by `tools/build.sh kube` at the platform's Kubernetes version),
 * on loopback and free ports, with their data in a temporary directory. No controller-manager,
 * scheduler or kubelet runs: objects are stored and validated, nothing reconciles them.
 *
 *     const k = await startApiServer();
 *     try { await checkServer(input, { server: k.server, mode: "scratch", … }); } finally { await k.stop(); }
 */
export interface TestApiServer {
  /** URL, admin token and the CA of the self-signed serving certificate. */
  readonly server: ApiServer;
  /** Milliseconds from spawning etcd to kube-apiserver's /readyz answering ok. */
  readonly startMs: number;
  /** A client certificate and key (PEM) of the same admin, for certificate authentication. */
  readonly client: { readonly cert: string; readonly key: string };
  /** GET `path` as the admin: its HTTP status and body. */
  get(path: string): Promise<{ status: number; body: string }>;
  /** The last lines both processes wrote (for a failing test's message). */
  logs(): string;
  stop(): Promise<void>;
}

/** Keeps the last ~64 KiB a process writes. */
function tail(child: ChildProcess): () => string {
  let buf = "";
  const add = (c: Buffer) => {
    buf = (buf + c.toString("utf8")).slice(-65536);
  };
  child.stdout?.on("data", add);
  child.stderr?.on("data", add);
  return () => buf;
}

/** GET over TLS trusting `ca` only; resolves with the status and body, never rejects. */
function get(url: string, ca: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request(url, { ca, headers: { authorization: `Bearer ${token}` }, timeout: 2000 }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => {
        body += c.toString("utf8");
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", () => resolve({ status: 0, body: "" }));
    });
    req.on("error", (e) => resolve({ status: 0, body: e.message }));
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.end();
  });
}

/** Kills a detached child's whole process group and waits for it to exit. */
async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return; // already gone
  }
  const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
  if (!done) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // gone between the two signals
    }
    await exited;
  }
}

/**
 * The kube-apiserver binary of each `spec.cluster.kubernetesVersion` (tools/README.md):
 * tools/kube builds v1.32.13, tools/kube135 v1.35.4. Both run on tools/kube's etcd 3.5.16, which
 * Kubernetes 1.35 still supports.
 */
export const KUBE_APISERVER: Readonly<Record<string, { readonly bin: string; readonly gitVersion: string }>> =
  {
    "1.32": { bin: "kube-apiserver", gitVersion: "v1.32.13" },
    "1.35": { bin: "kube-apiserver-1.35", gitVersion: "v1.35.4" },
  };

/**
 * Starts etcd, then kube-apiserver against it, and waits for /readyz. Everything started is
 * stopped (process groups killed, temporary directory removed) if starting fails, and by `stop()`.
 * @param timeoutMs how long kube-apiserver may take to become ready @default 60000
 * @param kubernetesVersion which kube-apiserver ({@link KUBE_APISERVER}) @default "1.32"
 */
export async function startApiServer(timeoutMs = 60_000, kubernetesVersion = "1.32"): Promise<TestApiServer> {
  const apiserver = KUBE_APISERVER[kubernetesVersion];
  if (!apiserver) throw new Error(`no kube-apiserver for Kubernetes ${kubernetesVersion} (KUBE_APISERVER)`);
  const etcdBin = tool("etcd");
  const apiserverBin = tool(apiserver.bin);
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "slipway-kube-"));
  const children: ChildProcess[] = [];
  const logs: (() => string)[] = [];
  let stopped = false;
  // Should the test process end without stop() (a crash, a killed worker), take the servers along.
  const onExit = () => {
    for (const c of children) if (c.pid !== undefined && c.exitCode === null) process.kill(-c.pid, "SIGKILL");
  };
  process.once("exit", onExit);
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off("exit", onExit);
    // kube-apiserver first, so that it does not spin on a vanished etcd.
    for (const c of [...children].reverse()) await kill(c);
    rmSync(dir, { recursive: true, force: true });
  };
  const spawnLogged = (bin: string, args: string[]) => {
    // detached: its own process group, killed as a whole by stop().
    const child = spawn(bin, args, { cwd: dir, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    logs.push(tail(child));
    return child;
  };
  const allLogs = () => logs.map((l) => l().split("\n").slice(-40).join("\n")).join("\n---\n");

  try {
    const [clientPort, peerPort, securePort] = [await freePort(), await freePort(), await freePort()];
    const etcd = spawnLogged(etcdBin, [
      "--name=slipway-test",
      `--data-dir=${join(dir, "etcd")}`,
      `--listen-client-urls=http://127.0.0.1:${clientPort}`,
      `--advertise-client-urls=http://127.0.0.1:${clientPort}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=slipway-test=http://127.0.0.1:${peerPort}`,
      // Test data: durability buys nothing and fsync costs seconds on a busy disk.
      "--unsafe-no-fsync",
      "--log-level=warn",
    ]);

    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const saKey = join(dir, "sa.key");
    const saPub = join(dir, "sa.pub");
    writeFileSync(saKey, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    writeFileSync(saPub, publicKey.export({ type: "spki", format: "pem" }));
    const token = randomBytes(24).toString("hex");
    const tokens = join(dir, "tokens.csv");
    // system:masters: every request is allowed, as for a cluster admin, while RBAC objects are still validated.
    writeFileSync(tokens, `${token},slipway-admin,slipway-admin,"system:masters"\n`, { mode: 0o600 });
    const certDir = join(dir, "certs");
    const clientCa = issueCa("slipway-test-client-ca");
    const client = issueClient(clientCa, "slipway-test-client-ca", "slipway-admin", "system:masters");
    const clientCaFile = join(dir, "client-ca.crt");
    writeFileSync(clientCaFile, clientCa.cert);

    spawnLogged(apiserverBin, [
      `--etcd-servers=http://127.0.0.1:${clientPort}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${securePort}`,
      `--cert-dir=${certDir}`,
      `--token-auth-file=${tokens}`,
      `--client-ca-file=${clientCaFile}`,
      "--authorization-mode=RBAC",
      `--service-account-issuer=https://127.0.0.1:${securePort}`,
      `--service-account-key-file=${saPub}`,
      `--service-account-signing-key-file=${saKey}`,
      "--service-cluster-ip-range=10.96.0.0/16",
      "--allow-privileged=true",
      // No token controller runs, so no ServiceAccount would ever get its default token: Pods would
      // be refused. Webhook plugins stay on: no chart's webhook configuration is applied (docs/check.md).
      "--disable-admission-plugins=ServiceAccount",
      "--v=0",
    ]);

    const url = `https://127.0.0.1:${securePort}`;
    const deadline = Date.now() + timeoutMs;
    let ca: string | undefined;
    for (;;) {
      if (etcd.exitCode !== null || children.some((c) => c.exitCode !== null)) {
        throw new Error(`etcd or kube-apiserver exited while starting:\n${allLogs()}`);
      }
      if (ca === undefined) {
        try {
          // The generated serving certificate file holds the certificate and its self-signed CA.
          ca = readFileSync(join(certDir, "apiserver.crt"), "utf8");
        } catch {
          // not written yet
        }
      }
      if (ca !== undefined) {
        const r = await get(`${url}/readyz`, ca, token);
        if (r.status === 200) break;
      }
      if (Date.now() > deadline)
        throw new Error(`kube-apiserver not ready after ${timeoutMs} ms:\n${allLogs()}`);
      await sleep(200);
    }
    const startMs = Math.round(performance.now() - started);
    const serverCa = ca;
    return {
      server: { url, token, ca },
      client: { cert: client.cert, key: client.key },
      startMs,
      get: (path) => get(`${url}${path}`, serverCa, token),
      logs: allLogs,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * Writes a kubeconfig (JSON, which kubeconfig readers accept as YAML) with one context, `homelab`,
 * for `kube`: its serving CA, and `user` — the admin token unless a test gives a client certificate.
 */
export function writeKubeconfig(
  path: string,
  kube: TestApiServer,
  user: Record<string, string> = { token: kube.server.token ?? "" },
): void {
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      "current-context": "homelab",
      contexts: [{ name: "homelab", context: { cluster: "c", user: "u" } }],
      clusters: [
        {
          name: "c",
          cluster: {
            server: kube.server.url,
            "certificate-authority-data": Buffer.from(kube.server.ca ?? "").toString("base64"),
          },
        },
      ],
      users: [{ name: "u", user }],
    }),
  );
}
