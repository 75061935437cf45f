import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseDocument } from "yaml";
import { type OnboardOptions, onboard } from "../src/index.js";
import { codesOf, EXAMPLE, treeHash } from "./helpers/onboard.js";

const work = mkdtempSync(join(tmpdir(), "slipway-onboard-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let seq = 0;
/** A fresh copy of the example platform (with its ownership record). */
function platformCopy(): string {
  const dir = join(work, `platform-${++seq}`);
  cpSync(EXAMPLE, dir, { recursive: true });
  return dir;
}

/** Sets values in the copy's platform.yaml, as data (the example platform changes under us). */
function setPlatform(dir: string, values: readonly [readonly string[], unknown][]): void {
  const file = join(dir, "platform.yaml");
  const doc = parseDocument(readFileSync(file, "utf8"));
  for (const [path, value] of values) doc.setIn(path, value);
  writeFileSync(file, doc.toString());
}

function git(args: readonly string[], cwd?: string): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
  });
}

function bareRemote(): string {
  const dir = join(work, `remote-${++seq}.git`);
  git(["init", "-q", "--bare", "-b", "main", dir]);
  return dir;
}

/** A bare remote that already has a commit on main (a repository created with a README). */
function nonEmptyRemote(): string {
  const remote = bareRemote();
  const src = join(work, `seed-${++seq}`);
  mkdirSync(src);
  writeFileSync(join(src, "README.md"), "# existing\n");
  git(["init", "-q", "-b", "main"], src);
  git(["add", "."], src);
  git(["-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-q", "-m", "init"], src);
  git(["push", "-q", remote, "main"], src);
  return remote;
}

/** Hash of everything under `dir` (paths, modes, contents, symlink targets), or "absent". */
interface Case {
  readonly title: string;
  readonly code: string;
  /** Builds the options against a fresh platform copy; may prepare the directories it names. */
  readonly options: (ctx: { platform: string; remote: string; scratch: string }) => Partial<OnboardOptions>;
}

