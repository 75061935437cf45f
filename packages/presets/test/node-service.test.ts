import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { get } from "node:http";
import { dirname, join } from "node:path";
import { afterAll, expect, describe as group, it } from "vitest";
import { eventually, fileOf, freePort, generateSample, writeProject } from "./helpers/project.js";

/*
 * The generated node-service, treated as a user would: `npm ci` from the shipped lockfile (npm's
 * cache keeps this fast after the first run; `--prefer-offline` skips revalidation), then its own
 * lint, tests and build, then the built server answering its health endpoint. npm runs on Node 24:
 * the repository's node_modules/.bin (the pinned `node`) comes first on PATH.
 */
const REPO = join(import.meta.dirname, "../../..");
const PATH = [join(REPO, "node_modules/.bin"), dirname(process.execPath), process.env.PATH].join(":");
const ENV = {
  ...process.env,
  PATH,
  npm_config_update_notifier: "false",
  npm_config_fund: "false",
  npm_config_audit: "false",
};

function npm(cwd: string, ...args: string[]): void {
  const started = performance.now();
  const run = spawnSync("npm", args, { cwd, env: ENV, encoding: "utf8" });
  console.log(`npm ${args.join(" ")}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  expect(run.error).toBeUndefined();
  expect(run.status, `npm ${args.join(" ")}\n${run.stdout}\n${run.stderr}`).toBe(0);
}

function status(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get({ host: "127.0.0.1", port, path }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on("error", reject);
  });
}

group("node-service, generated and built", () => {
  const dir = writeProject(generateSample("node-service", { name: "demo-api", owner: "octocat" }));
  let server: ChildProcess | undefined;
  afterAll(() => {
    server?.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("installs from its lockfile, lints, tests and builds; the built server answers /healthz", {
    timeout: 240_000,
  }, async () => {
    npm(dir, "ci", "--prefer-offline", "--no-audit", "--no-fund");
    npm(dir, "run", "lint");
    npm(dir, "test");
    npm(dir, "run", "build");

    const port = await freePort();
    server = spawn(join(REPO, "node_modules/.bin/node"), ["dist/server.js"], {
      cwd: dir,
      env: { ...ENV, PORT: String(port), OIDC_ISSUER_URL: "", OTEL_EXPORTER_OTLP_ENDPOINT: "" },
      stdio: "ignore",
    });
    expect(await eventually(() => status(port, "/healthz"))).toBe(200);
    expect(await status(port, "/readyz")).toBe(200);
    expect(await status(port, "/nope")).toBe(404);
    server.kill("SIGTERM");
    const code = await new Promise((resolve) => server?.once("exit", (c, signal) => resolve(c ?? signal)));
    expect(code, "SIGTERM shuts down cleanly").toBe(0);
  });
});

group("node-service lockfile", () => {
  const files = generateSample("node-service", { name: "demo-lock", owner: "octocat" });
  const lock = JSON.parse(fileOf(files, "package-lock.json")) as {
    packages: Record<string, { version?: string; optionalDependencies?: Record<string, string> }>;
  };

  it("locks Biome's binary for every platform Biome publishes, so `npm ci` works on macOS and Windows", {
    timeout: 240_000,
  }, () => {
    // npm's --os/--cpu install what a Mac (Apple silicon) or a Windows PC would: only what the
    // lockfile lists.
    const dir = writeProject(files);
    try {
      npm(dir, "ci", "--prefer-offline", "--ignore-scripts", "--os=win32", "--cpu=x64");
      const exe = join(dir, "node_modules/@biomejs/cli-win32-x64/biome.exe");
      expect(existsSync(exe), "the Windows x64 Biome binary was installed").toBe(true);
      npm(dir, "ci", "--prefer-offline", "--ignore-scripts", "--os=darwin", "--cpu=arm64");
      const bin = join(dir, "node_modules/@biomejs/cli-darwin-arm64/biome");
      expect(existsSync(bin), "the macOS arm64 Biome binary was installed").toBe(true);
      // Biome's own manifest (as installed) names its platform packages; the lock must hold each.
      const biome = JSON.parse(readFileSync(join(dir, "node_modules/@biomejs/biome/package.json"), "utf8"));
      const platforms = Object.keys(biome.optionalDependencies ?? {}).sort();
      expect(platforms.length).toBeGreaterThanOrEqual(8);
      expect(
        Object.keys(lock.packages["node_modules/@biomejs/biome"]?.optionalDependencies ?? {}).sort(),
      ).toEqual(platforms);
      for (const p of platforms) expect(lock.packages[`node_modules/${p}`]?.version, p).toBe(biome.version);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

group("node-service on a Node older than 24", () => {
  // The system Node (Debian's, 20) — never the repository's pinned one.
  const oldNode = ["/usr/bin/node", "/bin/node"].find((p) => existsSync(p)) ?? "node";
  const oldEnv = { ...ENV, PATH: [dirname(oldNode), process.env.PATH].join(":") };
  const dir = writeProject(generateSample("node-service", { name: "demo-old", owner: "octocat" }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is Node 20 here (the precondition of this test)", () => {
    const v = spawnSync(oldNode, ["--version"], { encoding: "utf8" });
    expect(Number(v.stdout.trim().slice(1).split(".")[0])).toBeLessThan(24);
  });

  it("`npm test` stops at once and says Node 24 is required", () => {
    const run = spawnSync("npm", ["test"], { cwd: dir, env: oldEnv, encoding: "utf8" });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/needs Node 24 or newer .*this is Node v?20\./);
    expect(run.stdout + run.stderr).not.toMatch(/Could not find|ERR_UNKNOWN_FILE_EXTENSION/);
  });

  it("`npm ci` refuses with EBADENGINE instead of installing", () => {
    const run = spawnSync("npm", ["ci", "--prefer-offline"], { cwd: dir, env: oldEnv, encoding: "utf8" });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("EBADENGINE");
    expect(existsSync(join(dir, "node_modules"))).toBe(false);
  });
});
