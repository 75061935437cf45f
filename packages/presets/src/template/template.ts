import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { API_VERSION, renderPlatform, toYaml } from "@slipway/core";
import { ciWorkflow, dependabotConfig } from "../common/contributors.js";
import type { ProjectDescription } from "../description.js";
import { FileCollector, type GeneratedFile, textFile } from "../files.js";
import { Dockerfile } from "../models/dockerfile.js";
import { EnvVars } from "../models/env.js";
import { GitIgnore } from "../models/gitignore.js";
import { Readme } from "../models/readme.js";
import { Workflow } from "../models/workflow.js";
import { templateReadme } from "./readme.js";

/** The example service every rendered file of the template is shown for. */
export const TEMPLATE_EXAMPLE = {
  name: "my-service",
  owner: "my-org",
  domain: "example.com",
  platformRepo: "https://github.com/my-org/platform.git",
  tag: "sha-0123456789abcdef0123456789abcdef01234567",
  port: 8080,
} as const;

/**
 * The seed's `service-template` GitHub template repository: the CI workflow (the presets' own
 * workflow model and contributor, with the image named from the repository), and, as examples of
 * what the platform renders for a service, its Argo CD Application, ImageUpdater and manifests —
 * rendered by core for an example platform, never written by hand here — plus the README runbook.
 */
export function templateFiles(): GeneratedFile[] {
  const files = new FileCollector();
  for (const f of workflowFiles()) files.add(f);
  for (const f of renderedExamples()) files.add(f);
  files.add(textFile("README.md", templateReadme(TEMPLATE_EXAMPLE)));
  return files.sorted();
}

function workflowFiles(): readonly GeneratedFile[] {
  // A template repository has no name yet: the workflow names the image after whichever
  // repository is created from it, lowercased by a step (GHCR refuses `MyOrg/My-Service`).
  const d: ProjectDescription = {
    preset: { id: "service-template", version: "1" },
    parameters: {
      name: TEMPLATE_EXAMPLE.name,
      owner: TEMPLATE_EXAMPLE.owner,
      description: "A service on the Slipway platform",
      system: "personal-services",
      lifecycle: "experimental",
      port: TEMPLATE_EXAMPLE.port,
    },
    repository: {
      slug: "${{ github.repository }}",
      url: "${{ github.server_url }}/${{ github.repository }}",
    },
    image: "ghcr.io/${{ github.repository }}",
  };
  const workflow = new Workflow();
  workflow.step({
    name: "Test",
    // The template does not know the language: a repository adds its own build and test here.
    run: "if [ -x ./test.sh ]; then ./test.sh; else echo 'No ./test.sh yet: add your build and tests here'; fi",
  });
  const models = {
    gitignore: new GitIgnore(),
    readme: new Readme(d.parameters.name, d.parameters.description),
    workflow,
    dockerfile: new Dockerfile(),
    env: new EnvVars(),
  };
  return [...(ciWorkflow.contribute?.(d, models) ?? []), ...(dependabotConfig.contribute?.(d, models) ?? [])];
}

/** Renders an example platform with one service and keeps that service's files, under `deploy/`. */
function renderedExamples(): GeneratedFile[] {
  const ex = TEMPLATE_EXAMPLE;
  const work = mkdtempSync(join(tmpdir(), "slipway-template-"));
  try {
    const platform = {
      apiVersion: API_VERSION,
      kind: "Platform",
      metadata: { name: "example" },
      spec: {
        domain: ex.domain,
        git: { repoURL: ex.platformRepo, revision: "main" },
        github: { owner: ex.owner },
        cluster: { distribution: "k3s", nodes: [{ name: "node-1", cpu: 4, memory: "16Gi" }] },
        components: {
          argocd: { enabled: true },
          gateway: { enabled: true },
          services: { enabled: true },
          cloudflare: { enabled: false },
          postgres: { enabled: false },
          observability: { enabled: false },
        },
      },
    };
    const service = {
      apiVersion: API_VERSION,
      kind: "Service",
      metadata: { name: ex.name },
      spec: {
        description: "A service on the Slipway platform",
        image: `ghcr.io/${ex.owner}/${ex.name}:${ex.tag}`,
        port: ex.port,
        subdomain: ex.name,
      },
    };
    writeFileSync(join(work, "platform.yaml"), toYaml(platform, { preserveKeyOrder: true }));
    mkdirSync(join(work, "services"));
    const serviceYaml = toYaml(service, { preserveKeyOrder: true });
    writeFileSync(join(work, "services", `${ex.name}.yaml`), serviceYaml);
    const session = renderPlatform(join(work, "platform.yaml"));
    const out: GeneratedFile[] = [textFile(`deploy/services/${ex.name}.yaml`, serviceYaml)];
    const manifests = `k8s/helm/manifests/${ex.name}/`;
    for (const f of session.files) {
      if (f.path === `argocd/applications/${ex.name}.yaml`)
        out.push(textFile("deploy/argocd/application.yaml", f.content));
      else if (f.path === `k8s/helm/manifests/argocd-image-updater/imageupdater-${ex.name}.yaml`)
        out.push(textFile("deploy/argocd/imageupdater.yaml", f.content));
      else if (f.path.startsWith(manifests))
        out.push(textFile(`deploy/k8s/${f.path.slice(manifests.length)}`, f.content));
    }
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
