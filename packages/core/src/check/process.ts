import { spawn } from "node:child_process";

/** What a program printed and how it ended. */
export interface RunResult {
  /** The exit code; null when it did not start or was stopped. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Why the process did not run or was stopped (spawn error, timeout). */
  readonly error?: string;
}

export interface RunOptions {
  /** Killed (SIGKILL) after this long. */
  readonly timeoutMs: number;
  readonly cwd?: string;
  /** Added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Written to the program's stdin (closed otherwise): secrets never go on a command line. */
  readonly input?: string;
}

/**
 * Runs a program with an argument array (no shell) and collects its output. Never rejects: a
 * program that cannot start resolves with `code: null` and `error`, as one that timed out does.
 * The check stages that hand artifacts to external tools (helm, tofu, slipway-tfrefs) share it.
 */
export function runProgram(cmd: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
      ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let error: string | undefined;
    let settled = false;
    const finish = (r: RunResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(() => {
      error = `stopped after ${opts.timeoutMs} ms`;
      child.kill("SIGKILL");
    }, opts.timeoutMs);
    if (opts.input !== undefined) {
      child.stdin?.on("error", () => {}); // a program that exits without reading its input
      child.stdin?.end(opts.input);
    }
    child.stdout?.on("data", (b: Buffer) => out.push(b));
    child.stderr?.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => {
      error = e.message;
      // A program that never started emits no "close".
      if (child.pid === undefined) finish({ code: null, stdout: "", stderr: "", error });
    });
    child.on("close", (code) => {
      finish({
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        ...(error ? { error } : {}),
      });
    });
  });
}
