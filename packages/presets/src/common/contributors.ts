import { toYaml } from "@slipway/core/lite";
import type { ProjectDescription } from "../description.js";
import { textFile } from "../files.js";
import { ACTIONS, ON_MAIN } from "../models/workflow.js";
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
        `\`${d.image}:sha-<commit>\` using the workflow's \`GITHUB_TOKEN\`; pull requests never push.`,
        "Argo CD Image Updater on the platform picks up new `sha-` tags and writes them back to the",
        "platform repository.",
      ].join("\n"),
    });
  },
});

/** Renders `.github/workflows/ci.yaml` from the workflow model plus the image job. */
export const ciWorkflow = defineContributor({
  id: "ci-workflow",
  contribute(d, { workflow }) {
    const build: Record<string, unknown> = { "runs-on": "ubuntu-latest" };
    if (Object.keys(workflow.buildEnv).length > 0) build.env = { ...workflow.buildEnv };
    build.steps = workflow.buildSteps;
    const doc = {
      name: "CI",
      on: { push: { branches: ["main"] }, pull_request: {} },
      permissions: { contents: "read" },
      concurrency: { group: "ci-${{ github.ref }}", "cancel-in-progress": true },
      jobs: {
        build,
        image: {
          needs: "build",
          "runs-on": "ubuntu-latest",
          permissions: { contents: "read", packages: "write" },
          steps: [
            { uses: ACTIONS.checkout },
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
                push: `\${{ ${ON_MAIN} }}`,
                tags: `${d.image}:sha-\${{ github.sha }}`,
                "cache-from": "type=gha",
                "cache-to": "type=gha,mode=max",
              },
            },
          ],
        },
      },
    };
    return [textFile(".github/workflows/ci.yaml", toYaml(doc, { preserveKeyOrder: true }))];
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
    renderGitignore,
    renderDockerfile,
    renderReadme,
  ];
}
