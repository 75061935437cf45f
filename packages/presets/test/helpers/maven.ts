import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/*
 * Real Maven and a real JDK for the Spring presets' builds. The local repository (~/.m2) is the
 * cache: a fresh machine downloads the dependencies from Maven Central on the first run.
 */

/** Major version of the JDK at `home`, or undefined when it is not one. */
function jdkMajor(home: string): number | undefined {
  const java = join(home, "bin", "java");
  if (!existsSync(java) || !existsSync(join(home, "bin", "javac"))) return undefined;
  const r = spawnSync(java, ["-XshowSettings:properties", "-version"], { encoding: "utf8" });
  const m = /java\.specification\.version = (\d+)/.exec(r.stderr);
  return m ? Number(m[1]) : undefined;
}

/**
 * A JDK of at least `min` (the presets compile for Java 21): JAVA_HOME when it is new enough, else
 * the newest under /usr/lib/jvm (Java 25 lies in /usr/lib/jvm/temurin-25-jdk-amd64 here).
 */
export function findJdk(min = 21): { home: string; major: number } | undefined {
  const candidates = [
    ...(process.env.JAVA_HOME ? [process.env.JAVA_HOME] : []),
    ...(existsSync("/usr/lib/jvm") ? readdirSync("/usr/lib/jvm").map((d) => join("/usr/lib/jvm", d)) : []),
  ];
  let best: { home: string; major: number } | undefined;
  for (const home of candidates) {
    const major = jdkMajor(home);
    if (major !== undefined && major >= min && (best === undefined || major > best.major))
      best = { home, major };
  }
  return best;
}

export interface RunResult {
  readonly code: number | null;
  readonly output: string;
  readonly ms: number;
}

/** Runs a command to completion without blocking the event loop; stdout and stderr interleaved. */
export function run(
  cmd: string,
  args: readonly string[],
  opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (b: Buffer) => (output += b.toString()));
    child.stderr.on("data", (b: Buffer) => (output += b.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 600_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: Date.now() - started });
    });
  });
}

/** `mvn` (or the project's `./mvnw`) in batch mode, with `javaHome` as JAVA_HOME. */
export function maven(
  dir: string,
  args: readonly string[],
  opts: { javaHome: string; wrapper?: boolean; timeoutMs?: number },
): Promise<RunResult> {
  const cmd = opts.wrapper ? join(dir, "mvnw") : "mvn";
  return run(cmd, ["--batch-mode", "--no-transfer-progress", ...args], {
    cwd: dir,
    env: { JAVA_HOME: opts.javaHome, PATH: `${join(opts.javaHome, "bin")}:${process.env.PATH ?? ""}` },
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  });
}

/** Surefire's summary line (`Tests run: 5, Failures: 0, Errors: 0, Skipped: 0`), the last one printed. */
export function surefireSummary(
  output: string,
): { run: number; failures: number; errors: number; skipped: number } | undefined {
  const all = [
    ...output.matchAll(/^\[\w+\] Tests run: (\d+), Failures: (\d+), Errors: (\d+), Skipped: (\d+)$/gm),
  ];
  const m = all.at(-1);
  return m
    ? { run: Number(m[1]), failures: Number(m[2]), errors: Number(m[3]), skipped: Number(m[4]) }
    : undefined;
}

/** A running `java -jar`, its output collected; `stop()` sends SIGTERM, then SIGKILL after 20 s. */
export interface JavaProcess {
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export function startJava(
  args: readonly string[],
  opts: { cwd: string; env: Record<string, string>; javaHome: string; user?: string },
): JavaProcess {
  const java = join(opts.javaHome, "bin", "java");
  // As root, drop to the given user the way the image's USER does (runuser keeps no privileges).
  const [cmd, argv] = opts.user ? ["runuser", ["-u", opts.user, "--", java, ...args]] : [java, [...args]];
  const child = spawn(cmd, argv, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (b: Buffer) => (output += b.toString()));
  child.stderr?.on("data", (b: Buffer) => (output += b.toString()));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
