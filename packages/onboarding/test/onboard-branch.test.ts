import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConflictError, InputError, type SlipwayError } from "@slipway/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redact, tokenEnv } from "../src/git.js";
import { githubRepo, onboardOnBranch } from "../src/index.js";
import { type GitHttpServer, git, gitHttpAvailable, startGitHttpServer } from "./helpers/git-http-server.js";
import { EXAMPLE, errorOf } from "./helpers/onboard.js";

const TOKEN = `ghs_test${Math.random().toString(36).slice(2)}`;
const TOKEN_B64 = Buffer.from(`x-access-token:${TOKEN}`).toString("base64");
const work = mkdtempSync(join(tmpdir(), "slipway-onboard-branch-"));
const argvLog = join(work, "git-argv.log");
let server: GitHttpServer;
const savedPath = process.env.PATH;

beforeAll(async () => {
  if (!gitHttpAvailable) return;
  server = await startGitHttpServer(TOKEN);
  // A spy on every git the engine runs: argv (NUL-separated) and the names of GIT_CONFIG_* vars.
  const bin = join(work, "bin");
  mkdirSync(bin);
  const real = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();
  writeFileSync(
    join(bin, "git"),
    `#!/bin/sh\nprintf '%s\\0' "$@" >> '${argvLog}'\nprintf '\\n' >> '${argvLog}'\nexec '${real}' "$@"\n`,
  );
  chmodSync(join(bin, "git"), 0o755);
  process.env.PATH = `${bin}:${savedPath}`;
});

afterAll(() => {
  process.env.PATH = savedPath;
  server?.close();
  rmSync(work, { recursive: true, force: true });
});

const refs = (dir: string) => git(["for-each-ref", "--format=%(refname) %(objectname)"], dir);

/** Every text a caller or a log could see of an error. */
const textOf = (e: SlipwayError) => `${e.message}\n${JSON.stringify(e.diagnostics)}\n${String(e.stack)}`;

/**
 * Onboards `name` onto the platform repository `<platform>.git` of the test server, pushing the
 * project to `<name>.git` with the token (the options most tests share; `extra` overrides them).
 */
const onBranch = (
  platform: string,
  name: string,
  presetId: string,
  extra: Partial<Parameters<typeof onboardOnBranch>[0]> = {},
) =>
  onboardOnBranch({
    platformRepo: `${server.base}/${platform}.git`,
    name,
    presetId,
    pushUrl: `${server.base}/${name}.git`,
    gitToken: TOKEN,
    ...extra,
  });

describe("githubRepo, tokenEnv, redact", () => {
  it("knows github.com remotes in their three spellings", () => {
    expect(githubRepo("https://github.com/meirongdev/homelab.git")).toBe("meirongdev/homelab");
    expect(githubRepo("https://x-access-token:t@github.com/o/r")).toBe("o/r");
    expect(githubRepo("git@github.com:o/r.git")).toBe("o/r");
    expect(githubRepo("ssh://git@github.com/o/r.git")).toBe("o/r");
    expect(githubRepo("https://gitlab.com/o/r.git")).toBeUndefined();
    expect(githubRepo("https://github.com/o/r/tree/main")).toBeUndefined();
  });

  it("puts the token in the environment, scoped to the remote's origin, and only for HTTP", () => {
    const env = tokenEnv("https://user:pw@github.com/o/r.git", "abc");
    const n = Number(env.GIT_CONFIG_COUNT) - 1;
    expect(env[`GIT_CONFIG_KEY_${n}`]).toBe("http.https://github.com/.extraHeader");
    expect(env[`GIT_CONFIG_VALUE_${n}`]).toBe(
      `Authorization: Basic ${Buffer.from("x-access-token:abc").toString("base64")}`,
    );
    expect(tokenEnv("git@github.com:o/r.git", "abc")).toEqual({});
    expect(tokenEnv("https://github.com/o/r.git", undefined)).toEqual({});
  });

  it("redacts URL credentials, the token and its header value", () => {
    const b64 = Buffer.from("x-access-token:s3cret").toString("base64");
    expect(redact(`fatal: https://u:s3cret@h/x and ${b64} and s3cret`, "s3cret")).toBe(
      "fatal: https://***@h/x and *** and ***",
    );
  });
});

