import type { PlatformSpec, ServiceSpec } from "../../config/schema.js";
import { ARGOCD_NAMESPACE } from "../../render/apps.js";
import { SEMVER_TAG, splitImage } from "../../render/image.js";
import type { K8sObject } from "../../render/k8s.js";
import { externalSecret } from "../external-secrets/contract.js";

/** Tags Image Updater never moves a service to. */
const IGNORED_TAGS = ["latest"];

/** Label that makes a Secret in Argo CD's namespace a repository (what `method: git` reads). */
export const REPOSITORY_SECRET_LABEL = "argocd.argoproj.io/secret-type";

/** The repository Secret (and its ExternalSecret) holding the platform repository's write credentials. */
export const REPOSITORY_SECRET = "platform-repository";

/** Where Image Updater commits, and the Vault KV path of the credentials it commits with. */
export interface WriteBackSettings {
  /** Branch to push to; `spec.git.revision` (what Argo CD syncs) when omitted. */
  readonly branch?: string | undefined;
  /** KV path (platform mount) of `username`/`password` (https) or `sshPrivateKey` (ssh). */
  readonly credentialsKey: string;
}

/**
 * The semver range Image Updater may move a service within: the service's own `updateConstraint`,
 * else `^<pinned tag>` — any newer minor or patch release of the same major (of the same minor
 * for 0.x, Masterminds/semver's caret), never a downgrade below the pin, never a major.
 */
export function semverConstraint(tag: string, explicit?: string): string {
  return explicit ?? `^${tag}`;
}

/**
 * How to find a newer image than `tag`: semantic versions by version order; commit-style tags
 * (`sha-3f9c2e1`, `3f9c2e1`) by build time, restricted to the same shape; anything else by
 * build time.
 */
export function updateSettings(tag: string): Record<string, unknown> {
  const base = { forceUpdate: false, ignoreTags: IGNORED_TAGS };
  if (SEMVER_TAG.test(tag)) return { ...base, updateStrategy: "semver" };
  const sha = /^([a-z][a-z0-9]*-)?[0-9a-f]{7,40}$/.exec(tag);
  if (sha) {
    return { ...base, updateStrategy: "newest-build", allowTags: `regexp:^${sha[1] ?? ""}[0-9a-f]{7,40}$` };
  }
  return { ...base, updateStrategy: "newest-build" };
}

/**
 * `writeBackConfig.gitConfig.branch`: the synced branch itself, or `<synced>:<branch>` — Image
 * Updater checks the synced branch out and pushes its commit to the other one, where it waits
 * for a merge (pkg/argocd/update.go splits the value on ':' into GitBranch and GitWriteBranch).
 */
export function writeBackBranch(platform: PlatformSpec, branch: string | undefined): string {
  const synced = platform.git.revision;
  return branch === undefined || branch === synced ? synced : `${synced}:${branch}`;
}

/**
 * One ImageUpdater per service whose image is pinned by tag: it watches the registry and commits
 * the newer tag to the platform repository (method `git`: Argo CD's repository credentials for
 * it, the Secret {@link repositoryCredentials} makes), so every update is a commit Argo CD then
 * syncs. Every field the CRD defaults is written out. Digest-only pins have no tag to follow and
 * are left alone.
 *
 * With the semver strategy the tag part of `imageName` is the version constraint
 * (pkg/argocd/update.go: `vc.Constraint = applicationImage.ImageTag.TagName`): a bare `1.4.2`
 * there means `=1.4.2` and the service never moves, so `imageName` carries a range
 * ({@link semverConstraint}) while the kustomization keeps the exact pin.
 *
 * Where it writes: the default target, `.argocd-source-<app>.yaml` beside the service's
 * `kustomization.yaml`, not the kustomization itself. The kustomization is a Slipway-owned file
 * rendered from `services/<name>.yaml`; an updater commit there would make the next `slipway synth`
 * refuse it as hand-edited (or, with --force, roll the tag back) and `synth --check` fail in CI. The
 * override file is never rendered, so Slipway never touches it, and Argo CD applies it on top of the
 * kustomization's pin.
 */
export function* imageUpdaters(
  platform: PlatformSpec,
  services: readonly ServiceSpec[],
  writeBack: Pick<WriteBackSettings, "branch"> = {},
): Generator<K8sObject> {
  for (const s of services) {
    const pin = splitImage(s.image);
    if (!pin.newTag) continue;
    const settings = updateSettings(pin.newTag);
    const tag =
      settings.updateStrategy === "semver" ? semverConstraint(pin.newTag, s.updateConstraint) : pin.newTag;
    yield {
      apiVersion: "argocd-image-updater.argoproj.io/v1alpha1",
      kind: "ImageUpdater",
      metadata: {
        name: s.name,
        namespace: ARGOCD_NAMESPACE,
        labels: { "app.kubernetes.io/managed-by": "slipway", "slipway.dev/service": s.name },
        // The CRD arrives with the chart in the same sync.
        annotations: { "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true" },
      },
      spec: {
        writeBackConfig: {
          method: "git",
          gitConfig: { branch: writeBackBranch(platform, writeBack.branch) },
        },
        applicationRefs: [
          {
            namePattern: s.name,
            useAnnotations: false,
            images: [
              {
                alias: s.name,
                imageName: `${pin.name}:${tag}`,
                commonUpdateSettings: settings,
                manifestTargets: { kustomize: { name: pin.name } },
              },
            ],
          },
        ],
      },
    };
  }
}

/**
 * The platform repository's write credentials as an Argo CD repository Secret, from Vault through
 * ESO: `method: git` looks the Application's repoURL up among Argo CD's repositories
 * (pkg/argocd/gitcreds.go `getCredsFromArgoCD`) and fails with "credentials ... are not
 * configured" when none has credentials. The ExternalSecret lives in `argocd`, a platform
 * namespace, so it reads through the `vault-backend` ClusterSecretStore (its conditions admit
 * platform namespaces only, ADR 0008). The Secret is labelled as a repository and carries the
 * repository URL; https URLs take `username`/`password` (a GitHub token with contents:write),
 * ssh URLs take `sshPrivateKey` (a deploy key with write access). Argo CD itself reads the same
 * Secret, so a private platform repository needs nothing else.
 */
export function repositoryCredentials(platform: PlatformSpec, credentialsKey: string): K8sObject {
  const ssh = platform.git.repoURL.startsWith("ssh:");
  const properties = ssh ? ["sshPrivateKey"] : ["password", "username"];
  const es = externalSecret({
    name: REPOSITORY_SECRET,
    namespace: ARGOCD_NAMESPACE,
    labels: { "app.kubernetes.io/managed-by": "slipway" },
    // ESO's CRDs come with the external-secrets Application, a later wave than Argo CD's own.
    annotations: { "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true" },
    data: properties.map((p) => ({ secretKey: p, key: credentialsKey, property: p })),
    template: {
      engineVersion: "v2",
      metadata: { labels: { [REPOSITORY_SECRET_LABEL]: "repository" } },
      data: {
        type: "git",
        url: platform.git.repoURL,
        ...Object.fromEntries(properties.map((p) => [p, `{{ .${p} }}`])),
      },
    },
  });
  return es;
}