const CASES: readonly Case[] = [
  { title: "uppercase name", code: "SW_PRESET_INVALID_NAME", options: () => ({ name: "Demo" }) },
  { title: "name starting with a digit", code: "SW_PRESET_INVALID_NAME", options: () => ({ name: "1demo" }) },
  {
    title: "name of 64 characters",
    code: "SW_PRESET_INVALID_NAME",
    options: () => ({ name: `a${"b".repeat(63)}` }),
  },
  { title: "underscore in the name", code: "SW_PRESET_INVALID_NAME", options: () => ({ name: "my_svc" }) },
  { title: "trailing hyphen", code: "SW_PRESET_INVALID_NAME", options: () => ({ name: "demo-" }) },
  { title: "empty name", code: "SW_PRESET_INVALID_NAME", options: () => ({ name: "" }) },
  { title: "taken name (blog)", code: "SW_NEW_SERVICE_EXISTS", options: () => ({ name: "blog" }) },
  {
    title: "taken name, other preset (notes)",
    code: "SW_NEW_SERVICE_EXISTS",
    options: () => ({ name: "notes", presetId: "static-frontend" }),
  },
  {
    title: "subdomain taken by a service (status-api routes status.)",
    code: "SW_SPEC_DUPLICATE_SUBDOMAIN",
    options: () => ({ name: "status" }),
  },
  {
    title: "subdomain taken by a component (Argo CD UI at cd.)",
    code: "SW_NEW_SUBDOMAIN_TAKEN",
    options: ({ platform }) => {
      setPlatform(platform, [[["spec", "components", "argocd", "hostname", "subdomain"], "cd"]]);
      return { name: "cd" };
    },
  },
  {
    title: "reserved namespace (vault)",
    code: "SW_SPEC_RESERVED_NAMESPACE",
    options: () => ({ name: "vault" }),
  },
  {
    title: "reserved namespace (kube-system)",
    code: "SW_SPEC_RESERVED_NAMESPACE",
    options: () => ({ name: "kube-system" }),
  },
  { title: "unknown preset", code: "SW_PRESET_NOT_FOUND", options: () => ({ presetId: "rails-app" }) },
  {
    title: "unknown parameter",
    code: "SW_PRESET_UNKNOWN_PARAMETER",
    options: () => ({ parameters: { colour: "red" } }),
  },
  {
    title: "port below 1024",
    code: "SW_PRESET_INVALID_PARAMETER",
    options: () => ({ parameters: { port: "80" } }),
  },
  {
    title: "bad owner",
    code: "SW_PRESET_INVALID_OWNER",
    options: () => ({ parameters: { owner: "-nope-" } }),
  },
  {
    title: "name also given as a different parameter",
    code: "SW_NEW_NAME_PARAMETER",
    options: () => ({ parameters: { name: "other" } }),
  },
  {
    title: "preset needing a disabled capability (OIDC without identity)",
    code: "SW_SPEC_CAPABILITY_DISABLED",
    options: ({ platform }) => {
      setPlatform(platform, [[["spec", "components", "identity", "enabled"], false]]);
      return { presetId: "spring-boot-postgres-oidc" };
    },
  },
  {
    title: "push URL with no repository",
    code: "SW_NEW_GIT_NOT_A_REPOSITORY",
    options: ({ scratch }) => ({ pushUrl: join(scratch, "missing.git"), repoOut: undefined }),
  },
  {
    title: "push URL that is a directory but not a repository",
    code: "SW_NEW_GIT_NOT_A_REPOSITORY",
    options: ({ scratch }) => {
      mkdirSync(join(scratch, "plain"));
      return { pushUrl: `file://${join(scratch, "plain")}`, repoOut: undefined };
    },
  },
  {
    title: "unreachable push URL (nothing listening)",
    code: "SW_NEW_GIT_UNREACHABLE",
    options: () => ({ pushUrl: "http://127.0.0.1:9/nothing.git", repoOut: undefined }),
  },
  {
    // The remote hides main from readers, as if it were pushed between slipway's look and its push.
    title: "push rejected as non-fast-forward (someone pushed main since slipway looked)",
    code: "SW_NEW_GIT_PUSH_REJECTED",
    options: () => {
      const moved = nonEmptyRemote();
      git(["config", "uploadpack.hideRefs", "refs/heads/main"], moved);
      return { pushUrl: moved, repoOut: undefined };
    },
  },
  {
    title: "non-empty remote",
    code: "SW_NEW_REMOTE_NOT_EMPTY",
    options: () => ({ pushUrl: nonEmptyRemote(), repoOut: undefined }),
  },
  {
    title: "both a directory and a remote",
    code: "SW_NEW_TARGET_CONFLICT",
    options: ({ remote, scratch }) => ({ pushUrl: remote, repoOut: join(scratch, "out") }),
  },
  {
    title: "non-empty repo-out directory",
    code: "SW_NEW_REPO_OUT_NOT_EMPTY",
    options: ({ scratch }) => {
      mkdirSync(join(scratch, "busy"));
      writeFileSync(join(scratch, "busy", "notes.txt"), "mine\n");
      return { repoOut: join(scratch, "busy") };
    },
  },
  {
    title: "repo-out is a file",
    code: "SW_NEW_REPO_OUT_NOT_DIR",
    options: ({ scratch }) => {
      writeFileSync(join(scratch, "file"), "x\n");
      return { repoOut: join(scratch, "file") };
    },
  },
  {
    title: "a commit identity git would rewrite",
    code: "SW_NEW_COMMIT_IDENTITY",
    options: () => ({ commit: { name: "Eve <eve@example.test>" } }),
  },
  {
    title: "a rendered file the onboarding changes was edited by hand",
    code: "SW_WRITE_EDITED",
    options: ({ platform }) => {
      const f = join(platform, "argocd/projects/workloads.yaml");
      writeFileSync(f, `${readFileSync(f, "utf8")}# edited\n`);
      return {};
    },
  },
];

