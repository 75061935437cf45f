import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { get } from "node:http";
import { dirname, join } from "node:path";
import { afterAll, expect, describe as group, it } from "vitest";
import { eventually, freePort, generateSample, writeProject } from "./helpers/project.js";

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
