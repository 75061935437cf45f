/** A GitHub Actions step, as data (serialized once by the workflow contributor). */
export interface WorkflowStep {
  readonly name?: string;
  readonly id?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly with?: Readonly<Record<string, string | number | boolean>>;
  readonly run?: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** An action pinned to the full commit of a release tag; the tag is written beside it as a comment. */
export interface ActionPin {
  readonly repo: string;
  readonly sha: string;
  readonly version: string;
}

/**
 * Every action the generated workflows use, pinned by commit: a tag can be moved, a commit cannot
 * (GitHub's security hardening guide). One place to bump them; the generated project's
 * `.github/dependabot.yml` (github-actions ecosystem) proposes the bumps there, rewriting the
 * SHA and the `# vX.Y.Z` comment together.
 *
 * Provenance (GitHub itself is not reachable from where these were written): each SHA is the one
 * several independent public repositories pin for that tag with Dependabot/pinact-style
 * `@<sha> # vX.Y.Z` comments, cross-checked in at least two unrelated repositories, 2026-12-04.
 * Re-check with `git ls-remote https://github.com/<repo> refs/tags/<version>` when bumping.
 */
export const ACTION_PINS = {
  checkout: { repo: "actions/checkout", sha: "08c6903cd8c0fde910a37f88322edcfb5dd907a8", version: "v5.0.0" },
  setupNode: {
    repo: "actions/setup-node",
    sha: "a0853c24544627f65ddf259abe73b1d18a591444",
    version: "v5.0.0",
  },
  setupJava: {
    repo: "actions/setup-java",
    sha: "dded0888837ed1f317902acf8a20df0ad188d165",
    version: "v5.0.0",
  },
  setupQemu: {
    repo: "docker/setup-qemu-action",
    sha: "29109295f81e9208d7d86ff1c6c12d2833863392",
    version: "v3.6.0",
  },
  setupBuildx: {
    repo: "docker/setup-buildx-action",
    sha: "e468171a9de216ec08956ac3ada2f0791b6bd435",
    version: "v3.11.1",
  },
  login: { repo: "docker/login-action", sha: "184bdaa0721073962dff0199f1fb9940f07167d1", version: "v3.5.0" },
  buildPush: {
    repo: "docker/build-push-action",
    sha: "263435318d21b8e681c14492fe198d362a7d2c83",
    version: "v6.18.0",
  },
} as const satisfies Record<string, ActionPin>;

type ActionName = keyof typeof ACTION_PINS;

/** `uses:` values (`owner/repo@<sha>`) by name; presets put these in their steps. */
export const ACTIONS = Object.fromEntries(
  Object.entries(ACTION_PINS).map(([name, p]) => [name, `${p.repo}@${p.sha}`]),
) as Readonly<Record<ActionName, string>>;

const VERSION_OF = new Map<string, string>(
  Object.values(ACTION_PINS).map((p) => [`${p.repo}@${p.sha}`, p.version]),
);

/**
 * Appends `# vX.Y.Z` to every `uses:` line of a rendered workflow (the YAML serializer writes no
 * comments). A `uses:` that is not in {@link ACTION_PINS} is a programming error: it would ship unpinned.
 */
export function annotateActionVersions(yaml: string): string {
  return yaml.replace(/^(\s*(?:- )?uses: )(\S+)$/gm, (_line, prefix: string, uses: string) => {
    const version = VERSION_OF.get(uses);
    if (version === undefined)
      throw new Error(`workflow uses ${uses}, which is not a pinned action (ACTION_PINS)`);
    return `${prefix}${uses} # ${version}`;
  });
}

/**
 * The shared CI workflow model. Presets append their build/test steps; the common contributor adds
 * the image job (build on every event, push to GHCR only from `main`) and renders the file.
 */
export class Workflow {
  readonly buildSteps: WorkflowStep[] = [{ uses: ACTIONS.checkout }];
  /** Extra `env` for the build job. */
  readonly buildEnv: Record<string, string> = {};
  /**
   * Dependabot ecosystems kept up to date besides `github-actions` (always) and `docker` (when
   * there is a Dockerfile), e.g. `npm`; rendered into `.github/dependabot.yml`.
   */
  readonly updateEcosystems = new Set<string>();

  step(...steps: readonly WorkflowStep[]): this {
    this.buildSteps.push(...steps);
    return this;
  }
}

/** The expression that is true only for pushes to `main`: the only event that publishes an image. */
export const ON_MAIN = "github.event_name == 'push' && github.ref == 'refs/heads/main'";

/** Platforms of the published image: homelab nodes are often arm64 (Raspberry Pi) as well as amd64. */
export const IMAGE_PLATFORMS = ["linux/amd64", "linux/arm64"] as const;
