import { relative } from "node:path";
import { databaseVaultPath, type PlatformSpec } from "@slipway/core";
import type { ProjectDescription } from "@slipway/presets";

/** Something Slipway cannot (or must not) do itself: it needs a person, credentials or a review. */
export interface OneTimeStep {
  /** Stable id: `push-repository`, `merge`, `terraform-apply`, `vault-database-secret`, `ghcr-visibility`, `enable-identity`. */
  readonly id: string;
  readonly title: string;
  /** Commands to run, in order; placeholders in angle brackets. */
  readonly commands: readonly string[];
}

export interface StepInput {
  readonly description: ProjectDescription;
  readonly platform: PlatformSpec;
  readonly root: string;
  readonly commit: string;
  readonly image: string;
  readonly target: { kind: "dir"; path: string } | { kind: "push"; url: string } | { kind: "none" };
  readonly changedPaths: readonly string[];
  readonly skipped: readonly ("oidc" | "database")[];
  /** The database name when the service has a static-credential database. */
  readonly database: string | undefined;
  /** How commands name the platform repository's directory. @default `root`, relative to the cwd */
  readonly platformDir?: string;
  /** Set when the changes were pushed as a branch: a review replaces "commit and merge". */
  readonly review?: {
    readonly branch: string;
    readonly base: string;
    /** `owner/repository` on GitHub, for `gh pr create`. */
    readonly githubRepo?: string;
    readonly compareUrl?: string;
  };
}

/** What each Terraform directory of the platform repository configures, by its top-level folder. */
const TERRAFORM_WHAT: Readonly<Record<string, string>> = {
  cloudflare: "the DNS record and the tunnel route",
  identity: "the OIDC client",
  vault: "the Vault policies and Kubernetes auth roles",
};

/** The one-time steps after an onboarding, in the order a person does them. */
export function oneTimeSteps(i: StepInput): OneTimeStep[] {
  const steps: OneTimeStep[] = [];
  const rel = (p: string) => relative(process.cwd(), p) || ".";
  const name = i.description.parameters.name;
  const slug = i.description.repository.slug;
  if (i.target.kind !== "push") {
    const dir = i.target.kind === "dir" ? rel(i.target.path) : `<${name} repository>`;
    steps.push({
      id: "push-repository",
      title: `Create the empty GitHub repository ${slug} and push the generated first commit as it is (its hash ${i.commit.slice(0, 12)} is the image tag the platform pins)`,
      commands: [
        `gh repo create ${slug} --private`,
        `git -C ${dir} remote add origin git@github.com:${slug}.git`,
        `git -C ${dir} push -u origin main`,
      ],
    });
  }
  steps.push({
    id: "ghcr-visibility",
    title: `After the first CI run pushed ${i.image}, make sure the cluster can pull it: set the GHCR package's visibility to public (GitHub → Packages → ${name} → Package settings)`,
    commands: [`gh run watch --repo ${slug}`, `docker manifest inspect ${i.image}`],
  });
  const platformRepo = i.platformDir ?? rel(i.root);
  // Top-level directories: short, and they also pick up .argocd-source files nobody renders.
  const paths = [...new Set(i.changedPaths.map((p) => p.split("/")[0] ?? p))].sort().join(" ");
  if (i.review !== undefined) {
    const r = i.review;
    steps.push({
      id: "merge",
      title: `Review the platform branch ${r.branch} and merge it into ${r.base}${r.compareUrl !== undefined ? ` (${r.compareUrl})` : ""}; Argo CD syncs ${i.platform.git.repoURL}`,
      commands:
        r.githubRepo !== undefined
          ? [`gh pr create --repo ${r.githubRepo} --base ${r.base} --head ${r.branch} --fill`]
          : [],
    });
  } else {
    steps.push({
      id: "merge",
      title: `Commit the platform changes and merge them to ${i.platform.git.revision}; Argo CD syncs ${i.platform.git.repoURL}`,
      commands: [
        `git -C ${platformRepo} switch -c onboard-${name}`,
        `git -C ${platformRepo} add .slipway ${paths}`,
        `git -C ${platformRepo} commit -m "Onboard ${name} (${i.description.preset.id})"`,
        `git -C ${platformRepo} push -u origin onboard-${name}   # open and merge the pull request`,
      ],
    });
  }
  const terraformDirs = [
    ...new Set(
      i.changedPaths.flatMap((p) => {
        const m = /^(.*?terraform)\//.exec(p);
        return m?.[1] !== undefined ? [m[1]] : [];
      }),
    ),
  ].sort();
  for (const dir of terraformDirs) {
    steps.push({
      id: "terraform-apply",
      title: `After the merge, apply ${dir}: ${TERRAFORM_WHAT[dir.split("/")[0] ?? ""] ?? "the configuration"} for ${name}`,
      commands: [
        `terraform -chdir=${platformRepo}/${dir} init`,
        `terraform -chdir=${platformRepo}/${dir} apply`,
      ],
    });
  }
  if (i.database !== undefined) {
    steps.push({
      id: "vault-database-secret",
      title: `Put the database owner's credentials into Vault (External Secrets reads ${databaseVaultPath(i.database)}; never commit them)`,
      commands: [
        `vault kv put ${databaseVaultPath(i.database)} username=${i.database} password="$(openssl rand -base64 24)"`,
      ],
    });
  }
  if (i.skipped.includes("oidc")) {
    steps.push({
      id: "enable-identity",
      title: `Login is off: the platform has no identity provider. To turn it on, enable identity in platform.yaml, set spec.auth: oidc in services/${name}.yaml, and run 'slipway synth'`,
      commands: [],
    });
  }
  return steps;
}
