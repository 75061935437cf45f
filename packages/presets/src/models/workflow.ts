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

/** Actions pinned by major version; one place to bump them. */
export const ACTIONS = {
  checkout: "actions/checkout@v5",
  setupNode: "actions/setup-node@v5",
  setupJava: "actions/setup-java@v5",
  setupBuildx: "docker/setup-buildx-action@v3",
  login: "docker/login-action@v3",
  buildPush: "docker/build-push-action@v6",
} as const;

/**
 * The shared CI workflow model. Presets append their build/test steps; the common contributor adds
 * the image job (build on every event, push to GHCR only from `main`) and renders the file.
 */
export class Workflow {
  readonly buildSteps: WorkflowStep[] = [{ uses: ACTIONS.checkout }];
  /** Extra `env` for the build job. */
  readonly buildEnv: Record<string, string> = {};

  step(...steps: readonly WorkflowStep[]): this {
    this.buildSteps.push(...steps);
    return this;
  }
}

/** The expression that is true only for pushes to `main`: the only event that publishes an image. */
export const ON_MAIN = "github.event_name == 'push' && github.ref == 'refs/heads/main'";
