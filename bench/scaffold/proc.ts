/**
 * What bench/scaffold does with a server process and its port: one request, polling for the first
 * 200, resident memory from /proc, and a clean stop. Shared by run.ts and initializr.ts.
 */
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Probe {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Called per request. */
  readonly body?: () => string;
}

export interface Answer {
  readonly status: number;
  readonly type: string;
  readonly body: Buffer;
}

/** One request on a fresh connection; rejects when nothing listens yet. */
export function fetchOnce(port: number, probe: Probe): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: probe.method,
        path: probe.path,
        headers: probe.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers["content-type"] ?? ""),
            body: Buffer.concat(chunks),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(probe.body?.());
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls every 2 ms until a 200; any other answer fails, as does an exit or 60 s of silence. */
export async function firstOk(
  port: number,
  probe: Probe,
  since: number,
  child: ChildProcess,
): Promise<Answer> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before answering`);
    try {
      const a = await fetchOnce(port, probe);
      if (a.status === 200) return a;
      throw new Error(
        `${probe.method} ${probe.path} answered ${a.status}: ${a.body.toString().slice(0, 300)}`,
      );
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // A JVM may accept the connection before its server is ready to answer on it.
      if (code !== "ECONNREFUSED" && code !== "ECONNRESET") throw e;
    }
    if (performance.now() - since > 60_000) throw new Error("server did not answer within 60 s");
    await sleep(2);
  }
}

export function procStatus(pid: number, field: "VmRSS" | "VmHWM"): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
