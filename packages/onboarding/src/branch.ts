import { lstatSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, posix, relative, resolve } from "node:path";
import { ConflictError, type Diagnostic, diag, InputError } from "@slipway/core";
import { firstLine, ISOLATED, redact, remoteFailure, runGit } from "./git.js";
import { type OnboardOptions, type OnboardPlan, onboardWith } from "./onboard.js";
import { remapDiagnostics } from "./remap.js";

export interface BranchOnboardOptions extends Omit<OnboardOptions, "platformConfig"> {
  /**
   * The platform repository's Git URL (https, ssh or a path). Cloned shallowly into a temporary
   * directory; the registration is pushed as a new branch, never to the default branch.
   */
  readonly platformRepo: string;
  /** The platform file's path inside that repository. @default "platform.yaml" */
  readonly platformConfigPath?: string;
  /**
   * Author and committer of the platform branch's commit.
   * @default { name: "Slipway", email: "slipway@localhost" }
   */
  readonly platformAuthor?: { readonly name: string; readonly email: string };
}

/** The branch that carries the registration for review. */
export interface PlatformBranch {
  /** The platform repository's URL, credentials removed. */
  readonly repository: string;
  /** `slipway/new-<name>`. */
  readonly name: string;
  /** The default branch it starts from and is to be merged into. */
  readonly base: string;
  /**
   * `create`: pushed by this run (or would be, in a dry run); `exists`: the branch already holds
   * exactly these changes (a rerun; a dry run only sees that the branch is there); `merged`: the
   * default branch already registers the service, so no branch is needed.
   */
  readonly state: "create" | "exists" | "merged";
  /** The branch's head commit; absent in a dry run and when merged. */
  readonly commit?: string;
  /** GitHub's "open a pull request" page for the branch, when the repository is on github.com. */
  readonly compareUrl?: string;
}

export interface BranchOnboardPlan extends OnboardPlan {
  readonly branch: PlatformBranch;
}

const DEFAULT_AUTHOR = { name: "Slipway", email: "slipway@localhost" } as const;

/** The branch an onboarding of `name` is pushed as. */
const branchName = (name: string): string => `slipway/new-${name}`;

/**
 * Onboards a service onto a platform repository that is only reachable as a Git remote (the
 * deployed scaffold service has no checkout, and a person reviews every change before Argo CD
 * deploys it): clones the default branch shallowly, runs {@link onboard} against the clone, commits
 * `services/<name>.yaml` with the re-rendered files, and pushes them as branch `slipway/new-<name>`.
 *
 * Order: every check (as {@link onboard}), the platform commit in the clone, the comparison with an
 * existing branch, the service repository's push, the branch's push. A failed branch push after a
 * successful repository push says so; a rerun then finds the repository pushed and pushes only the
 * branch. A rerun after success is a no-op (`noop`, branch `exists`).
 *
 * @throws as {@link onboard}, and InputError `SW_NEW_PLATFORM_UNREACHABLE`,
 *   `SW_NEW_PLATFORM_CONFIG_PATH`; ConflictError `SW_NEW_BRANCH_EXISTS`,
 *   `SW_NEW_BRANCH_PUSH_FAILED`
 * @example
 * const plan = onboardOnBranch({ platformRepo: "https://github.com/me/homelab.git", name: "demo",
 *   presetId: "node-service", pushUrl: "https://github.com/me/demo.git", gitToken: process.env.TOKEN });
 * console.log(plan.branch.compareUrl);
 */
