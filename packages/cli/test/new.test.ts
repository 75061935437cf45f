import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { snapshot, tempDir } from "../../core/test/write/helpers.js";
import {
  type GitHttpServer,
  gitHttpAvailable,
  startGitHttpServer,
} from "../../onboarding/test/helpers/git-http-server.js";
import { repo, slipway } from "./_slipway.js";

const EXAMPLE = join(repo, "examples/homelab");
const SCHEMAS = process.env.SLIPWAY_SCHEMA_DIR ?? join(repo, "../shared/upstream");
const env = { ...process.env, NO_COLOR: "1", SLIPWAY_SCHEMA_DIR: SCHEMAS };

function example(): string {
  const root = join(tempDir("slipway-new-cli-"), "platform");
  cpSync(EXAMPLE, root, { recursive: true });
  return root;
}

function bare(): string {
  const dir = join(tempDir("slipway-new-remote-"), "r.git");
  execFileSync("git", ["init", "-q", "--bare", "-b", "main", dir]);
  return dir;
}

const run = (args: readonly string[], cwd: string) => slipway(args, { cwd, env });

describe("slipway new", () => {
  it("--dry-run prints the diffs and the steps, and writes nothing anywhere", () => {
    const root = example();
    const before = snapshot(root);
    const r = run(["new", "demo", "--preset", "node-service", "--dry-run"], root);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("+++ b/services/demo.yaml");
    expect(r.stdout).toContain("+++ b/k8s/helm/manifests/argocd-image-updater/imageupdater-demo.yaml");
    expect(r.stdout).toMatch(/terraform -chdir=\S*cloudflare\/terraform apply/);
    expect(snapshot(root)).toEqual(before);
    expect(existsSync(join(root, "demo"))).toBe(false);
  });

  it("pushes, registers, passes slipway check, and a second run is a no-op", () => {
    const root = example();
    const remote = bare();
    // The rerun repeats exactly these arguments.
    const args = [
      "new",
      "demo",
      "--preset",
      "node-service",
      "--push",
      remote,
      "--set",
      "port=3000",
      "--set",
      "description=Demo",
    ];
    const r = run(args, root);
    expect(r.code, r.stderr).toBe(0);
    const spec = readFileSync(join(root, "services/demo.yaml"), "utf8");
    expect(spec).toContain("port: 3000");
    const head = execFileSync("git", ["rev-parse", "main"], { cwd: remote, encoding: "utf8" }).trim();
    expect(spec).toContain(`image: ghcr.io/meirongdev/demo:sha-${head}`);
    for (const f of [
      "argocd/applications/demo.yaml",
      "k8s/helm/manifests/demo/deployment-demo.yaml",
      "k8s/helm/manifests/demo/service-demo.yaml",
      "k8s/helm/manifests/demo/httproute-demo.yaml",
      "k8s/helm/manifests/argocd-image-updater/imageupdater-demo.yaml",
    ])
      expect(existsSync(join(root, f)), f).toBe(true);

    const check = run(["check"], root);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(run(["synth", "--check"], root).code).toBe(0);

    const before = [snapshot(root), snapshot(remote)];
    const again = run(args, root);
    expect(again.code, again.stderr).toBe(0);
    expect([snapshot(root), snapshot(remote)]).toEqual(before);
  });

  it("exit codes: 2 for invalid input, 1 for conflicts, nothing written", () => {
    const root = example();
    const remote = bare();
    const busy = join(root, "..", "busy");
    mkdirSync(busy);
    writeFileSync(join(busy, "x"), "x\n");
    const before = [snapshot(root), snapshot(remote)];
    const cases: [string[], number][] = [
      [["new", "Bad_Name", "--preset", "node-service"], 2],
      [["new", "demo", "--preset", "nope"], 2],
      [["new", "demo", "--preset", "node-service", "--set", "colour=red"], 2],
      [["new", "demo", "--preset", "node-service", "--set", "novalue"], 2],
      // Red-team rerun: accepted silently (the assignment set the prototype).
      [["new", "demo", "--preset", "node-service", "--set", "__proto__=x"], 2],
      [["new", "demo", "--preset", "node-service", "--repo-out", "x", "--push", remote], 2],
      [["new", "demo", "--preset", "node-service", "--push", join(root, "..", "missing.git")], 2],
      [["new", "vault", "--preset", "node-service"], 2],
      [["new", "blog", "--preset", "static-frontend"], 1],
      [["new", "demo", "--preset", "node-service", "--repo-out", busy], 1],
      [["new", "demo"], 2],
    ];
    for (const [args, code] of cases) {
      const r = run(args, root);
      expect(r.code, `${args.join(" ")}\n${r.stderr}`).toBe(code);
    }
    expect([snapshot(root), snapshot(remote)]).toEqual(before);
  });
});

