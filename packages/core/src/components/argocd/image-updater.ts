import { ARGOCD_NAMESPACE } from "../../render/apps.js";
import type { K8sObject } from "../../render/k8s.js";
import type { PlatformSpec, ServiceSpec } from "../../spec/schema.js";
import { splitImage } from "../services/workload.js";

/** Tags Image Updater never moves a service to. */
const IGNORED_TAGS = ["latest"];

/**
 * How to find a newer image than `tag`: semantic versions by version order; commit-style tags
 * (`sha-3f9c2e1`, `3f9c2e1`) by build time, restricted to the same shape; anything else by
 * build time.
 */
export function updateSettings(tag: string): Record<string, unknown> {
  const base = { forceUpdate: false, ignoreTags: IGNORED_TAGS };
  if (/^v?\d+\.\d+\.\d+$/.test(tag)) return { ...base, updateStrategy: "semver" };
  const sha = /^([a-z][a-z0-9]*-)?[0-9a-f]{7,40}$/.exec(tag);
  if (sha) {
    return { ...base, updateStrategy: "newest-build", allowTags: `regexp:^${sha[1] ?? ""}[0-9a-f]{7,40}$` };
  }
  return { ...base, updateStrategy: "newest-build" };
}

/**
 * One ImageUpdater per service whose image is pinned by tag: it watches the registry and commits
 * the newer tag to the platform repository (method `git`, with Argo CD's credentials for it), so
 * every update is a commit Argo CD then syncs. Every field the CRD defaults is written out.
 * Digest-only pins have no tag to follow and are left alone.
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
): Generator<K8sObject> {
  for (const s of services) {
    const pin = splitImage(s.image);
    if (!pin.newTag) continue;
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
          gitConfig: { branch: platform.git.revision },
        },
        applicationRefs: [
          {
            namePattern: s.name,
            useAnnotations: false,
            images: [
              {
                alias: s.name,
                imageName: `${pin.name}:${pin.newTag}`,
                commonUpdateSettings: updateSettings(pin.newTag),
                manifestTargets: { kustomize: { name: pin.name } },
              },
            ],
          },
        ],
      },
    };
  }
}
