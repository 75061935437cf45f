import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSchemaMirror } from "../../core/test/helpers/schema-mirror.js";
import { SCHEMA_DIR } from "../../core/test/helpers/strict-schema.js";
import { repo } from "./_slipway.js";

/**
 * Issue 11, part 4: the CLI as a user installs it. `packages/cli/scripts/pack.ts` packs one
 * self-contained tarball; `npm install -g --prefix <tmp> --offline` installs it (nothing from the
 * registry: every dependency is inside); the installed `slipway`, on PATH with Node 24, runs
 * `init`, `synth` and `check` in an empty folder, then `schemas pull` from a local mirror of the
 * upstream files, after which `check` validates custom resources against their CRDs.
 */
const run = promisify(execFile);
const node24 = join(repo, "node_modules/node/bin/node");

describe("install from the packed tarball", () => {
  let work: string;
  let env: NodeJS.ProcessEnv;
  let tarball: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "slipway-install-"));
    const out = join(work, "out");
    execFileSync(node24, [join(repo, "packages/cli/scripts/pack.ts"), "--out", out], {
      cwd: repo,
      stdio: "ignore",
    });
    const [file] = readdirSync(out);
    tarball = join(out, file as string);
    const prefix = join(work, "prefix");
    // A user's shell: Node 24 and the global bin first, no repository tools, an empty home.
    env = {
      PATH: [dirname(node24), join(prefix, "bin"), "/usr/local/bin", "/usr/bin", "/bin"].join(delimiter),
      HOME: join(work, "home"),
      NO_COLOR: "1",
      npm_config_cache: join(work, "npm-cache"),
    };
    mkdirSync(env.HOME as string);
    execFileSync(
      "npm",
      ["install", "-g", "--prefix", prefix, "--offline", "--no-audit", "--no-fund", tarball],
      {
        env,
        stdio: "ignore",
      },
    );
  }, 600_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const slipway = async (args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}) => {
    try {
      const r = await run("slipway", args, { cwd, env: { ...env, ...extra }, maxBuffer: 1 << 26 });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, stdout: x.stdout, stderr: x.stderr };
    }
  };

  it("the tarball bundles the workspace packages and every dependency", () => {
    const list = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8", maxBuffer: 1 << 26 });
    for (const p of ["core", "presets", "scaffold"]) {
      expect(list).toContain(`package/node_modules/@slipway/${p}/package.json`);
    }
    expect(list).toContain("package/node_modules/zod/package.json");
    expect(list).toContain("package/bin/slipway.js");
  });

  it("slipway init, synth and check work in an empty folder; init names the command that works", {
    timeout: 300_000,
  }, async () => {
    const dir = join(work, "platform");
    mkdirSync(dir);
    const init = await slipway(["init"], dir);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain("then run 'slipway synth'");
    const synth = await slipway(["synth"], dir);
    expect(synth.code, synth.stderr).toBe(0);
    const check = await slipway(["check"], dir);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    // The placeholders init wrote, with where they are and what to do.
    expect(check.stdout).toMatch(
      /^platform\.yaml:\d+:\d+: warning SW_CHECK_PLACEHOLDER: github\.owner is 'example'/m,
    );
    expect(check.stdout).toMatch(/^platform\.yaml:\d+:\d+: warning SW_CHECK_PLACEHOLDER: git\.repoURL /m);
    // What it could not validate, and how to fix that.
    expect(check.stdout).toContain("note: no schema directory");
    expect(check.stdout).toContain("run 'slipway schemas pull'");
    expect(check.stdout).toMatch(/\(0 against CRDs, /);

    const mirror = await startSchemaMirror(SCHEMA_DIR);
    try {
      const cache = { SLIPWAY_SCHEMA_CACHE: join(work, "schemas") };
      const pull = await slipway(["schemas", "pull", "--from", mirror.url], dir, cache);
      expect(pull.code, pull.stderr).toBe(0);
      expect(pull.stdout).toMatch(/^schemas: \d+ files \([\d.]+ MiB\) from http:\/\/127\.0\.0\.1:\d+ into /m);
      const path = await slipway(["schemas", "path"], dir, cache);
      expect(path.stdout.trim().startsWith(join(work, "schemas"))).toBe(true);
      const checked = await slipway(["check"], dir, cache);
      expect(checked.code, checked.stdout).toBe(0);
      expect(checked.stdout).not.toContain("note: no schema directory");
      expect(checked.stdout).not.toContain("SW_CHECK_NO_SCHEMA");
      expect(checked.stdout).toMatch(/\([1-9]\d* against CRDs, /);
    } finally {
      await mirror.close();
    }
  });
});
