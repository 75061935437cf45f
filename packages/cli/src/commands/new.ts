import { type BranchOnboardPlan, type OnboardPlan, onboard, onboardOnBranch } from "@slipway/onboarding";
import { defineCommand } from "citty";
import { configArg } from "../args.js";
import { CHANGE_MARK, EXIT, err, out, reportUsageError } from "../format.js";

export const newCommand = defineCommand({
  meta: {
    name: "new",
    description:
      "Onboard a service: generate its repository from a preset and register it on the platform (services/<name>.yaml + render), in the working tree or, with --platform-repo, as a branch to review; every check runs before anything is written. HTTPS pushes use the token in SLIPWAY_GIT_TOKEN",
  },
  args: {
    name: { type: "positional", description: "Service name (DNS label): repository, image, subdomain" },
    preset: { type: "string", description: "Preset id", required: true, valueHint: "id" },
    config: {
      ...configArg,
      description: "Path to platform.yaml (with --platform-repo: inside that repository)",
    },
    "platform-repo": {
      type: "string",
      description:
        "Register on a new branch slipway/new-<name> of this platform Git remote (cloned, committed, pushed for review) instead of the working tree",
      valueHint: "url",
    },
    "repo-out": {
      type: "string",
      description:
        "Write the service repository (first commit included) here (default without --push: ./<name>)",
      valueHint: "dir",
    },
    push: {
      type: "string",
      description: "Push the service repository as the first commit of this empty Git remote",
      valueHint: "url",
    },
    set: {
      type: "string",
      description: "A preset parameter, key=value (repeatable)",
      valueHint: "key=value",
    },
    "dry-run": {
      type: "boolean",
      description:
        "Write nothing; print the platform diffs, the repository's files and the steps left to you",
    },
    force: {
      type: "boolean",
      description: "Overwrite rendered platform files a person edited (as synth --force)",
    },
  },
  run({ args, rawArgs }) {
    const parameters: Record<string, string> = {};
    for (const kv of setValues(rawArgs)) {
      const eq = kv.indexOf("=");
      if (eq <= 0) return reportUsageError("slipway new", `--set needs key=value, got '${kv}'`);
      // An own property even for `__proto__` (an assignment would set the prototype and the
      // parameter would vanish instead of being refused as unknown).
      Object.defineProperty(parameters, kv.slice(0, eq), {
        value: kv.slice(eq + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    const repoOut = args["repo-out"];
    const push = args.push;
    const platformRepo = args["platform-repo"];
    const commit = commitIdentityFromEnv();
    // A token in argv would be in `ps` and the shell's history: the environment only.
    const token = process.env.SLIPWAY_GIT_TOKEN;
    const common = {
      name: String(args.name),
      presetId: args.preset,
      parameters,
      // With neither target, the repository goes beside the current directory, like `npm init`.
      ...(repoOut !== undefined || push === undefined ? { repoOut: repoOut ?? String(args.name) } : {}),
      ...(push !== undefined ? { pushUrl: push } : {}),
      dryRun: args["dry-run"] === true,
      force: args.force === true,
      commit,
      ...(token ? { gitToken: token } : {}),
    };
    const plan =
      platformRepo !== undefined
        ? onboardOnBranch({
            ...common,
            platformRepo,
            platformConfigPath: args.config,
            ...(commit.name !== undefined && commit.email !== undefined
              ? { platformAuthor: { name: commit.name, email: commit.email } }
              : {}),
          })
        : onboard({ ...common, platformConfig: args.config });
    printPlan(plan, args["dry-run"] === true);
    return EXIT.ok;
  },
});

/** Every `--set` value (citty keeps only the last of a repeated option). */
function setValues(raw: readonly string[]): string[] {
  const values: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const a = raw[i] as string;
    if (a === "--") break;
    if (a === "--set") {
      const v = raw[i + 1];
      if (v !== undefined) values.push(v);
      i++;
    } else if (a.startsWith("--set=")) values.push(a.slice(6));
  }
  return values;
}

/**
 * The first commit's author: git's own variables, so a CI job or a person can say who onboarded;
 * `SOURCE_DATE_EPOCH` (reproducible-builds.org) sets its date.
 */
function commitIdentityFromEnv(): { name?: string; email?: string; date?: number } {
  const env = process.env;
  const name = env.GIT_AUTHOR_NAME ?? env.GIT_COMMITTER_NAME;
  const email = env.GIT_AUTHOR_EMAIL ?? env.GIT_COMMITTER_EMAIL;
  const epoch = env.SOURCE_DATE_EPOCH;
  return {
    ...(name ? { name } : {}),
    ...(email ? { email } : {}),
    ...(epoch && /^\d+$/.test(epoch) ? { date: Number(epoch) } : {}),
  };
}

function printPlan(plan: OnboardPlan | BranchOnboardPlan, dryRun: boolean): void {
  const { repository: repo, platform } = plan;
  const where =
    repo.target.kind === "dir"
      ? repo.target.path
      : repo.target.kind === "push"
        ? repo.target.url
        : "(not written)";
  if (dryRun) for (const c of platform.changes) out(c.diff);
  out(
    `\nservice repository ${where} (first commit ${repo.commit.slice(0, 12)}, ${repo.state === "exists" ? "already there" : "new"}):\n`,
  );
  if (dryRun && repo.state === "create")
    for (const f of repo.files) out(`  + ${f.path} (${f.bytes} bytes)\n`);
  if (!dryRun) for (const c of platform.changes) out(`${CHANGE_MARK[c.kind]} ${c.path}\n`);
  out(`\nimage ${plan.image}\n`);
  if ("branch" in plan) {
    const b = plan.branch;
    const state = { create: "new", exists: "already there", merged: `not needed: ${b.base} has it` }[b.state];
    out(`platform branch ${b.name} of ${b.repository} (${state})\n`);
    if (b.compareUrl !== undefined && b.state !== "merged") out(`  ready to merge: ${b.compareUrl}\n`);
  }
  if (platform.staleBefore.length > 0) {
    err(
      `note: the rendered tree was not up to date before onboarding: ${platform.staleBefore.length} of these files would change with 'slipway synth' alone (run it first to keep the change about ${plan.name} only)\n`,
    );
  }
  if (plan.noop) {
    out(`\n${plan.name} is already onboarded: nothing to do\n`);
    return;
  }
  out("\nleft to you:\n");
  plan.steps.forEach((s, i) => {
    out(`  ${i + 1}. ${s.title}\n`);
    for (const c of s.commands) out(`       ${c}\n`);
  });
  const verb = dryRun ? "would change" : "changed";
  err(
    `${dryRun ? "dry run: " : ""}${plan.name} (${plan.preset.id} ${plan.preset.version}): ${verb} ${platform.changes.length} platform files, repository ${repo.files.length} files\n`,
  );
}