describe.skipIf(!gitHttpAvailable)("onboard on a platform branch over authenticated smart HTTP", () => {
  it("pushes the project and the branch (services/<name>.yaml + render), main untouched; a rerun is a no-op", () => {
    const platform = server.seeded("homelab.git", EXAMPLE);
    const project = server.bare("demo.git");
    const mainBefore = git(["rev-parse", "main"], platform).trim();
    const run = () => onBranch("homelab", "demo", "node-service");
    const plan = run();
    expect(plan.written).toBe(true);
    expect(plan.branch).toMatchObject({ name: "slipway/new-demo", base: "main", state: "create" });
    expect(plan.branch.compareUrl).toBeUndefined();
    expect(git(["rev-parse", "main"], project).trim()).toBe(plan.repository.commit);

    // The default branch is untouched; the branch is one commit on top of it.
    expect(git(["rev-parse", "main"], platform).trim()).toBe(mainBefore);
    const head = git(["rev-parse", "refs/heads/slipway/new-demo"], platform).trim();
    expect(head).toBe(plan.branch.commit);
    expect(git(["rev-parse", `${head}^`], platform).trim()).toBe(mainBefore);
    expect(git(["log", "-1", "--format=%an <%ae>%n%s", head], platform).trim()).toBe(
      "Slipway <slipway@localhost>\nOnboard demo (node-service 0.1.0)".replace("0.1.0", plan.preset.version),
    );
    const changed = git(["diff", "--name-only", "main", head], platform).trim().split("\n");
    expect(changed).toContain("services/demo.yaml");
    for (const c of plan.platform.changes) expect(changed).toContain(c.path);
    expect(changed.filter((p) => !plan.platform.changes.some((c) => c.path === p))).toEqual(
      changed.filter((p) => p.startsWith(".slipway/")),
    );
    expect(git(["show", `${head}:services/demo.yaml`], platform)).toContain(plan.image);
    expect(
      git(["ls-tree", "-r", "--name-only", head, "argocd/applications/"], platform).split("\n"),
    ).toContain("argocd/applications/demo.yaml");
    // Pushed over HTTP, authenticated on every request.
    const requests = server.requests();
    expect(requests.every((r) => r.authorized)).toBe(true);
    for (const repo of ["homelab.git", "demo.git"])
      expect(requests).toContainEqual(
        expect.objectContaining({ method: "POST", path: `/${repo}/git-receive-pack` }),
      );
    expect(plan.steps.find((s) => s.id === "merge")?.title).toContain("slipway/new-demo");
    expect(JSON.stringify(plan.steps)).not.toContain(tmpdir());

    const before = [refs(platform), refs(project)];
    const again = run();
    expect(again.noop).toBe(true);
    expect(again.written).toBe(false);
    expect(again.branch).toMatchObject({ state: "exists", commit: head });
    expect([refs(platform), refs(project)]).toEqual(before);
  });

  it("a dry run pushes nothing", () => {
    const platform = server.seeded("dry.git", EXAMPLE);
    const project = server.bare("dry-demo.git");
    const before = [refs(platform), refs(project)];
    const plan = onBranch("dry", "dry-demo", "static-frontend", { dryRun: true });
    expect(plan.written).toBe(false);
    expect(plan.branch.state).toBe("create");
    expect(plan.platform.changes.map((c) => c.path)).toContain("services/dry-demo.yaml");
    expect([refs(platform), refs(project)]).toEqual(before);
  });

  it("without the token (or with a wrong one) the server answers 401 and nothing is pushed", () => {
    const platform = server.seeded("locked.git", EXAMPLE);
    const project = server.bare("locked-demo.git");
    const before = [refs(platform), refs(project)];
    for (const gitToken of [undefined, "wrong"]) {
      const e = errorOf(() =>
        onboardOnBranch({
          platformRepo: `${server.base}/locked.git`,
          name: "locked-demo",
          presetId: "node-service",
          pushUrl: `${server.base}/locked-demo.git`,
          ...(gitToken !== undefined ? { gitToken } : {}),
        }),
      );
      expect(e.diagnostics.map((d) => d.code)).toEqual(["SW_NEW_GIT_AUTH_REFUSED"]);
      expect(e).toBeInstanceOf(InputError);
      expect(e.diagnostics[0]?.hint).toMatch(/SLIPWAY_GIT_TOKEN/);
    }
    expect(server.requests().some((r) => !r.authorized && r.path.startsWith("/locked.git/"))).toBe(true);
    expect([refs(platform), refs(project)]).toEqual(before);
  });

  it("a branch with other changes is a conflict, found before the project is pushed", () => {
    const platform = server.seeded("busy.git", EXAMPLE);
    const project = server.bare("web.git");
    const src = join(work, "busy-clone");
    git(["clone", "-q", platform, src]);
    git(["switch", "-q", "-c", "slipway/new-web"], src);
    writeFileSync(join(src, "services", "web.yaml"), "# someone else's\n");
    git(["add", "-A"], src);
    git(["-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-q", "-m", "other"], src);
    git(["push", "-q", "origin", "slipway/new-web"], src);
    const before = [refs(platform), refs(project)];
    const e = errorOf(() => onBranch("busy", "web", "static-frontend"));
    expect(e.diagnostics.map((d) => [d.code, d.path])).toEqual([["SW_NEW_BRANCH_EXISTS", ["name"]]]);
    expect(e.diagnostics[0]?.hint).toMatch(/delete the branch/);
    expect([refs(platform), refs(project)]).toEqual(before);
    expect(textOf(e)).not.toContain(TOKEN);
  });

  it("a failed branch push after the project push says what was done, and a rerun finishes", () => {
    const platform = server.seeded("strict.git", EXAMPLE);
    const project = server.bare("api.git");
    const hook = join(platform, "hooks", "pre-receive");
    writeFileSync(hook, "#!/bin/sh\necho 'branch pushes are closed today' >&2\nexit 1\n");
    chmodSync(hook, 0o755);
    const run = () => onBranch("strict", "api", "node-service");
    const e = errorOf(run);
    expect(e.diagnostics.map((d) => d.code)).toEqual(["SW_NEW_BRANCH_PUSH_FAILED"]);
    expect(e.diagnostics[0]?.hint).toMatch(/was pushed to .*api\.git/);
    expect(e.diagnostics[0]?.hint).toMatch(/again/);
    expect(textOf(e)).not.toContain(TOKEN);
    const pushed = git(["rev-parse", "main"], project).trim();
    expect(git(["for-each-ref", "refs/heads/slipway"], platform).trim()).toBe("");

    unlinkSync(hook);
    const plan = run();
    expect(plan.repository).toMatchObject({ state: "exists", commit: pushed });
    expect(plan.branch.state).toBe("create");
    expect(git(["rev-parse", "refs/heads/slipway/new-api"], platform).trim()).toBe(plan.branch.commit);
  });

  it("a branch someone pushed between slipway's look and its push is a rejected push (non-fast-forward), a conflict", () => {
    const platform = server.seeded("raced.git", EXAMPLE);
    const project = server.bare("late.git");
    const src = join(work, "raced-clone");
    git(["clone", "-q", platform, src]);
    git(["switch", "-q", "-c", "slipway/new-late"], src);
    writeFileSync(join(src, "services", "late.yaml"), "# pushed meanwhile\n");
    git(["add", "-A"], src);
    git(["-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-q", "-m", "meanwhile"], src);
    git(["push", "-q", "origin", "slipway/new-late"], src);
    // Readers do not see the branch, as if it were pushed after slipway listed the remote.
    git(["config", "uploadpack.hideRefs", "refs/heads/slipway/new-late"], platform);
    const e = errorOf(() => onBranch("raced", "late", "static-frontend"));
    expect(e.diagnostics.map((d) => [d.code, d.path])).toEqual([
      ["SW_NEW_GIT_PUSH_REJECTED", ["platformRepo"]],
    ]);
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.diagnostics[0]?.hint).toMatch(/was pushed to .*late\.git/);
    expect(e.diagnostics[0]?.hint).toMatch(/again/);
    expect(textOf(e)).not.toContain(TOKEN);
    expect(git(["rev-parse", "main"], project).trim()).toMatch(/^[0-9a-f]{40}$/);
  });

  it("an unknown platform file or repository is a clear error, with no temporary paths in it", () => {
    server.seeded("plain.git", EXAMPLE);
    const missing = errorOf(() =>
      onboardOnBranch({
        platformRepo: `${server.base}/plain.git`,
        platformConfigPath: "nested/platform.yaml",
        name: "x1",
        presetId: "node-service",
        gitToken: TOKEN,
      }),
    );
    expect(missing.diagnostics.map((d) => d.code)).toEqual(["SW_CONFIG_NOT_FOUND"]);
    expect(textOf(missing)).not.toContain("slipway-platform-");
    const outside = errorOf(() =>
      onboardOnBranch({
        platformRepo: `${server.base}/plain.git`,
        platformConfigPath: "../platform.yaml",
        name: "x1",
        presetId: "node-service",
      }),
    );
    expect(outside.diagnostics.map((d) => d.code)).toEqual(["SW_NEW_PLATFORM_CONFIG_PATH"]);
  });

  it("the token never reaches git's argv (every git run of this file was recorded)", () => {
    const argv = readFileSync(argvLog, "utf8");
    expect(argv).toContain("push\0");
    expect(argv).not.toContain(TOKEN);
    expect(argv).not.toContain(TOKEN_B64);
  });
});
