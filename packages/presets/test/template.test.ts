import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SlipwayError } from "@slipway/core";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { exportTemplate } from "../src/template/index.js";
import { templateFiles } from "../src/template/template.js";
import { expectValidWorkflow } from "./helpers/project.js";

const work = mkdtempSync(join(tmpdir(), "slipway-template-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const file = (path: string) => {
  const f = templateFiles().find((x) => x.path === path);
  if (f === undefined) throw new Error(`no ${path}`);
  return f.content;
};

describe("service template", () => {
  it("has the seed's files, deterministically", () => {
    const paths = templateFiles().map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        ".github/dependabot.yml",
        ".github/workflows/ci.yaml",
        "README.md",
        "deploy/argocd/application.yaml",
        "deploy/argocd/imageupdater.yaml",
        "deploy/services/my-service.yaml",
        "deploy/k8s/kustomization.yaml",
      ]),
    );
    expect(templateFiles()).toEqual(templateFiles());
  });

  it("has a workflow valid against the GitHub schema that names the image after the repository, lowercased", () => {
    const workflow = parse(file(".github/workflows/ci.yaml"));
    expectValidWorkflow(workflow);
    const steps = workflow.jobs.image.steps as { id?: string; uses?: string; env?: any; with?: any }[];
    const build = steps.find((s) => s.uses?.startsWith("docker/build-push"));
    // GHCR refuses `MyOrg/…`: a step lowercases the repository (ci-template.test.ts runs it).
    expect(steps.find((s) => s.id === "image")?.env.IMAGE).toBe("ghcr.io/${{ github.repository }}");
    expect(build?.with.tags).toBe("${{ steps.image.outputs.name }}:sha-${{ github.sha }}");
    expect(workflow.jobs.image.permissions).toEqual({ contents: "read", packages: "write" });
  });

  it("shows what core renders for a service: Application and ImageUpdater", () => {
    const application = parse(file("deploy/argocd/application.yaml"));
    expect(application.kind).toBe("Application");
    expect(application.metadata.name).toBe("my-service");
    const updater = parse(file("deploy/argocd/imageupdater.yaml"));
    expect(updater.kind).toBe("ImageUpdater");
    expect(updater.spec.applicationRefs[0].images[0].commonUpdateSettings.allowTags).toBe(
      "regexp:^sha-[0-9a-f]{7,40}$",
    );
  });

  it("refuses a non-empty directory unless forced", () => {
    const out = join(work, "busy");
    mkdirSync(out);
    writeFileSync(join(out, "keep.txt"), "mine\n");
    let code = "";
    try {
      exportTemplate(out);
    } catch (e) {
      code = (e as SlipwayError).diagnostics[0]?.code ?? "";
    }
    expect(code).toBe("SW_TEMPLATE_OUT_NOT_EMPTY");
    expect(readdirSync(out)).toEqual(["keep.txt"]);
    const result = exportTemplate(out, { force: true });
    expect(readFileSync(join(out, "keep.txt"), "utf8")).toBe("mine\n");
    expect(result.files.length).toBe(templateFiles().length);
    expect(readFileSync(join(out, "README.md"), "utf8")).toBe(file("README.md"));
  });
});
