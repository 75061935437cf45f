import { toYaml } from "@slipway/core/lite";
import type { ProjectDescription } from "../description.js";
import { textFile } from "../files.js";
import { ACTIONS, annotateActionVersions, IMAGE_PLATFORMS, ON_MAIN } from "../models/workflow.js";
import { type Contributor, defineContributor } from "../preset.js";
import { escapeMarkdown } from "../text.js";

/**
 * Contributors every preset ends with: the files whose shape the platform relies on (CI, catalog,
 * `.slipway.json`) and the renderers of the shared models.
 */

/** `org.opencontainers.image.*` labels: GHCR links the package to the repository through `source`. */
export const ociLabels = defineContributor({
  id: "oci-labels",
  customize({ dockerfile }, d) {
    dockerfile
      .label("org.opencontainers.image.source", d.repository.url)
      .label("org.opencontainers.image.description", d.parameters.description)
      .label("org.opencontainers.image.title", d.parameters.name);
  },
});

export const ciReadme = defineContributor({
  id: "ci-readme",
  customize({ readme }, d) {
    readme.section({
      id: "ci",
      title: "CI/CD",
      order: 80,
      body: [
        "`.github/workflows/ci.yaml` builds and tests every push to `main` and every pull request, and",
        "builds the container image. Pushes to `main` also publish the image to GHCR as",
        `\`${d.image}:sha-<commit>\` for \`linux/amd64\` and \`linux/arm64\` (QEMU) using the workflow's`,
        "`GITHUB_TOKEN`; pull requests build it for `linux/amd64` only (fast) and never push.",
        "A newer push to a pull request cancels its older run; runs on `main` never cancel each other,",
        "so every commit on `main` gets its image.",
        "Argo CD Image Updater on the platform picks up new `sha-` tags and writes them back to the",
        "platform repository.",
        "",
        "Every action is pinned to a commit (`@<sha> # vX.Y.Z`) and every `FROM` image to a digest",
        "(`image:tag@sha256:…`); `.github/dependabot.yml` proposes updates to both weekly.",
      ].join("\n"),
    });
  },
});

/**
 * The workflow's `concurrency`: a newer push to a pull request cancels the older run, but runs on
 * `main` never cancel or displace each other (one group per commit), because each publishes that
 * commit's image. One group for `main` without cancelling would not do: GitHub still cancels a
 * *pending* run of a group when a newer one queues, so a burst of merges would skip images.
 */
export const CI_CONCURRENCY = {
  group: "${{ github.workflow }}-${{ github.event_name == 'pull_request' && github.ref || github.sha }}",
  "cancel-in-progress": "${{ github.event_name == 'pull_request' }}",
} as const;

/** Image platforms: both on `main` (what the cluster pulls), amd64 only for pull requests (fast). */
const PLATFORMS = `\${{ (${ON_MAIN}) && '${IMAGE_PLATFORMS.join(",")}' || 'linux/amd64' }}`;

/** Renders `.github/workflows/ci.yaml` from the workflow model plus the image job. */
export const ciWorkflow = defineContributor({
  id: "ci-workflow",
  contribute(d, { workflow }) {
    const build: Record<string, unknown> = { "runs-on": "ubuntu-latest" };
    if (Object.keys(workflow.buildEnv).length > 0) build.env = { ...workflow.buildEnv };
    build.steps = workflow.buildSteps;
    // GHCR refuses uppercase repository names. A description's image is lowercase already; an image
    // named by an expression (the template's `${{ github.repository }}`) is lowercased by a step.
    const dynamic = d.image.includes("${{");
    const image = dynamic ? "${{ steps.image.outputs.name }}" : d.image;
    const doc = {
      name: "CI",
      on: { push: { branches: ["main"] }, pull_request: {} },
      permissions: { contents: "read" },
      concurrency: CI_CONCURRENCY,
      jobs: {
        build,
        image: {
          needs: "build",
          "runs-on": "ubuntu-latest",
          permissions: { contents: "read", packages: "write" },
          steps: [
            { uses: ACTIONS.checkout },
            ...(dynamic
              ? [
                  {
                    name: "Image name (GHCR needs it lowercase)",
                    id: "image",
                    env: { IMAGE: d.image },
                    run: 'echo "name=${IMAGE,,}" >> "$GITHUB_OUTPUT"',
                  },
                ]
              : []),
            { name: "Set up QEMU (arm64 on main)", if: ON_MAIN, uses: ACTIONS.setupQemu },
            { uses: ACTIONS.setupBuildx },
            {
              name: "Log in to GHCR",
              if: ON_MAIN,
              uses: ACTIONS.login,
              with: {
                registry: "ghcr.io",
                username: "${{ github.actor }}",
                password: "${{ secrets.GITHUB_TOKEN }}",
              },
            },
            {
              name: "Build the image (push on main only)",
              uses: ACTIONS.buildPush,
              with: {
                context: ".",
                platforms: PLATFORMS,
                push: `\${{ ${ON_MAIN} }}`,
                tags: `${image}:sha-\${{ github.sha }}`,
                "cache-from": "type=gha",
                "cache-to": "type=gha,mode=max",
              },
            },
          ],
        },
      },
    };
    return [
      textFile(".github/workflows/ci.yaml", annotateActionVersions(toYaml(doc, { preserveKeyOrder: true }))),
    ];
  },
});

