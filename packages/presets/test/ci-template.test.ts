import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { tool } from "../../core/test/helpers/tools.js";
import { ACTION_PINS } from "../src/models/workflow.js";
import { templateFiles } from "../src/template/template.js";
import { expectValidWorkflow, fileOf, generateSample, SAMPLE_REQUESTS } from "./helpers/project.js";

/*
 * The CI files every preset (and the service template) generates: the workflow, checked by the
 * GitHub workflow schema and by actionlint (tools/actionlint), the Dockerfile and Dependabot config.
 */

interface Rendered {
  readonly label: string;
  readonly workflow: string;
  readonly dockerfile?: string;
  readonly dependabot: string;
}

const RENDERED: readonly Rendered[] = [
  ...SAMPLE_REQUESTS.map(([id, request]): Rendered => {
    const files = generateSample(id, request);
    const dockerfile = files.find((f) => f.path === "Dockerfile")?.content;
    return {
      label: `${id} ${String(request.name)}`,
      workflow: fileOf(files, ".github/workflows/ci.yaml"),
      ...(dockerfile === undefined ? {} : { dockerfile }),
      dependabot: fileOf(files, ".github/dependabot.yml"),
    };
  }),
  {
    label: "service-template",
    workflow: fileOf(templateFiles(), ".github/workflows/ci.yaml"),
    dependabot: fileOf(templateFiles(), ".github/dependabot.yml"),
  },
];

