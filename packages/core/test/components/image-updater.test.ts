import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildCheckInput } from "../../src/check/input.js";
import { policies } from "../../src/check/policies/index.js";
import { type Policy, policyCode } from "../../src/check/policy.js";
import { semverConstraint, writeBackBranch } from "../../src/components/argocd/image-updater.js";
import { FIXTURES, loadFixture } from "../check/helpers.js";
import {
  renderComponents,
  renderFile,
  type ServiceSpecs,
  writePlatform,
} from "../helpers/component-fixture.js";
import { crdValidator, validationErrors } from "../helpers/strict-schema.js";
import { tool } from "../helpers/tools.js";

/**
 * Issue 11, part 2: Argo CD Image Updater can write back (repository credentials from Vault through
 * ESO) to the synced branch or another, and its semver constraints allow updates. The constraint
 * semantics are proven with `slipway-semver` (tools/semver): the updater v1.3.0's semver tag
 * selection over the Masterminds/semver version its go.mod pins.
 */
const IU_CRD = "argocd-image-updater/v1.3.0/argocd-image-updater.argoproj.io_imageupdaters.yaml";
const ES_CRD = "external-secrets/v2.9.0/external-secrets.io_externalsecrets.yaml";
const IU_DIR = "k8s/helm/manifests/argocd-image-updater";

const SERVICES: ServiceSpecs = {
  notes: { image: "ghcr.io/example/notes:1.4.2", port: 8080 },
  legacy: { image: "ghcr.io/example/legacy:v0.9.0", port: 8080 },
  pinned: { image: "ghcr.io/example/pinned:2.3.0", port: 8080, updateConstraint: "~2.3.0" },
  blog: { image: "ghcr.io/example/blog:sha-3f9c2e1", port: 8080 },
};

interface Selection {
  constraint: string;
  selected: string | null;
  update: boolean;
  error?: string;
}

/** Which tag Image Updater's semver strategy picks for each case (tools/semver). */
function select(cases: { imageName: string; live: string; tags: string[] }[]): Selection[] {
  const out = execFileSync(tool("slipway-semver"), { input: JSON.stringify({ cases }), encoding: "utf8" });
  return JSON.parse(out) as Selection[];
}

const imageOf = (iu: any) => iu.spec.applicationRefs[0].images[0];

