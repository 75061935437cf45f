import { randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import {
  ConflictError,
  type Diagnostic,
  diag,
  type FileChange,
  formatUnifiedDiff,
  InputError,
  type OutputFile,
  prepare,
  render,
  renderPlatform,
  writeTree,
} from "@slipway/core";
import { describe, generate, type ProjectDescription } from "@slipway/presets";
import {
  type CommitIdentity,
  commitHash,
  commitTree,
  headOf,
  identityProblem,
  pushMain,
  redact,
  remoteState,
} from "./git.js";
import { remapDiagnostics } from "./remap.js";
import { serviceDocument, serviceModeline } from "./service-spec.js";
import { type OneTimeStep, oneTimeSteps, type StepInput } from "./steps.js";

export type { CommitIdentity } from "./git.js";
export type { OneTimeStep } from "./steps.js";

export interface OnboardOptions {
  /** `platform.yaml`, or the platform repository's directory. */
  readonly platformConfig: string;
  /** The service name: repository, image, namespace, subdomain (a DNS label). */
  readonly name: string;
  readonly presetId: string;
  /**
   * Preset parameters besides `name` (untrusted; validated by the preset's schema). `owner`
   * defaults to the platform's GitHub owner.
   */
  readonly parameters?: Readonly<Record<string, unknown>>;
  /** Write the service repository (a Git repository with its first commit) into this directory. */
  readonly repoOut?: string;
  /** Push the service repository as the first commit of `main` of this empty remote. */
  readonly pushUrl?: string;
  /** Compute the plan only: nothing is written anywhere. @default false */
  readonly dryRun?: boolean;
  /** Passed to the platform write: overwrite rendered files a person edited. @default false */
  readonly force?: boolean;
  /**
   * Author and committer of the first commit. Fixed defaults make the commit hash — and with it the
   * first image tag — a function of the generated files, so a dry run shows the tag the real run pins.
   * @default { name: "Slipway", email: "slipway@<domain>", date: 946684800 } (2000-01-01T00:00:00Z)
   */
  readonly commit?: Partial<CommitIdentity>;
  /**
   * Token for HTTPS remotes (GitHub: a fine-grained personal access token or an app installation
   * token with Contents read/write). Handed to git through the environment as an
   * `Authorization` header for the remote's host only: never in argv, a URL or a message.
   */
  readonly gitToken?: string;
}

/** One file of the platform repository the onboarding adds or changes. */
export interface PlannedChange {
  /** Relative to the platform repository's root. */
  readonly path: string;
  readonly kind: FileChange["kind"];
  /** Git-style unified diff (`--- a/…`, `+++ b/…`); "" for an unchanged file. */
  readonly diff: string;
}

export interface OnboardPlan {
  readonly name: string;
  readonly preset: { readonly id: string; readonly version: string };
  readonly description: ProjectDescription;
  /** `ghcr.io/<owner>/<name>:sha-<first commit>`: the tag CI pushes for the first commit. */
  readonly image: string;
  readonly repository: {
    /** Where the service repository goes. */
    readonly target:
      | { readonly kind: "dir"; readonly path: string }
      | { readonly kind: "push"; readonly url: string }
      | { readonly kind: "none" };
    /** Hash of the first commit. */
    readonly commit: string;
    /** `create`: written by this run (or would be); `exists`: already there from an earlier run. */
    readonly state: "create" | "exists";
    readonly files: readonly { readonly path: string; readonly bytes: number; readonly mode?: number }[];
  };
  readonly platform: {
    readonly root: string;
    /** `services/<name>.yaml` first, then the rendered files; unchanged files are left out. */
    readonly changes: readonly PlannedChange[];
    /**
     * Paths `slipway synth` would change even without this service: the tree was not up to date
     * before the onboarding, so these changes are not (only) the new service's. Empty normally.
     */
    readonly staleBefore: readonly string[];
  };
  /** What is left to a person, in order. */
  readonly steps: readonly OneTimeStep[];
  /** True when an earlier run already did everything: nothing to write. */
  readonly noop: boolean;
  /** True when this run wrote (false for a dry run or a no-op). */
  readonly written: boolean;
}

/** 2000-01-01T00:00:00Z: any fixed date would do; this one reads as "not a real clock". */
const DEFAULT_DATE = 946_684_800;

/**
 * Onboards a service: generates its repository from a preset and registers it on the platform
 * (`services/<name>.yaml` + the re-rendered GitOps tree). The engine behind `slipway new` and the
 * scaffold service.
 *
 * Everything is staged and checked before anything is written: the name and parameters (preset
 * schema), the platform with the new service (the platform's own schema and rules: taken names,
 * taken subdomains, reserved namespaces), the write of the rendered tree (ownership conflicts), the
 * target directory or remote. On any error nothing is written anywhere. The writes then go: push,
 * repository directory, service file, rendered tree (a failed tree write removes the service file).
 *
 * Idempotent: a rerun with the same inputs finds its own service file, first commit and rendered
 * tree and returns a plan with `noop: true`; a different service under the name is
 * `SW_NEW_SERVICE_EXISTS`.
 *
 * @throws InputError `SW_PRESET_*` (parameters), `SW_SPEC_*` (the platform with the service),
 *   `SW_NEW_TARGET_CONFLICT`, `SW_NEW_NAME_PARAMETER`, `SW_NEW_REMOTE_UNREACHABLE`,
 *   `SW_NEW_REPO_OUT_NOT_DIR`
 * @throws NotFoundError `SW_PRESET_NOT_FOUND`, `SW_CONFIG_NOT_FOUND`
 * @throws ConflictError `SW_NEW_SERVICE_EXISTS`, `SW_NEW_SUBDOMAIN_TAKEN`, `SW_NEW_REMOTE_NOT_EMPTY`,
 *   `SW_NEW_REPO_OUT_NOT_EMPTY`, `SW_NEW_PUSH_FAILED`, `SW_WRITE_*`
 * @example
 * const plan = onboard({ platformConfig: "platform.yaml", name: "demo", presetId: "node-service", repoOut: "../demo", dryRun: true });
 * for (const c of plan.platform.changes) process.stdout.write(c.diff);
 */
export function onboard(opts: OnboardOptions): OnboardPlan {
  return onboardWith(opts, {});
}

/** How the branch mode (branch.ts) adapts one onboarding; not part of the package's API. */
export interface OnboardHooks {
  /** How the steps name the platform checkout, and the review step that replaces "commit and merge". */
  readonly steps?: Pick<StepInput, "platformDir" | "review">;
  /**
   * Called once the platform files are written, before the repository is pushed or placed: the
   * platform is a throwaway clone then, so it is written first, and a throw here (a conflicting
   * branch) still leaves everything outside untouched.
   */
  readonly afterPlatformWrite?: (plan: OnboardPlan) => void;
}

/** {@link onboard}, adapted by `hooks`. */
export function onboardWith(opts: OnboardOptions, hooks: OnboardHooks): OnboardPlan {
  if (opts.repoOut !== undefined && opts.pushUrl !== undefined) {
    throw new InputError([
      diag("SW_NEW_TARGET_CONFLICT", "give either a directory or a remote for the repository, not both", {
        path: ["push"],
        hint: "Use --repo-out DIR to write it locally, or --push URL to push it to an empty remote.",
      }),
    ]);
  }
  const given = opts.parameters?.name;
  if (given !== undefined && given !== opts.name) {
    throw new InputError([
      diag("SW_NEW_NAME_PARAMETER", "the name is given twice, differently", {
        path: ["name"],
        hint: "The service name is the positional argument; drop name from the parameters.",
      }),
    ]);
  }

  const existing = prepare(opts.platformConfig);
  const { platform } = existing.spec;
  const root = existing.spec.root;
  const { configFile } = existing.spec;
  const description = describe(opts.presetId, {
    owner: platform.github.owner,
    ...opts.parameters,
    name: opts.name,
  });
  const name = description.parameters.name;
  const serviceRel = `services/${name}.yaml`;
  const serviceAbs = join(root, serviceRel);

  const work = mkdtempSync(join(tmpdir(), "slipway-new-"));
  try {
    // The repository's first commit, staged outside both repositories; its hash is the first tag.
    const files = generate(description);
    const identity: CommitIdentity = {
      name: opts.commit?.name ?? "Slipway",
      email: opts.commit?.email ?? `slipway@${platform.domain}`,
      date: opts.commit?.date ?? DEFAULT_DATE,
    };
    const badIdentity = identityProblem(identity);
    if (badIdentity !== undefined) {
      throw new InputError([
        diag("SW_NEW_COMMIT_IDENTITY", badIdentity, {
          path: ["commit"],
          hint: "Set GIT_AUTHOR_NAME, GIT_AUTHOR_EMAIL and SOURCE_DATE_EPOCH to plain values.",
        }),
      ]);
    }
    const message = `Generate ${name} from the ${description.preset.id} preset (${description.preset.version})`;
    const commit = commitHash(files, identity, message);
    const image = `${description.image}:sha-${commit}`;

    const service = serviceDocument(description, platform, image, serviceModeline(root, configFile));
    const declared = existing.spec.services.find((s) => s.name === name);
    // Read only as a regular file: loadSpec refused a link there already, this is the same rule.
    const onDisk = lstatSync(serviceAbs, { throwIfNoEntry: false })?.isFile()
      ? readFileSync(serviceAbs, "utf8")
      : undefined;
    const registered = onDisk === service.content && declared !== undefined;
    if ((declared !== undefined || onDisk !== undefined) && !registered) {
      throw new ConflictError([
        diag("SW_NEW_SERVICE_EXISTS", `a service named '${name}' is already declared`, {
          path: ["name"],
          location: { file: display(declared ? resolve(declared.file) : serviceAbs), line: 1, col: 1 },
          hint: `Pick another name, or edit ${declared?.file ?? serviceRel} and run 'slipway synth' to change the existing service.`,
        }),
      ]);
    }

    // The platform as it will be: its inputs copied beside the new service file, rendered in memory.
    const staged = stagePlatformInputs(work, configFile, root);
    if (!registered) writeFileSync(join(staged.root, serviceRel), service.content);
    const session = withRealPaths(staged.root, root, () => renderPlatform(staged.config));
    const host = `${name}.${platform.domain}`;
    const holder = session.plan.hostnames.find((h) => h.host === host && h.owner !== `service:${name}`);
    if (holder !== undefined) {
      throw new ConflictError([
        diag("SW_NEW_SUBDOMAIN_TAKEN", `${host} is already served by ${holder.owner}`, {
          path: ["name"],
          hint: "Pick another name (the subdomain is the service name), or move the other hostname in platform.yaml.",
        }),
      ]);
    }
    const rendered: OutputFile[] = withRealPaths(staged.root, root, () => [...session.files]);
    const dry = writeTree(root, rendered, {
      dryRun: true,
      diff: true,
      conflicts: "return",
      force: opts.force === true,
    });
    if (dry.conflicts.length > 0) throw new ConflictError(dry.conflicts);

    // The repository's destination: checked now, written last.
    const target = repositoryTarget(opts);
    let repoState: "create" | "exists" = "create";
    if (target.kind === "dir") repoState = checkRepoOut(target.path, commit);
    else if (target.kind === "push")
      repoState = remoteState(target.url, commit, opts.gitToken) === "pushed" ? "exists" : "create";

    const changes: PlannedChange[] = [];
    if (!registered) {
      const added: FileChange = { path: serviceRel, kind: "added", after: service.content };
      changes.push({ path: serviceRel, kind: "added", diff: formatUnifiedDiff(added) });
    }
    for (const c of dry.changes) changes.push({ path: c.path, kind: c.kind, diff: formatUnifiedDiff(c) });
    // Review aid: what a plain synth would already change, so a person can tell the changes apart.
    const before = render(existing.spec, existing.graph, existing.components);
    const staleBefore = writeTree(root, before.files, { dryRun: true, conflicts: "return" }).changes.map(
      (c) => c.path,
    );
    const noop = registered && dry.changes.length === 0 && !dry.recordChanged && repoState === "exists";

    const plan: OnboardPlan = {
      name,
      preset: description.preset,
      description,
      image,
      repository: {
        target: target.kind === "push" ? { kind: "push", url: redact(target.url) } : target,
        commit,
        state: repoState,
        files: files.map((f) => ({
          path: f.path,
          bytes: Buffer.byteLength(f.content),
          ...(f.mode !== undefined ? { mode: f.mode } : {}),
        })),
      },
      platform: { root, changes, staleBefore },
      steps: oneTimeSteps({
        description,
        platform,
        root,
        commit,
        image,
        target,
        changedPaths: changes.map((c) => c.path),
        skipped: service.skipped,
        // Named by core's plan (config/load.ts derives the default), not re-derived here.
        database: session.plan.databases.find((d) => d.consumer === `service:${name}` && !d.dynamic)?.name,
        ...hooks.steps,
      }),
      noop,
      written: false,
    };
    if (opts.dryRun === true || noop) return plan;

    // Write: the commit (git must agree with the hash the plan pinned), the remote (the step most
    // likely to fail), then local files. A platform that is a throwaway clone goes first instead.
    const repoDir = join(work, "repo");
    const writeRepository = () => {
      if (target.kind !== "none" && repoState === "create") {
        mkdirSync(repoDir);
        const made = commitTree(repoDir, files, identity, message);
        if (made !== commit) throw new Error(`git made commit ${made}, expected ${commit}`);
      }
      if (target.kind === "push" && repoState === "create") pushMain(repoDir, target.url, opts.gitToken);
      if (target.kind === "dir" && repoState === "create") placeDirectory(repoDir, target.path);
    };
    const writePlatform = () => {
      let wroteService = false;
      if (!registered) {
        writeServiceFile(serviceAbs, serviceRel, service.content);
        wroteService = true;
      }
      try {
        writeTree(root, rendered, { force: opts.force === true });
      } catch (e) {
        if (wroteService) unlinkSync(serviceAbs);
        throw e;
      }
    };
    if (hooks.afterPlatformWrite !== undefined) {
      writePlatform();
      hooks.afterPlatformWrite(plan);
      writeRepository();
    } else {
      writeRepository();
      writePlatform();
    }
    return { ...plan, written: true };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Writes the new `services/<name>.yaml`: created fresh (`O_EXCL | O_NOFOLLOW`) under a random name
 * beside it and renamed into place, so a link a pull request planted (at the temporary name, the
 * file, or `services/` itself) is never written through.
 *
 * @throws ConflictError `SW_WRITE_SYMLINK` when `services/` or the file is a link or not a plain
 * directory/file; nothing is written.
 */
function writeServiceFile(abs: string, rel: string, content: string): void {
  const dir = dirname(abs);
  const refuse = (what: string) =>
    new ConflictError([
      diag(
        "SW_WRITE_SYMLINK",
        `${what} is a symbolic link or not a plain ${what === rel ? "file" : "directory"}; slipway never writes through one`,
        {
          location: { file: display(what === rel ? abs : dir), line: 1, col: 1 },
          hint: "Replace it with a plain directory or file (a link in the repository could point anywhere on this machine).",
        },
      ),
    ]);
  const dirStat = lstatSync(dir, { throwIfNoEntry: false });
  if (dirStat === undefined) mkdirSync(dir);
  else if (!dirStat.isDirectory()) throw refuse("services");
  const fileStat = lstatSync(abs, { throwIfNoEntry: false });
  if (fileStat !== undefined && !fileStat.isFile()) throw refuse(rel);
  const tmp = join(dir, `.${basename(abs)}.${randomBytes(6).toString("hex")}.slipway-new`);
  const fd = openSync(
    tmp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o644,
  );
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, abs);
}

type Target = { kind: "dir"; path: string } | { kind: "push"; url: string } | { kind: "none" };

function repositoryTarget(opts: OnboardOptions): Target {
  if (opts.repoOut !== undefined) return { kind: "dir", path: resolve(opts.repoOut) };
  if (opts.pushUrl !== undefined) return { kind: "push", url: opts.pushUrl };
  return { kind: "none" };
}

/** `create` for a missing or empty directory, `exists` when it already holds this first commit. */
function checkRepoOut(dir: string, commit: string): "create" | "exists" {
  const st = statSync(dir, { throwIfNoEntry: false });
  if (st === undefined) return "create";
  if (!st.isDirectory()) {
    throw new InputError([
      diag("SW_NEW_REPO_OUT_NOT_DIR", `${display(dir)} is not a directory`, {
        path: ["repoOut"],
        hint: "Give --repo-out a new or empty directory.",
      }),
    ]);
  }
  if (readdirSync(dir).length === 0) return "create";
  if (headOf(dir) === commit) return "exists";
  throw new ConflictError([
    diag("SW_NEW_REPO_OUT_NOT_EMPTY", `${display(dir)} is not empty`, {
      path: ["repoOut"],
      hint: "Give --repo-out a new or empty directory; slipway never writes over existing files there.",
    }),
  ]);
}

/** Moves the staged repository into place (a rename when on the same filesystem). */
function placeDirectory(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  if (existsSync(to)) rmdirSync(to); // checked empty above; fails rather than losing anything
  try {
    renameSync(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
    try {
      cpSync(from, to, { recursive: true, preserveTimestamps: true });
    } catch (copyError) {
      // Another filesystem (a full disk, a quota, a read-only mount): no half-copied repository.
      rmSync(to, { recursive: true, force: true });
      const code = (copyError as NodeJS.ErrnoException).code ?? "error";
      throw new ConflictError([
        diag("SW_NEW_REPO_OUT_FAILED", `cannot write the repository to ${display(to)} (${code})`, {
          path: ["repoOut"],
          hint: "Free space or fix the permissions where --repo-out points, then run again: nothing was left there, and the platform is unchanged.",
        }),
      ]);
    }
  }
}

/** Copies what `loadSpec` reads — the platform file and `services/*.yaml` — into `work/platform`. */
function stagePlatformInputs(
  work: string,
  configFile: string,
  root: string,
): { root: string; config: string } {
  const stagedRoot = join(work, "platform");
  mkdirSync(join(stagedRoot, "services"), { recursive: true });
  const config = join(stagedRoot, basename(configFile));
  cpSync(configFile, config);
  const services = join(root, "services");
  if (existsSync(services)) {
    for (const f of readdirSync(services)) {
      if (/\.ya?ml$/.test(f)) cpSync(join(services, f), join(stagedRoot, "services", f));
    }
  }
  return { root: stagedRoot, config };
}

/** Runs `fn`, pointing diagnostics about the staged copy at the real platform repository. */
function withRealPaths<T>(stagedRoot: string, realRoot: string, fn: () => T): T {
  return remapDiagnostics(fn, (d): Diagnostic => {
    if (d.location === undefined) return d;
    const rel = relative(stagedRoot, resolve(d.location.file));
    if (rel.startsWith("..")) return d;
    return { ...d, location: { ...d.location, file: display(join(realRoot, rel)) } };
  });
}

function display(p: string): string {
  return relative(process.cwd(), p) || p;
}
