import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The bare repository `serve --dev` registers services on, under its Git directory (`_`: no service name can take it). */
const DEV_PLATFORM_REPO = "_platform.git";

/**
 * The platform repository of `serve --dev` when it runs outside a platform checkout: a local bare
 * repository, seeded once with `slipway init`'s starter platform (rendered), so that **Create
 * repository** shows the whole flow on a machine with nothing else — the project pushed, and the
 * branch `slipway/new-<name>` ready to merge. Returns its path; an existing one is used as it is.
 * Core is loaded only here, on the first start that needs it.
 */
export async function devPlatformRepo(gitDir: string): Promise<string> {
  const bare = join(gitDir, DEV_PLATFORM_REPO);
  if (existsSync(bare)) return bare;
  const { initPlatform, synth } = await import("@slipway/core");
  const work = mkdtempSync(join(tmpdir(), "slipway-dev-platform-"));
  const staged = `${bare}.${process.pid}.tmp`;
  try {
    initPlatform(work, { owner: "dev" });
    synth({ config: join(work, "platform.yaml") });
    const git = (args: readonly string[], cwd: string) =>
      execFileSync("git", args, {
        cwd,
        stdio: "pipe",
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: "Slipway",
          GIT_AUTHOR_EMAIL: "slipway@localhost",
          GIT_COMMITTER_NAME: "Slipway",
          GIT_COMMITTER_EMAIL: "slipway@localhost",
        },
      });
    git(["init", "-q", "-b", "main"], work);
    git(["add", "-A"], work);
    git(["commit", "-q", "-m", "Platform repository (slipway init, for serve --dev)"], work);
    mkdirSync(gitDir, { recursive: true });
    // Cloned beside it, then renamed: a start that dies half-way leaves no half repository.
    git(["clone", "-q", "--bare", work, staged], gitDir);
    renameSync(staged, bare);
    return bare;
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(staged, { recursive: true, force: true });
  }
}