describe("onboard: bad input leaves both repositories unchanged", () => {
  it("has at least 20 cases", () => expect(CASES.length).toBeGreaterThanOrEqual(20));

  for (const c of CASES) {
    it(`${c.title} → ${c.code}`, () => {
      const platform = platformCopy();
      const remote = bareRemote();
      const scratch = join(work, `scratch-${++seq}`);
      mkdirSync(scratch);
      const partial = c.options({ platform, remote, scratch });
      const opts: OnboardOptions = {
        platformConfig: join(platform, "platform.yaml"),
        name: "demo",
        presetId: "node-service",
        repoOut: join(scratch, "repo"),
        ...partial,
      };
      const pushed = opts.pushUrl !== undefined && existsSync(opts.pushUrl) ? opts.pushUrl : remote;
      const before = [treeHash(platform), treeHash(pushed), treeHash(scratch), git(["for-each-ref"], pushed)];
      expect(codesOf(() => onboard(opts))).toContain(c.code);
      const after = [treeHash(platform), treeHash(pushed), treeHash(scratch), git(["for-each-ref"], pushed)];
      expect(after).toEqual(before);
    });
  }
});

describe("onboard: the happy path", () => {
  let platform: string;
  let remote: string;
  let first: ReturnType<typeof onboard>;
  beforeAll(() => {
    platform = platformCopy();
    remote = bareRemote();
  });

  it("a dry run plans every change and writes nothing", () => {
    const before = [treeHash(platform), treeHash(remote)];
    const plan = onboard({
      platformConfig: platform,
      name: "demo",
      presetId: "node-service",
      pushUrl: remote,
      dryRun: true,
    });
    expect([treeHash(platform), treeHash(remote)]).toEqual(before);
    expect(plan.written).toBe(false);
    const paths = plan.platform.changes.map((c) => c.path);
    expect(paths[0]).toBe("services/demo.yaml");
    expect(paths).toEqual(
      expect.arrayContaining([
        "argocd/applications/demo.yaml",
        "k8s/helm/manifests/demo/deployment-demo.yaml",
        "k8s/helm/manifests/demo/service-demo.yaml",
        "k8s/helm/manifests/demo/httproute-demo.yaml",
        "k8s/helm/manifests/demo/kustomization.yaml",
        "k8s/helm/manifests/argocd-image-updater/imageupdater-demo.yaml",
      ]),
    );
    for (const c of plan.platform.changes) expect(c.diff).toMatch(/^--- (a\/|\/dev\/null)/);
    expect(plan.steps.map((s) => s.id)).toEqual(expect.arrayContaining(["merge", "terraform-apply"]));
    first = plan;
  });

  it("pushes the first commit and registers the service with the tag of that commit", () => {
    const plan = onboard({
      platformConfig: platform,
      name: "demo",
      presetId: "node-service",
      pushUrl: remote,
    });
    expect(plan.written).toBe(true);
    // The dry run showed exactly what was done.
    expect(plan.repository.commit).toBe(first.repository.commit);
    expect(plan.platform.changes).toEqual(first.platform.changes);
    expect(git(["rev-parse", "refs/heads/main"], remote).trim()).toBe(plan.repository.commit);
    expect(git(["rev-list", "--count", "main"], remote).trim()).toBe("1");
    const files = git(["ls-tree", "-r", "--name-only", "main"], remote).trim().split("\n");
    expect(files).toEqual(plan.repository.files.map((f) => f.path));

    const service = parse(readFileSync(join(platform, "services/demo.yaml"), "utf8"));
    expect(service.spec.image).toBe(`ghcr.io/meirongdev/demo:sha-${plan.repository.commit}`);
    expect(readFileSync(join(platform, "services/demo.yaml"), "utf8")).toMatch(
      /^# yaml-language-server: \$schema=/,
    );
    const updater = parse(
      readFileSync(join(platform, "k8s/helm/manifests/argocd-image-updater/imageupdater-demo.yaml"), "utf8"),
    );
    expect(updater.kind).toBe("ImageUpdater");
    expect(updater.spec.applicationRefs[0].images[0].imageName).toBe(service.spec.image);
    const route = parse(readFileSync(join(platform, "k8s/helm/manifests/demo/httproute-demo.yaml"), "utf8"));
    expect(route.spec.hostnames).toEqual(["demo.meirong.dev"]);
    const owned = JSON.parse(readFileSync(join(platform, ".slipway/owned.json"), "utf8"));
    expect(JSON.stringify(owned)).toContain("k8s/helm/manifests/demo/deployment-demo.yaml");
    expect(JSON.stringify(owned)).not.toContain("services/demo.yaml");
  });

  it("a second run changes nothing", () => {
    const before = [treeHash(platform), treeHash(remote)];
    const plan = onboard({
      platformConfig: platform,
      name: "demo",
      presetId: "node-service",
      pushUrl: remote,
    });
    expect(plan.noop).toBe(true);
    expect(plan.written).toBe(false);
    expect(plan.platform.changes).toEqual([]);
    expect([treeHash(platform), treeHash(remote)]).toEqual(before);
  });

  it("the same name with other parameters is a conflict, not an overwrite", () => {
    const before = treeHash(platform);
    expect(
      codesOf(() =>
        onboard({
          platformConfig: platform,
          name: "demo",
          presetId: "node-service",
          pushUrl: remote,
          parameters: { port: 9000 },
        }),
      ),
    ).toEqual(["SW_NEW_SERVICE_EXISTS"]);
    expect(treeHash(platform)).toBe(before);
  });

  it("writes a repository directory whose HEAD is the pinned commit, and reruns as a no-op", () => {
    const p = platformCopy();
    const out = join(work, `out-${++seq}`, "site");
    const plan = onboard({ platformConfig: p, name: "site", presetId: "static-frontend", repoOut: out });
    expect(git(["rev-parse", "HEAD"], out).trim()).toBe(plan.repository.commit);
    expect(git(["status", "--porcelain"], out)).toBe("");
    expect(plan.steps[0]?.id).toBe("push-repository");
    const again = onboard({ platformConfig: p, name: "site", presetId: "static-frontend", repoOut: out });
    expect(again.noop).toBe(true);
  });

  it("tells changes a plain synth would make apart from the service's own", () => {
    const p = platformCopy();
    const blog = join(p, "services/blog.yaml");
    writeFileSync(blog, readFileSync(blog, "utf8").replace("replicas: 1", "replicas: 2"));
    const plan = onboard({ platformConfig: p, name: "demo", presetId: "node-service", dryRun: true });
    expect(plan.platform.staleBefore).toContain("k8s/helm/manifests/blog/deployment-blog.yaml");
    expect(plan.platform.staleBefore).not.toContain("k8s/helm/manifests/demo/deployment-demo.yaml");
  });

  it("every preset onboards (where the platform has its capabilities)", () => {
    const p = platformCopy();
    // spring-boot-postgres-oidc needs identity (and a database).
    setPlatform(p, [
      [["spec", "components", "identity", "enabled"], true],
      [["spec", "components", "postgres", "enabled"], true],
    ]);
    for (const [name, presetId] of [
      ["pg-app", "spring-boot-postgres-oidc"],
      ["micro", "spring-boot-microservice"],
      ["web", "static-frontend"],
      ["api", "node-service"],
    ] as const) {
      const plan = onboard({ platformConfig: p, name, presetId, repoOut: join(work, `each-${++seq}`) });
      expect(plan.written).toBe(true);
      const dbStep = plan.steps.find((s) => s.id === "vault-database-secret");
      if (presetId !== "spring-boot-postgres-oidc") expect(dbStep).toBeUndefined();
      if (presetId === "spring-boot-postgres-oidc") {
        expect(plan.steps.map((s) => s.id)).toContain("vault-database-secret");
        // The database core's plan names for the service (dashes become underscores).
        expect(dbStep?.commands[0]).toMatch(/^vault kv put kv\/postgres\/pg_app username=pg_app /);
        const spec = parse(readFileSync(join(p, `services/${name}.yaml`), "utf8")).spec;
        expect(spec.auth).toBe("oidc");
        expect(spec.database).toEqual({});
      }
    }
  });
});