describe("slipway new: a Git remote's failure that is the user's situation is coded, with its exit code", () => {
  /** A remote whose main readers do not see: as if someone pushed it after slipway listed the remote. */
  function moved(): string {
    const remote = bare();
    const src = tempDir("slipway-new-moved-");
    writeFileSync(join(src, "README.md"), "# meanwhile\n");
    const git = (a: string[]) => execFileSync("git", a, { cwd: src, stdio: "pipe" });
    git(["init", "-q", "-b", "main"]);
    git(["add", "."]);
    git(["-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-q", "-m", "meanwhile"]);
    git(["push", "-q", remote, "main"]);
    execFileSync("git", ["config", "uploadpack.hideRefs", "refs/heads/main"], { cwd: remote });
    return remote;
  }

  it.each([
    ["unreachable", () => "http://127.0.0.1:9/demo.git", "SW_NEW_GIT_UNREACHABLE", 2],
    ["not a repository", () => `file://${tempDir("slipway-new-plain-")}`, "SW_NEW_GIT_NOT_A_REPOSITORY", 2],
    ["push rejected (non-fast-forward)", moved, "SW_NEW_GIT_PUSH_REJECTED", 1],
  ])("%s", (_name, url, code, exit) => {
    const root = example();
    const before = snapshot(root);
    const r = run(["new", "demo", "--preset", "node-service", "--push", url()], root);
    expect(r.code, r.stderr).toBe(exit);
    expect(r.stderr).toContain(`error ${code}:`);
    expect(r.stderr).toContain("hint: git said:");
    expect(r.stderr).not.toContain("internal error");
    expect(snapshot(root)).toEqual(before);
  });
});

describe.skipIf(!gitHttpAvailable)("slipway new --platform-repo (a branch over smart HTTP)", () => {
  const token = "cli-test-token-4242";
  let server: GitHttpServer;
  beforeAll(async () => {
    server = await startGitHttpServer(token);
  });
  afterAll(() => server?.close());

  it("pushes the repository and the branch with the token from SLIPWAY_GIT_TOKEN; a rerun is a no-op", () => {
    const platform = server.seeded("homelab.git", EXAMPLE);
    const project = server.bare("demo.git");
    const cwd = tempDir("slipway-new-branch-cli-");
    const args = [
      "new",
      "demo",
      "--preset",
      "node-service",
      "--platform-repo",
      `${server.base}/homelab.git`,
      "--push",
      `${server.base}/demo.git`,
    ];
    const withToken = { ...env, SLIPWAY_GIT_TOKEN: token };
    const r = slipway(args, { cwd, env: withToken });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`platform branch slipway/new-demo of ${server.base}/homelab.git (new)`);
    expect(r.stdout).toContain("+ services/demo.yaml");
    const git = (a: string[], dir: string) => execFileSync("git", a, { cwd: dir, encoding: "utf8" }).trim();
    expect(git(["show", "slipway/new-demo:services/demo.yaml"], platform)).toContain(
      "ghcr.io/meirongdev/demo",
    );
    expect(git(["rev-parse", "main"], project)).toMatch(/^[0-9a-f]{40}$/);
    expect(r.stdout + r.stderr).not.toContain(token);

    const again = slipway(args, { cwd, env: withToken });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("(already there)");
    expect(again.stdout).toContain("demo is already onboarded");

    const denied = slipway([...args.slice(0, 5), `${server.base}/homelab.git`], { cwd, env });
    expect(denied.code).toBe(2);
    expect(denied.stderr).toContain("SW_NEW_GIT_AUTH_REFUSED");
    expect(denied.stderr).toContain("hint: git said:");
    expect(denied.stderr).not.toContain("internal error");
  });
});

describe("slipway template export", () => {
  it("writes the template, refuses a non-empty directory unless --force", () => {
    const dir = tempDir("slipway-template-cli-");
    const out = join(dir, "service-template");
    const r = run(["template", "export", "--out", out], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(out, ".github/workflows/ci.yaml"))).toBe(true);
    expect(existsSync(join(out, "deploy/argocd/imageupdater.yaml"))).toBe(true);
    expect(run(["template", "export", "--out", out], dir).code).toBe(1);
    expect(run(["template", "export", "--out", out, "--force"], dir).code).toBe(0);
    expect(run(["template", "import", "--out", out], dir).code).toBe(2);
  });

  it("backstage writes every preset as a Software Template with its skeleton", () => {
    const dir = tempDir("slipway-template-cli-");
    const out = join(dir, "backstage/templates");
    const r = run(["template", "backstage", "--out", out], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(out, "all.yaml"))).toBe(true);
    expect(existsSync(join(out, "node-service/template.yaml"))).toBe(true);
    expect(existsSync(join(out, "node-service/skeleton/catalog-info.yaml"))).toBe(true);
    expect(run(["template", "backstage", "--out", out], dir).code).toBe(1);
  });
});