describe("Image Updater", () => {
  const { read, files } = renderComponents({}, [], SERVICES);

  it("semver images carry a range in imageName; the kustomization keeps the exact pin", () => {
    expect(imageOf(read(`${IU_DIR}/imageupdater-notes.yaml`)).imageName).toBe("ghcr.io/example/notes:^1.4.2");
    expect(imageOf(read(`${IU_DIR}/imageupdater-legacy.yaml`)).imageName).toBe(
      "ghcr.io/example/legacy:^v0.9.0",
    );
    expect(imageOf(read(`${IU_DIR}/imageupdater-pinned.yaml`)).imageName).toBe(
      "ghcr.io/example/pinned:~2.3.0",
    );
    // Commit-style tags keep newest-build with their allowTags: no constraint in the tag.
    expect(imageOf(read(`${IU_DIR}/imageupdater-blog.yaml`))).toMatchObject({
      imageName: "ghcr.io/example/blog:sha-3f9c2e1",
      commonUpdateSettings: { updateStrategy: "newest-build" },
    });
    const k = read<{ images: { name: string; newTag: string }[] }>(
      "k8s/helm/manifests/notes/kustomization.yaml",
    );
    expect(k.images).toEqual([{ name: "ghcr.io/example/notes", newTag: "1.4.2" }]);
    for (const f of [...files.keys()].filter((p) => p.startsWith(`${IU_DIR}/imageupdater-`))) {
      const iu = read(f);
      expect(validationErrors(crdValidator(IU_CRD, iu.apiVersion, iu.kind), iu)).toEqual([]);
    }
  });

  it("the rendered constraints move to newer minors and patches, never a major; an exact pin never moves (the real selection)", () => {
    const notes = imageOf(read(`${IU_DIR}/imageupdater-notes.yaml`)).imageName;
    const legacy = imageOf(read(`${IU_DIR}/imageupdater-legacy.yaml`)).imageName;
    const pinned = imageOf(read(`${IU_DIR}/imageupdater-pinned.yaml`)).imageName;
    const tags = ["1.4.1", "1.4.2", "1.4.3", "1.5.0", "1.5.1-rc.1", "2.0.0", "latest", "sha-3f9c2e1"];
    const result = select([
      { imageName: notes, live: "1.4.2", tags },
      // What was rendered before: the pinned tag as the constraint.
      { imageName: "ghcr.io/example/notes:1.4.2", live: "1.4.2", tags },
      { imageName: legacy, live: "v0.9.0", tags: ["v0.9.0", "v0.9.4", "v0.10.0", "v1.0.0"] },
      { imageName: pinned, live: "2.3.0", tags: ["2.3.0", "2.3.7", "2.4.0", "3.0.0"] },
      // Nothing newer within the range: no update (and never a downgrade to 1.4.1).
      { imageName: notes, live: "1.4.2", tags: ["1.4.1", "1.4.2", "2.0.0"] },
    ]);
    expect(result.map((r) => [r.constraint, r.selected, r.update])).toEqual([
      ["^1.4.2", "1.5.0", true],
      ["1.4.2", "1.4.2", false],
      ["^v0.9.0", "v0.9.4", true],
      ["~2.3.0", "2.3.7", true],
      ["^1.4.2", "1.4.2", false],
    ]);
  });

  it("slipway-semver reproduces the updater's own test vectors (registry-scanner version_test.go Test_LatestVersion)", () => {
    const tags = ["0.1", "0.5.1", "0.9", "1.0", "1.0.1", "1.1.2", "2.0.3"];
    const result = select([
      { imageName: "jannfis/test", live: "1.0", tags },
      { imageName: "jannfis/test:^1.0", live: "1.0", tags },
      { imageName: "jannfis/test:~1.0", live: "1.0", tags },
      { imageName: "jannfis/test:~1.0", live: "1.0", tags: ["0.1", "0.5.1", "0.9", "2.0.3"] },
      { imageName: "jannfis/test:latest", live: "1.0", tags: ["0.1", "0.5.1", "0.9", "2.0.3"] },
      { imageName: "jannfis/test:~1.0", live: "1.0", tags: [] },
    ]);
    expect(result.map((r) => r.selected)).toEqual(["2.0.3", "1.1.2", "1.0.1", null, null, "1.0"]);
    expect(result[4]?.error).toMatch(/invalid constraint 'latest'/);
  });

  it("default constraint: ^<pinned tag>; an explicit one wins", () => {
    expect(semverConstraint("1.4.2")).toBe("^1.4.2");
    expect(semverConstraint("1.4.2", "~1.4")).toBe("~1.4");
  });

  it("writes back to the synced branch, or pushes to another one from it", () => {
    const iu = read(`${IU_DIR}/imageupdater-notes.yaml`);
    expect(iu.spec.writeBackConfig).toEqual({ method: "git", gitConfig: { branch: "main" } });
    const other = renderComponents({ argocd: { imageUpdater: { branch: "image-updates" } } }, [], SERVICES);
    expect(other.read(`${IU_DIR}/imageupdater-notes.yaml`).spec.writeBackConfig).toEqual({
      method: "git",
      gitConfig: { branch: "main:image-updates" },
    });
    const p = { git: { repoURL: "https://x/y.git", revision: "main" } } as Parameters<
      typeof writeBackBranch
    >[0];
    expect(writeBackBranch(p, "main")).toBe("main");
  });

  it("repository write credentials: an ExternalSecret in argocd through the platform store, making a labelled repository Secret", () => {
    const es = read(`${IU_DIR}/externalsecret-platform-repository.yaml`);
    expect(es.metadata.namespace).toBe("argocd");
    expect(es.spec.secretStoreRef).toEqual({ kind: "ClusterSecretStore", name: "vault-backend" });
    expect(es.spec.data).toEqual([
      { secretKey: "password", remoteRef: { key: "argocd/repository", property: "password" } },
      { secretKey: "username", remoteRef: { key: "argocd/repository", property: "username" } },
    ]);
    expect(es.spec.target.template).toEqual({
      engineVersion: "v2",
      metadata: { labels: { "argocd.argoproj.io/secret-type": "repository" } },
      data: {
        type: "git",
        url: "https://github.com/example/platform.git",
        username: "{{ .username }}",
        password: "{{ .password }}",
      },
    });
    expect(validationErrors(crdValidator(ES_CRD, es.apiVersion, es.kind), es)).toEqual([]);
    // argocd is one of the namespaces the ClusterSecretStore admits (ADR 0008).
    const store = read("k8s/helm/manifests/external-secrets-store/clustersecretstore-vault-backend.yaml");
    expect(store.spec.conditions[0].namespaces).toContain("argocd");
  });

  it("another credentials path; an ssh repository takes sshPrivateKey", () => {
    const file = writePlatform(
      { argocd: { imageUpdater: { credentialsKey: "github/deploy-key" } } },
      SERVICES,
    );
    const yaml = readFileSync(file, "utf8").replace(
      "https://github.com/example/platform.git",
      "ssh://git@github.com/example/platform.git",
    );
    writeFileSync(file, yaml);
    const other = renderFile(file);
    const es = other.read(`${IU_DIR}/externalsecret-platform-repository.yaml`);
    expect(es.spec.data).toEqual([
      { secretKey: "sshPrivateKey", remoteRef: { key: "github/deploy-key", property: "sshPrivateKey" } },
    ]);
    expect(es.spec.target.template.data).toEqual({
      type: "git",
      url: "ssh://git@github.com/example/platform.git",
      sshPrivateKey: "{{ .sshPrivateKey }}",
    });
  });
});

describe("image-updater policy", () => {
  const policy = policies.find((p) => p.id === "image-updater") as Policy;
  const run = (variant: "pass" | "fail") => {
    const { files, apps } = loadFixture(join(FIXTURES, "policies", "image-updater", variant));
    const findings = [...policy.check(buildCheckInput(files, apps))];
    for (const f of findings) expect(f.diagnostic.code).toBe(policyCode("image-updater"));
    return findings.map((f) => `${f.file} ${f.diagnostic.path.join(".")}`).sort();
  };

  it("passes ranges and git write-back with a repository Secret for the repository", () => {
    expect(run("pass")).toEqual([]);
  });

  it("fails an exact pin under semver, '=' in imageName, git without credentials, a missing named secret", () => {
    const f = `${IU_DIR}/imageupdater`;
    expect(run("fail")).toEqual([
      `${f}-blog.yaml spec.applicationRefs.0.images.0.imageName`,
      `${f}-blog.yaml spec.writeBackConfig.method`,
      `${f}-notes.yaml spec.applicationRefs.0.images.0.imageName`,
      `${f}-notes.yaml spec.writeBackConfig.method`,
    ]);
  });

  it("passes what synth renders", () => {
    const { files, session } = renderComponents({}, [], SERVICES);
    const out = [...files.entries()].map(([path, content]) => ({ path, content, owner: "test" }));
    expect([...policy.check(buildCheckInput(out, session.apps))]).toEqual([]);
  });
});