const work = mkdtempSync(join(tmpdir(), "slipway-ci-template-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ON_MAIN = { event: "push", ref: "refs/heads/main", sha: "a".repeat(40) };
const ON_PR = { event: "pull_request", ref: "refs/pull/7/merge", sha: "b".repeat(40) };

/** Evaluates the few `${{ … }}` shapes the workflows use, for one event: enough to read them as GitHub would. */
function evaluate(expr: string, ctx: typeof ON_MAIN): string {
  return expr.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_m, body: string) => {
    const js = body
      .replace(/github\.event_name/g, JSON.stringify(ctx.event))
      .replace(/github\.ref/g, JSON.stringify(ctx.ref))
      .replace(/github\.sha/g, JSON.stringify(ctx.sha))
      .replace(/github\.workflow/g, JSON.stringify("CI"))
      .replace(/'([^']*)'/g, (_q, s: string) => JSON.stringify(s));
    if (!/^[\s"a-zA-Z0-9/,._=&|()!-]*$/.test(js)) throw new Error(`cannot evaluate ${body}`);
    return String(new Function(`return (${js});`)());
  });
}

describe.each(RENDERED.map((r) => [r.label, r] as const))("CI of %s", (_label, r) => {
  const workflow = parse(r.workflow);
  const image = workflow.jobs.image;
  const step = (prefix: string) =>
    image.steps.find((s: { uses?: string }) => s.uses?.startsWith(prefix)) as Record<string, any>;

  it("is valid against the GitHub workflow schema and passes actionlint", () => {
    expectValidWorkflow(workflow);
    const dir = join(work, r.label.replace(/\W+/g, "-"), ".github/workflows");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "ci.yaml"), r.workflow);
    const run = spawnSync(tool("actionlint"), ["-no-color", "-shellcheck=", "-pyflakes=", "ci.yaml"], {
      cwd: dir,
      encoding: "utf8",
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });

  it("pins every action by full commit SHA with its release tag as a comment", () => {
    const uses = r.workflow.split("\n").filter((l) => /^\s*(- )?uses:/.test(l));
    expect(uses.length).toBeGreaterThanOrEqual(6);
    for (const line of uses) {
      expect(line).toMatch(/^\s*(- )?uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
      const [, repo, sha, version] = /uses: (\S+)@(\S+) # (\S+)$/.exec(line) ?? [];
      expect(Object.values(ACTION_PINS)).toContainEqual({ repo, sha, version });
    }
  });

  it("cancels superseded runs of a pull request, never runs on main", () => {
    const group = (ctx: typeof ON_MAIN) => evaluate(workflow.concurrency.group, ctx);
    const cancels = (ctx: typeof ON_MAIN) =>
      evaluate(String(workflow.concurrency["cancel-in-progress"]), ctx);
    expect(cancels(ON_PR)).toBe("true");
    expect(cancels(ON_MAIN)).toBe("false");
    // Two pushes of one pull request share a group (the newer cancels the older)…
    expect(group({ ...ON_PR, sha: "c".repeat(40) })).toBe(group(ON_PR));
    // …two pushes to main never do: GitHub would cancel a pending run of the same group.
    expect(group({ ...ON_MAIN, sha: "d".repeat(40) })).not.toBe(group(ON_MAIN));
  });

  it("builds linux/amd64 and linux/arm64 on main (QEMU), amd64 only for pull requests, pushes on main only", () => {
    const build = step("docker/build-push-action");
    const qemu = step("docker/setup-qemu-action");
    expect(evaluate(build.with.platforms, ON_MAIN)).toBe("linux/amd64,linux/arm64");
    expect(evaluate(build.with.platforms, ON_PR)).toBe("linux/amd64");
    expect(evaluate(`\${{ ${qemu.if} }}`, ON_MAIN)).toBe("true");
    expect(evaluate(build.with.push, ON_MAIN)).toBe("true");
    expect(evaluate(build.with.push, ON_PR)).toBe("false");
    const order = image.steps.map((s: { uses?: string }) => s.uses?.split("@")[0]);
    expect(order.indexOf("docker/setup-qemu-action")).toBeLessThan(
      order.indexOf("docker/setup-buildx-action"),
    );
  });

  it("pins every FROM by digest", () => {
    if (r.dockerfile === undefined) return;
    const froms = r.dockerfile.split("\n").filter((l) => l.startsWith("FROM "));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const line of froms)
      expect(line).toMatch(/^FROM [a-z0-9./-]+:[\w.-]+@sha256:[0-9a-f]{64}( AS \w+)?$/);
  });

  it("has Dependabot bump the pinned actions and base images weekly", () => {
    const config = parse(r.dependabot);
    expect(config.version).toBe(2);
    const ecosystems = config.updates.map((u: { "package-ecosystem": string }) => u["package-ecosystem"]);
    expect(ecosystems).toContain("github-actions");
    if (r.dockerfile !== undefined) expect(ecosystems).toContain("docker");
    for (const u of config.updates)
      expect(u).toMatchObject({ directory: "/", schedule: { interval: "weekly" } });
  });
});

describe("the template's image name", () => {
  const workflow = parse(fileOf(templateFiles(), ".github/workflows/ci.yaml"));
  const steps = workflow.jobs.image.steps as Record<string, any>[];

  it("is the repository lowercased, for an owner with capitals (GHCR refuses uppercase)", () => {
    const naming = steps.find((s) => s.id === "image");
    expect(naming?.env.IMAGE).toBe("ghcr.io/${{ github.repository }}");
    // Run the step's script as the runner would (bash), for the repository MyOrg/My-Service.
    const output = join(work, "github-output");
    writeFileSync(output, "");
    const run = spawnSync("bash", ["-e", "-c", naming?.run], {
      env: { PATH: process.env.PATH, IMAGE: "ghcr.io/MyOrg/My-Service", GITHUB_OUTPUT: output },
      encoding: "utf8",
    });
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(output, "utf8")).toBe("name=ghcr.io/myorg/my-service\n");
    const build = steps.find((s) => s.uses?.startsWith("docker/build-push-action"));
    expect(build?.with.tags).toBe("${{ steps.image.outputs.name }}:sha-${{ github.sha }}");
    expect(steps.indexOf(naming as Record<string, any>)).toBeLessThan(
      steps.indexOf(build as Record<string, any>),
    );
  });

  it("needs no such step in a generated project, whose image is lowercase already", () => {
    const files = generateSample("node-service", { name: "api", owner: "MyOrg" });
    const generated = parse(fileOf(files, ".github/workflows/ci.yaml"));
    const build = generated.jobs.image.steps.find((s: { uses?: string }) =>
      s.uses?.startsWith("docker/build"),
    );
    expect(build.with.tags).toBe("ghcr.io/myorg/api:sha-${{ github.sha }}");
  });
});
