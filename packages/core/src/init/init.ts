import { lstatSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { components as defaultComponents } from "../components/index.js";
import { jsonSchemas, SCHEMA_FILES } from "../config/json-schema.js";
import { hostname } from "../config/primitives.js";
import { API_VERSION, platformSchema } from "../config/schema.js";
import { ConflictError, type Diagnostic, diag, InputError } from "../diagnostics.js";
import type { AnyComponent } from "../render/component.js";

/** What `slipway init` fills into the starter; every field has a placeholder default. */
export interface InitOptions {
  /**
   * The platform's domain; services are served at `<subdomain>.<domain>`.
   * @default "example.com"
   */
  readonly domain?: string;
  /**
   * GitHub user or organisation that owns the repositories.
   * @default "example"
   */
  readonly owner?: string;
  /**
   * The platform repository Argo CD syncs from.
   * @default "https://github.com/<owner>/platform.git"
   */
  readonly repo?: string;
  readonly components?: readonly AnyComponent[];
}

/** One file of the starter repository, path relative to its root. */
export interface StarterFile {
  readonly path: string;
  readonly content: string;
}

/** Where the starter keeps the JSON Schemas its modelines point at (relative to the repository root). */
export const STARTER_SCHEMA_DIR = ".slipway/schemas";

/**
 * Components a single small K3s node should not run by default, with the reason shown beside them.
 * Everything else follows the component's own `enabledByDefault`.
 */
const SINGLE_NODE_OVERRIDES: Readonly<Record<string, { enabled: boolean; why: string }>> = {
  observability: {
    enabled: false,
    why: "the full Loki/Tempo/Prometheus/Grafana stack needs more than one small node has to spare",
  },
};

/** What `init` writes when not told otherwise; `check` flags them (check/placeholders.ts). */
export const INIT_PLACEHOLDERS = { domain: "example.com", owner: "example" } as const;

/**
 * The files of a commented starter platform repository. They are user-owned text, so comments
 * matter more than structure here: the YAML is a template, and a test loads the result with
 * `loadSpec` to prove it is valid. Throws {@link InputError} when an option is not a valid value.
 */
export function starterFiles(opts: InitOptions = {}): StarterFile[] {
  const components = opts.components ?? defaultComponents;
  const domain = opts.domain ?? INIT_PLACEHOLDERS.domain;
  const owner = opts.owner ?? INIT_PLACEHOLDERS.owner;
  const repo = opts.repo ?? `https://github.com/${owner}/platform.git`;
  checkOptions(domain, owner, repo, components);

  const componentLines = components.flatMap((c) => {
    const override = SINGLE_NODE_OVERRIDES[c.id];
    const enabled = override?.enabled ?? c.enabledByDefault;
    return [
      `    # ${c.description}${c.dependsOn.length > 0 ? ` (needs ${c.dependsOn.join(", ")})` : ""}`,
      ...(override ? [`    # Off by default: ${override.why}.`] : []),
      `    ${c.id}:`,
      `      enabled: ${enabled}`,
    ];
  });

  const platform = [
    modeline(SCHEMA_FILES.platform),
    "# The platform: its domain, the Git repository Argo CD syncs from, the cluster's capacity and the",
    "# components Slipway renders. `slipway synth` turns it (and services/*.yaml) into the GitOps tree.",
    `apiVersion: ${API_VERSION}`,
    "kind: Platform",
    "metadata:",
    "  name: homelab",
    "spec:",
    "  # Every service with a subdomain is served at <subdomain>.<domain>.",
    `  domain: ${domain}`,
    "  git:",
    "    # This repository; Argo CD syncs the rendered tree from it.",
    `    repoURL: ${JSON.stringify(repo)}`,
    "    revision: main",
    "  github:",
    "    # Owner of the service repositories and their images on ghcr.io.",
    `    owner: ${owner}`,
    "  cluster:",
    "    # k3s, kubeadm (then name your storageClass) or eks (aws: region, ingress, vaultIam).",
    "    distribution: k3s",
    '    kubernetesVersion: "1.32"',
    "    # Node capacity: `slipway budget` fails when the requests of everything enabled do not fit.",
    "    nodes:",
    "      - name: node-1",
    "        cpu: 4",
    "        memory: 8Gi",
    "  # One entry per component; omitted components take their default.",
    "  components:",
    ...componentLines,
    "",
  ].join("\n");

  const hello = [
    modeline(SCHEMA_FILES.service, "../"),
    "# One file per service; the file name is the service name. Rendered into its own namespace and",
    "# Argo CD Application: Deployment, Service, ServiceAccount, HTTPRoute and a kustomization.",
    `apiVersion: ${API_VERSION}`,
    "kind: Service",
    "metadata:",
    "  name: hello",
    "spec:",
    "  description: A tiny HTTP echo service to try the platform end to end",
    "  # Pinned to a tag: 'latest' and untagged images are refused.",
    "  image: docker.io/traefik/whoami:v1.10.1",
    "  port: 8080",
    "  env:",
    '    WHOAMI_PORT_NUMBER: "8080"',
    `  # Served at hello.${domain}; 'internal' keeps it off the public DNS and tunnel.`,
    "  subdomain: hello",
    "  exposure: public",
    "  health:",
    "    liveness: /health",
    "    readiness: /health",
    "  resources:",
    "    requests: { cpu: 10m, memory: 16Mi }",
    "    limits: { memory: 32Mi }",
    "",
  ].join("\n");

  const readme = [
    "# Platform repository",
    "",
    "Declares the platform (`platform.yaml`) and the services onboarded onto it (`services/<name>.yaml`).",
    "Slipway renders both into the GitOps tree Argo CD deploys:",
    "",
    "```sh",
    "slipway synth     # render argocd/, k8s/, cloudflare/ next to this file",
    "slipway check     # validate every rendered object and the platform's policies",
    "slipway budget    # requested CPU and memory against the node capacity",
    "```",
    "",
    "Commit the rendered files: Argo CD deploys what is in Git. Edit only `platform.yaml` and",
    "`services/`; the rendered files are rewritten by `slipway synth`.",
    "",
    "## Editor support",
    "",
    "Each YAML file starts with a modeline that points the YAML language server (VS Code's",
    "Red Hat YAML extension, Neovim, JetBrains) at the JSON Schema of the file, for completion,",
    "hover documentation and errors as you type:",
    "",
    "```yaml",
    `# yaml-language-server: $schema=./${STARTER_SCHEMA_DIR}/${SCHEMA_FILES.platform}`,
    "```",
    "",
    `The schemas in \`${STARTER_SCHEMA_DIR}/\` were written by the slipway version that ran \`init\`.`,
    "",
    "## Adding a service",
    "",
    "Copy `services/hello.yaml` to `services/<name>.yaml`, set `metadata.name` to `<name>`, and run",
    "`slipway synth`. Secrets never go into this repository: declare them under `spec.secrets` and",
    "store the values in Vault.",
    "",
  ].join("\n");

  const gitignore = [
    "# Secrets and local state never belong in the platform repository.",
    ".env",
    "*.tfvars",
    "*.tfstate",
    "*.tfstate.*",
    ".terraform/",
    "# Slipway's lock and the staging directories a killed `slipway synth` leaves (the next synth",
    "# removes them); the rest of .slipway/ (the ownership record, schemas) is committed.",
    ".slipway/lock*",
    ".slipway/staging-*/",
    "# Editors and OS",
    ".DS_Store",
    "*.swp",
    ".idea/",
    "",
  ].join("\n");

  const schemas = jsonSchemas(components).map((f) => ({
    path: `${STARTER_SCHEMA_DIR}/${f.path}`,
    content: f.content,
  }));
  return [
    { path: "platform.yaml", content: platform },
    { path: "services/hello.yaml", content: hello },
    { path: "README.md", content: readme },
    { path: ".gitignore", content: gitignore },
    ...schemas,
  ];
}

/**
 * Writes the starter repository into `dir` (created if needed). Refuses with
 * {@link ConflictError} (`SW_INIT_FILE_EXISTS`, one per file) and writes nothing when any of its
 * files already exists: the starter's files are the user's from the moment they exist.
 *
 * This writes directly rather than through `write/`, which manages Slipway-owned rendered files;
 * nothing written here is owned by Slipway.
 */
export function initPlatform(dir: string, opts: InitOptions = {}): { readonly files: readonly string[] } {
  const files = starterFiles(opts);
  const display = (p: string) => relative(process.cwd(), p) || p;
  // lstat, not exists: a dangling link counts as there (writing `wx` through it fails half-way).
  const existing = files
    .map((f) => join(dir, f.path))
    .filter((p) => lstatSync(p, { throwIfNoEntry: false }) !== undefined);
  if (existing.length > 0) {
    throw new ConflictError(
      existing.map((p) =>
        diag("SW_INIT_FILE_EXISTS", `${display(p)} already exists`, {
          hint: "slipway init never overwrites files; run it in an empty directory or move the file away.",
        }),
      ),
    );
  }
  for (const f of files) {
    const target = join(dir, f.path);
    mkdirSync(dirname(target), { recursive: true });
    // `wx` fails rather than overwrite if a file appeared since the check.
    writeFileSync(target, f.content, { flag: "wx" });
  }
  return { files: files.map((f) => f.path) };
}

function modeline(schemaFile: string, up = ""): string {
  return `# yaml-language-server: $schema=${up === "" ? "./" : up}${STARTER_SCHEMA_DIR}/${schemaFile}`;
}

/** Validates the options with the same schema pieces that validate platform.yaml. */
function checkOptions(
  domain: string,
  owner: string,
  repo: string,
  components: readonly AnyComponent[],
): void {
  const problems: Diagnostic[] = [];
  if (!hostname.safeParse(domain).success) {
    problems.push(
      diag("SW_INIT_INVALID_OPTION", `--domain ${JSON.stringify(domain)} is not a domain name`, {
        path: ["--domain"],
        hint: "Give a lowercase fully qualified domain such as example.com.",
      }),
    );
  }
  const spec = platformSchema(components).shape.spec.shape;
  if (!spec.github.shape.owner.safeParse(owner).success) {
    problems.push(
      diag(
        "SW_INIT_INVALID_OPTION",
        `--owner ${JSON.stringify(owner)} is not a GitHub user or organisation`,
        {
          path: ["--owner"],
          hint: "Give the GitHub login, such as octocat.",
        },
      ),
    );
  }
  if (!spec.git.shape.repoURL.safeParse(repo).success) {
    problems.push(
      diag("SW_INIT_INVALID_OPTION", `--repo ${JSON.stringify(repo)} is not an https:// or ssh:// URL`, {
        path: ["--repo"],
        hint: "Give the platform repository's URL, such as https://github.com/octocat/platform.git.",
      }),
    );
  }
  if (problems.length > 0) throw new InputError(problems);
}