export function onboardOnBranch(opts: BranchOnboardOptions): BranchOnboardPlan {
  const { platformRepo: url, platformConfigPath = "platform.yaml", platformAuthor, ...rest } = opts;
  const token = opts.gitToken;
  const configPath = posix.normalize(platformConfigPath.replaceAll("\\", "/"));
  if (isAbsolute(configPath) || configPath === ".." || configPath.startsWith("../")) {
    throw new InputError([
      diag("SW_NEW_PLATFORM_CONFIG_PATH", `${platformConfigPath} is not a path inside the repository`, {
        path: ["platformConfigPath"],
        hint: "Give the platform file's path relative to the repository's root, e.g. platform.yaml.",
      }),
    ]);
  }
  const dir = posix.dirname(configPath);
  const repository = redact(url);
  const branch = branchName(opts.name);
  const github = githubRepo(url);
  const work = mkdtempSync(join(tmpdir(), "slipway-platform-"));
  try {
    const clone = join(work, "platform");
    const cloned = runGit(["clone", "-q", "--depth", "1", "--no-tags", "--", url, clone], { url, token });
    if (cloned.error || cloned.status !== 0) {
      const what = `cannot clone the platform repository ${repository}`;
      throw (
        remoteFailure(cloned, { what, token, path: ["platformRepo"] }) ??
        new InputError([
          diag("SW_NEW_PLATFORM_UNREACHABLE", what, {
            path: ["platformRepo"],
            hint: `git clone said: ${redact(firstLine(cloned.error?.message ?? cloned.stderr), token)}. Check the URL and that the token may read it.`,
          }),
        ])
      );
    }
    refuseLinksAlong(clone, configPath);
    const base = gitOut(["symbolic-ref", "--short", "HEAD"], clone, "git symbolic-ref");
    const compareUrl =
      github !== undefined ? `https://github.com/${github}/compare/${base}...${branch}?expand=1` : undefined;
    // Set by the hook below, which TypeScript's narrowing does not see.
    let state = "merged" as PlatformBranch["state"];
    let commit: string | undefined;

    const afterPlatformWrite = (plan: OnboardPlan) => {
      if (gitOut(["status", "--porcelain"], clone, "git status") === "") return; // on the default branch already
      gitOut([...ISOLATED, "add", "-A"], clone, "git add");
      const author = platformAuthor ?? DEFAULT_AUTHOR;
      const env = {
        GIT_AUTHOR_NAME: author.name,
        GIT_AUTHOR_EMAIL: author.email,
        GIT_COMMITTER_NAME: author.name,
        GIT_COMMITTER_EMAIL: author.email,
      };
      const message = platformCommitMessage(plan, configPath);
      gitOut([...ISOLATED, "commit", "-q", "--no-verify", "-m", message], clone, "git commit", env);
      const tree = gitOut(["rev-parse", "HEAD^{tree}"], clone, "git rev-parse");
      const remote = remoteBranch(clone, url, token, branch);
      if (remote === undefined) {
        state = "create";
        commit = gitOut(["rev-parse", "HEAD"], clone, "git rev-parse");
        return;
      }
      if (remote.tree !== tree) {
        throw new ConflictError([
          diag(
            "SW_NEW_BRANCH_EXISTS",
            `branch ${branch} of ${repository} already exists with other changes`,
            {
              path: ["name"],
              hint: `An earlier onboarding of ${opts.name} (other parameters, or ${base} has moved since) left it. Merge or delete the branch (and its pull request), then run again; nothing was pushed.`,
            },
          ),
        ]);
      }
      state = "exists";
      commit = remote.commit;
    };

    const review = {
      branch,
      base,
      ...(github !== undefined ? { githubRepo: github } : {}),
      ...(compareUrl !== undefined ? { compareUrl } : {}),
    };
    const platformDir = dir === "." ? "<platform checkout>" : `<platform checkout>/${dir}`;
    const plan = inClone(clone, configPath, () =>
      onboardWith(
        { ...rest, platformConfig: join(clone, configPath) },
        { steps: { platformDir, review }, afterPlatformWrite },
      ),
    );
    if (opts.dryRun === true) {
      if (plan.platform.changes.length > 0)
        state = remoteBranch(clone, url, token, branch, false) !== undefined ? "exists" : "create";
    } else if (state === "create") {
      if (branch === base) throw new Error(`refusing to push to the default branch ${base}`);
      const pushed = runGit(["push", "-q", "origin", `HEAD:refs/heads/${branch}`], {
        cwd: clone,
        url,
        token,
      });
      if (pushed.error || pushed.status !== 0) {
        const repo = plan.repository;
        const done =
          repo.target.kind === "push"
            ? `The service repository ${repo.state === "create" ? "was pushed to" : "was already at"} ${repo.target.url} (first commit ${repo.commit.slice(0, 12)}); `
            : "";
        const what = `pushing branch ${branch} to ${repository} failed`;
        const rerun = "a rerun counts the repository as done and pushes only the branch.";
        throw (
          remoteFailure(pushed, {
            what,
            token,
            path: ["platformRepo"],
            done: `${done}the platform was not changed; ${rerun}`,
          }) ??
          new ConflictError([
            diag("SW_NEW_BRANCH_PUSH_FAILED", what, {
              path: ["platformRepo"],
              hint: `git push said: ${redact(firstLine(pushed.error?.message ?? pushed.stderr), token)}. ${done}the platform was not changed. Run the same onboarding again once the token may push branches: the repository counts as done, only the branch is pushed.`,
            }),
          ])
        );
      }
    }
    const noop = plan.noop || (plan.repository.state === "exists" && state !== "create");
    return {
      ...plan,
      platform: { ...plan.platform, root: dir === "." ? repository : `${repository} (${dir})` },
      noop: opts.dryRun === true ? plan.noop : noop,
      written: opts.dryRun !== true && !noop,
      branch: {
        repository,
        name: branch,
        base,
        state,
        ...(commit !== undefined ? { commit } : {}),
        ...(compareUrl !== undefined ? { compareUrl } : {}),
      },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `owner/repository` when `url` is a github.com remote (https, ssh or scp-like). */
export function githubRepo(url: string): string | undefined {
  const m =
    /^(?:https:\/\/(?:[^@/]*@)?github\.com\/|ssh:\/\/git@github\.com\/|git@github\.com:)([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/i.exec(
      url,
    );
  return m ? `${m[1]}/${m[2]}` : undefined;
}

function platformCommitMessage(plan: OnboardPlan, configPath: string): string {
  const repo = plan.repository;
  const where = repo.target.kind === "push" ? repo.target.url : "(not pushed by Slipway)";
  return [
    `Onboard ${plan.name} (${plan.preset.id} ${plan.preset.version})`,
    "",
    `Registers services/${plan.name}.yaml and the files 'slipway synth' renders for it from`,
    `${configPath}. Generated by slipway new; review, then merge for Argo CD to deploy.`,
    "",
    `Service repository: ${where} (first commit ${repo.commit})`,
    `Image: ${plan.image}`,
  ].join("\n");
}

/** The head commit and tree of `branch` on the remote, or undefined when there is no such branch. */
function remoteBranch(
  clone: string,
  url: string,
  token: string | undefined,
  branch: string,
  fetchTree = true,
): { commit: string; tree: string } | undefined {
  const ref = `refs/heads/${branch}`;
  const listed = gitOut(["ls-remote", "origin", ref], clone, "git ls-remote", {}, { url, token });
  const commit = listed.split("\t")[0];
  if (commit === undefined || commit === "") return undefined;
  if (!fetchTree) return { commit, tree: "" };
  gitOut(["fetch", "-q", "--depth", "1", "--no-tags", "origin", ref], clone, "git fetch", {}, { url, token });
  return { commit, tree: gitOut(["rev-parse", "FETCH_HEAD^{tree}"], clone, "git rev-parse") };
}

function gitOut(
  args: readonly string[],
  cwd: string,
  what: string,
  env: NodeJS.ProcessEnv = {},
  remote: { url?: string; token?: string | undefined } = {},
): string {
  const r = runGit(args, { cwd, env, ...remote });
  if (r.error || r.status !== 0) {
    const failure =
      remote.url !== undefined
        ? remoteFailure(r, {
            what: `${what} of the platform repository ${redact(remote.url)} failed`,
            token: remote.token,
            path: ["platformRepo"],
            done: "Nothing was pushed.",
          })
        : undefined;
    if (failure !== undefined) throw failure;
    const said = redact(firstLine(r.error?.message ?? r.stderr), remote.token);
    throw new Error(`${what} failed in the platform clone: ${said}`);
  }
  return r.stdout.trim();
}

/** Runs `fn`, pointing diagnostics about files of the clone at paths inside the repository. */
function inClone<T>(clone: string, configPath: string, fn: () => T): T {
  const within = (text: string) => {
    let out = text;
    for (const p of [`${clone}/`, `${relative(process.cwd(), clone)}/`]) out = out.split(p).join("");
    return out;
  };
  return remapDiagnostics(fn, (d): Diagnostic => {
    const rel = d.location === undefined ? "" : relative(clone, resolve(d.location.file));
    const location =
      d.location === undefined || rel.startsWith("..")
        ? d.location
        : { ...d.location, file: rel || configPath };
    return {
      ...d,
      message: within(d.message),
      ...(d.hint !== undefined ? { hint: within(d.hint) } : {}),
      ...(location !== undefined ? { location } : {}),
    };
  });
}

/**
 * The platform file's directories inside the clone must be plain directories: a repository holding
 * `cfg -> /some/dir` with `platformConfigPath: cfg/platform.yaml` would have the service file and
 * the whole rendered tree written into `/some/dir`. (The file itself is refused by loadSpec.)
 *
 * @throws ConflictError `SW_WRITE_SYMLINK`, located at `platformConfigPath`.
 */
function refuseLinksAlong(clone: string, configPath: string): void {
  const parts = configPath.split("/").slice(0, -1);
  for (let i = 1; i <= parts.length; i++) {
    const rel = parts.slice(0, i).join("/");
    if (rel === "" || rel === ".") continue;
    const st = lstatSync(join(clone, rel), { throwIfNoEntry: false });
    if (st !== undefined && !st.isDirectory()) {
      throw new ConflictError([
        diag(
          "SW_WRITE_SYMLINK",
          `${rel}/ in the platform repository is a symbolic link or not a directory; slipway never writes through one`,
          {
            path: ["platformConfigPath"],
            hint: "Point the platform config path at a plain directory of the repository.",
          },
        ),
      ]);
    }
  }
}
