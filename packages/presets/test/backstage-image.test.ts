import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { tool } from "../../core/test/helpers/tools.js";
import { BASE_IMAGES } from "../src/models/images.js";
import { ACTION_PINS } from "../src/models/workflow.js";
import { expectValidWorkflow } from "./helpers/project.js";

/*
 * The platform's Backstage app image (images/backstage, ADR 0019): its workflow is checked as the
 * presets' workflows are (GitHub's workflow schema, the real actionlint), and both it and the
 * Dockerfile use the pins this package keeps with their provenance (actions by commit, the Node
 * base image by digest), so one bump moves them all.
 */

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const WORKFLOW = ".github/workflows/backstage-image.yml";
const text = readFileSync(`${ROOT}${WORKFLOW}`, "utf8");
const workflow = parse(text);
const dockerfile = readFileSync(`${ROOT}images/backstage/Dockerfile`, "utf8");

describe("the Backstage app image", () => {
  it("has a workflow valid against the GitHub workflow schema that passes actionlint", () => {
    expectValidWorkflow(workflow);
    const run = spawnSync(tool("actionlint"), ["-no-color", "-shellcheck=", "-pyflakes=", WORKFLOW], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });

  it("pins every action by the commit ACTION_PINS holds, with its release tag as a comment", () => {
    const uses = text.split("\n").filter((l) => /^\s*(- )?uses:/.test(l));
    expect(uses).toHaveLength(5);
    for (const line of uses) {
      const [, repo, sha, version] = /uses: (\S+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$/.exec(line) ?? [];
      expect(Object.values(ACTION_PINS), line).toContainEqual({ repo, sha, version });
    }
  });

  it("pushes to GHCR only outside pull requests, tagged with the app's version", () => {
    const steps = workflow.jobs.image.steps as Record<string, any>[];
    const build = steps.find((s) => String(s.uses).startsWith("docker/build-push-action@"));
    expect(build?.with.push).toBe("${{ github.event_name != 'pull_request' }}");
    expect(build?.with.context).toBe("images/backstage");
    expect(workflow.jobs.image.permissions).toEqual({ contents: "read", packages: "write" });
    const version = JSON.parse(readFileSync(`${ROOT}images/backstage/package.json`, "utf8")).version;
    // The component's default tag is the version this workflow publishes.
    expect(version).toBe("0.1.0");
  });

  it("builds from the Node base image pinned by digest, and runs as the chart expects", () => {
    const froms = dockerfile.split("\n").filter((l) => l.startsWith("FROM "));
    expect(froms.length).toBe(3);
    for (const from of froms) expect(from.split(" ")[1]).toBe(BASE_IMAGES.node24Slim);
    // The web app is built in its own stage and served by the backend as package `app`.
    expect(dockerfile).toContain("COPY --from=app /build/dist ./packages/app/dist");
    expect(dockerfile).toContain("RUN ln -s ../packages/app node_modules/app");
    expect(dockerfile).toContain("USER node");
    expect(dockerfile).toContain('CMD ["node", "packages/backend"]');
    expect(dockerfile).toContain("WORKDIR /app");
  });
});
