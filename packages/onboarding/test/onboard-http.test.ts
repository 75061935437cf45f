import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onboard } from "../src/index.js";
import { type GitHttpServer, git, gitHttpAvailable, startGitHttpServer } from "./helpers/git-http-server.js";
import { codesOf, EXAMPLE, treeHash } from "./helpers/onboard.js";

/** The push path against a real smart-HTTP Git server (helpers/git-http-server.ts), no authentication. */
const available = gitHttpAvailable;
const work = mkdtempSync(join(tmpdir(), "slipway-onboard-http-"));
let server: GitHttpServer | undefined;
let base = "";
const bare = (name: string): string => (server as GitHttpServer).bare(name);

beforeAll(async () => {
  if (!available) return;
  server = await startGitHttpServer();
  base = server.base;
});

afterAll(() => {
  server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!available)("onboard over smart HTTP (git http-backend)", () => {
  it("pushes the first commit, and a rerun is a no-op", () => {
    const platform = join(work, "platform");
    cpSync(EXAMPLE, platform, { recursive: true });
    const remote = bare("demo.git");
    const url = `${base}/demo.git`;
    const plan = onboard({ platformConfig: platform, name: "demo", presetId: "node-service", pushUrl: url });
    expect(plan.written).toBe(true);
    expect(plan.repository.target).toEqual({ kind: "push", url });
    expect(git(["rev-parse", "refs/heads/main"], remote).trim()).toBe(plan.repository.commit);
    expect(git(["ls-remote", url]).trim()).toContain(`${plan.repository.commit}\trefs/heads/main`);

    const before = [treeHash(platform), treeHash(remote)];
    const again = onboard({ platformConfig: platform, name: "demo", presetId: "node-service", pushUrl: url });
    expect(again.noop).toBe(true);
    expect([treeHash(platform), treeHash(remote)]).toEqual(before);
  });

  it("refuses a non-empty HTTP remote and a missing one, changing nothing", () => {
    const platform = join(work, "platform-2");
    cpSync(EXAMPLE, platform, { recursive: true });
    const busy = bare("busy.git");
    const seed = join(work, "seed");
    git(["init", "-q", "-b", "main", seed]);
    writeFileSync(join(seed, "README.md"), "# busy\n");
    git(["add", "."], seed);
    git(["-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-q", "-m", "init"], seed);
    git(["push", "-q", `${base}/busy.git`, "main"], seed);

    const before = [treeHash(platform), treeHash(busy)];
    const run = (pushUrl: string) => () =>
      onboard({ platformConfig: platform, name: "web", presetId: "static-frontend", pushUrl });
    expect(codesOf(run(`${base}/busy.git`))).toEqual(["SW_NEW_REMOTE_NOT_EMPTY"]);
    expect(codesOf(run(`${base}/missing.git`))).toEqual(["SW_NEW_GIT_NOT_A_REPOSITORY"]);
    expect([treeHash(platform), treeHash(busy)]).toEqual(before);
  });
});
