/** The template repository's README: the runbook from "Use this template" to a live subdomain. */
export function templateReadme(ex: {
  readonly name: string;
  readonly owner: string;
  readonly domain: string;
  readonly tag: string;
  readonly port: number;
}): string {
  return `# service-template

A GitHub template repository for a service on the Slipway platform: CI that builds, tests and
publishes the image to GHCR, and examples of what the platform renders to deploy it (Argo CD
Application, Argo CD Image Updater \`ImageUpdater\`, manifests). Written by
\`slipway template export\`; the files under \`deploy/\` are rendered by Slipway for an example
service named \`${ex.name}\` owned by \`${ex.owner}\` on \`${ex.domain}\`.

Prefer \`slipway new <name> --preset <id>\`: it generates a complete project from a preset and
registers it on the platform in one step. Use this template for a stack no preset covers.

## Files

| File | What |
|---|---|
| \`.github/workflows/ci.yaml\` | on pull requests: build and test, build the image for \`linux/amd64\`; on pushes to \`main\`: build it for \`linux/amd64\` and \`linux/arm64\` and push \`ghcr.io/<owner>/<repo>:sha-<commit>\` (lowercased) with \`GITHUB_TOKEN\`. Actions are pinned by commit SHA |
| \`.github/dependabot.yml\` | weekly pull requests that bump the pinned actions (SHA and \`# vX.Y.Z\` comment together) |
| \`deploy/services/${ex.name}.yaml\` | what you add to the platform repository as \`services/<name>.yaml\` |
| \`deploy/argocd/application.yaml\` | the Argo CD Application Slipway renders for it (\`argocd/applications/<name>.yaml\`) |
| \`deploy/argocd/imageupdater.yaml\` | the \`ImageUpdater\` that follows new \`sha-\` tags and commits them to the platform repository |
| \`deploy/k8s/\` | the Deployment, Service, HTTPRoute, ServiceAccount and the kustomization pinning the image |

The \`deploy/\` files are for reading: on the platform they are rendered by \`slipway synth\`
from \`services/<name>.yaml\`, never copied by hand.

## Runbook

1. **Create the repository** from this template (GitHub → Use this template). The workflow names
   the image after the repository, lowercased (GHCR image names must be lowercase):
   \`MyOrg/My-Service\` publishes \`ghcr.io/myorg/my-service\`.
2. **Add a \`Dockerfile\`** (pin its \`FROM\` images by digest, \`image:tag@sha256:…\`, and add a
   \`docker\` entry to \`.github/dependabot.yml\` so they are bumped) whose final stage runs as a numeric non-root \`USER\` and listens on
   port ${ex.port} (or the port you declare), serving \`/healthz\` and \`/readyz\`; replace the
   workflow's \`Test\` step with your build and tests (or add an executable \`./test.sh\`).
3. **Push to \`main\`.** CI publishes \`ghcr.io/<owner>/<repo>:sha-<full commit hash>\` (a
   multi-arch image: \`linux/amd64\` and \`linux/arm64\`). Make the
   package public (Package settings → visibility) or the cluster cannot pull it.
4. **Register it on the platform**: copy \`deploy/services/${ex.name}.yaml\` to
   \`services/<name>.yaml\` in the platform repository, set \`metadata.name\`, \`image\` (the tag
   CI pushed), \`port\` and \`subdomain\`, run \`slipway synth\` and \`slipway check\`, open a pull
   request and merge it.
5. **DNS**: \`terraform -chdir=cloudflare/terraform apply\` in the platform repository adds the
   record and the tunnel route for \`<subdomain>.${ex.domain}\`.
6. **Watch it sync**: \`kubectl -n argocd get application <name>\` turns \`Synced\`/\`Healthy\`;
   \`curl -fsS https://<subdomain>.${ex.domain}/healthz\`.

From then on every push to \`main\` publishes a new \`sha-\` tag; Argo CD Image Updater notices it
and commits \`.argocd-source-<name>.yaml\` to the platform repository, and Argo CD rolls it out.

When the first sync fails, see the platform's \`docs/runbooks/new-service.md\`.
`;
}