/**
 * `.github/dependabot.yml`: weekly updates of the pinned actions (SHA and `# vX.Y.Z` comment
 * together) and of the digest-pinned `FROM` images, plus whatever ecosystems the preset asked for.
 */
export const dependabotConfig = defineContributor({
  id: "dependabot",
  contribute(_d, { workflow, dockerfile }) {
    const ecosystems = new Set(["github-actions", ...(dockerfile.isEmpty() ? [] : ["docker"])]);
    for (const e of workflow.updateEcosystems) ecosystems.add(e);
    const doc = {
      version: 2,
      updates: [...ecosystems].map((ecosystem) => ({
        "package-ecosystem": ecosystem,
        directory: "/",
        schedule: { interval: "weekly" },
        ...(ecosystem === "github-actions" || ecosystem === "docker"
          ? { groups: { [ecosystem]: { patterns: ["*"] } } }
          : {}),
      })),
    };
    return [textFile(".github/dependabot.yml", toYaml(doc, { preserveKeyOrder: true }))];
  },
});

/** Backstage Component with the annotations the GitHub and source-location plugins read. */
export function catalogEntity(d: ProjectDescription, type: "service" | "website"): Record<string, unknown> {
  const p = d.parameters;
  return {
    apiVersion: "backstage.io/v1alpha1",
    kind: "Component",
    metadata: {
      name: p.name,
      description: p.description,
      annotations: {
        "github.com/project-slug": d.repository.slug,
        "backstage.io/source-location": `url:${d.repository.url}/`,
      },
      tags: [d.preset.id],
    },
    spec: { type, lifecycle: p.lifecycle, owner: p.owner, system: p.system },
  };
}

export function catalogInfo(type: "service" | "website"): Contributor {
  return {
    id: "catalog-info",
    contribute: (d) => [textFile("catalog-info.yaml", toYaml(catalogEntity(d, type)))],
  };
}

/** Records how the project was generated, so a later upgrade can regenerate and diff. */
export const slipwayJson = defineContributor({
  id: "slipway-json",
  contribute(d) {
    const record = { preset: d.preset, image: d.image, parameters: sortKeys(d.parameters) };
    return [textFile(".slipway.json", `${JSON.stringify(record, null, 2)}\n`)];
  },
});

function sortKeys(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export const configurationReadme = defineContributor({
  id: "configuration-readme",
  customize({ readme, env }) {
    // Rendered lazily: `env` is complete only after every customizer ran.
    readme.section({
      id: "configuration",
      title: "Configuration",
      order: 60,
      get body() {
        if (env.list().length === 0) return "";
        const rows = env
          .list()
          .map(
            (v) =>
              `| \`${v.name}\` | ${escapeMarkdown(v.description)} | ${v.default === undefined ? "required" : v.default === "" ? "empty" : `\`${v.default}\``} |`,
          );
        return [
          "On the platform these are injected into the container (OIDC client and database credentials",
          "come from Kubernetes Secrets synced by External Secrets; the app never talks to Vault).",
          "",
          "| Variable | Meaning | Local default |",
          "|---|---|---|",
          ...rows,
        ].join("\n");
      },
    });
  },
});

export const renderGitignore = defineContributor({
  id: "gitignore",
  contribute: (_d, { gitignore }) =>
    gitignore.isEmpty() ? [] : [textFile(".gitignore", gitignore.render())],
});

export const renderReadme = defineContributor({
  id: "readme",
  contribute: (_d, { readme }) => [textFile("README.md", readme.render())],
});

export const renderDockerfile = defineContributor({
  id: "dockerfile",
  contribute: (_d, { dockerfile }) =>
    dockerfile.isEmpty() ? [] : [textFile("Dockerfile", dockerfile.render())],
});

/** The tail of every preset's contributor list. */
export function commonContributors(type: "service" | "website"): Contributor[] {
  return [
    ociLabels,
    ciReadme,
    configurationReadme,
    catalogInfo(type),
    slipwayJson,
    ciWorkflow,
    dependabotConfig,
    renderGitignore,
    renderDockerfile,
    renderReadme,
  ];
}
