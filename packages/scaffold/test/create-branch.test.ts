import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type GitHttpServer,
  gitHttpAvailable,
  startGitHttpServer,
} from "../../onboarding/test/helpers/git-http-server.js";
import { pushOptions } from "../src/start.js";
import { formPoster, logSink, server } from "./helpers.js";

const EXAMPLE = join(import.meta.dirname, "../../../examples/homelab");
const TOKEN = "scaffold-test-token-9f3c";

const git = (args: readonly string[], dir: string) =>
  execFileSync("git", args, {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
  }).trim();

let http: GitHttpServer;
beforeAll(async () => {
  if (gitHttpAvailable) http = await startGitHttpServer(TOKEN);
});
afterAll(() => http?.close());

describe("serve's Create repository configuration", () => {
  it("reads the platform remote, push target and token from the environment", () => {
    const env = {
      SCAFFOLD_PLATFORM_REPO: "https://github.com/o/homelab.git",
      SCAFFOLD_PUSH_TARGET: "https://github.com/o/{name}.git",
      SCAFFOLD_GIT_TOKEN: "t0k",
    };
    expect(pushOptions({ port: 1, host: "h", dev: false }, env)).toEqual({
      platformRepo: "https://github.com/o/homelab.git",
      pushTarget: "https://github.com/o/{name}.git",
      gitToken: "t0k",
    });
    expect(
      pushOptions(
        { port: 1, host: "h", dev: false, platformRepo: "https://x/p.git", pushTarget: "u/{name}" },
        {},
      ),
    ).toEqual({ platformRepo: "https://x/p.git", pushTarget: "u/{name}" });
    expect(pushOptions({ port: 1, host: "h", dev: false }, {})).toEqual({});
  });
});

describe.skipIf(!gitHttpAvailable)("Create repository on a platform branch (smart HTTP, token)", () => {
  it("pushes the repository and a branch with the registration; the page links both", async () => {
    const platform = http.seeded("homelab.git", EXAMPLE);
    const main = git(["rev-parse", "main"], platform);
    const { logger, lines } = logSink();
    const app = await server({
      logger,
      platformRepo: `${http.base}/homelab.git`,
      pushTarget: `${http.base}/{name}.git`,
      preparePushTarget: (url) => {
        if (!existsSync(join(http.root, basename(url)))) http.bare(basename(url));
      },
      gitToken: TOKEN,
    });
    const post = await formPoster(app);
    const fields = { preset: "node-service", name: "orders", owner: "octocat" };
    const res = await post("/create", fields);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.body).toContain("Repository created");
    expect(res.body).toContain(`${http.base}/orders.git`);
    expect(res.body).toContain("<code>slipway/new-orders</code>");
    expect(res.body).toContain("ready to merge into <code>main</code>");
    expect(res.body).toContain("services/orders.yaml");

    const project = join(http.root, "orders.git");
    expect(git(["ls-tree", "--name-only", "main"], project).split("\n")).toContain("package.json");
    expect(git(["rev-parse", "main"], platform)).toBe(main);
    expect(git(["show", "slipway/new-orders:services/orders.yaml"], platform)).toContain(
      "ghcr.io/octocat/orders:sha-",
    );

    const again = await post("/create", fields);
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain("Repository already created");
    expect(lines.join("")).not.toContain(TOKEN);
  });

  it("a platform repository that cannot be reached is 503, the upstream's failure, not the form's", async () => {
    const app = await server({
      platformRepo: "http://127.0.0.1:9/homelab.git",
      pushTarget: `${http.base}/{name}.git`,
      preparePushTarget: (url) => http.bare(basename(url)),
    });
    const post = await formPoster(app);
    const res = await post("/create", { preset: "static-frontend", name: "offline", owner: "o" });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('role="alert"');
    expect(res.body).toContain("the remote cannot be reached");
    expect(git(["for-each-ref"], join(http.root, "offline.git"))).toBe("");
  });

  it("without the token the remote answers 401: the form shows the refusal, the log has no secret", async () => {
    http.seeded("locked.git", EXAMPLE);
    const { logger, lines } = logSink();
    const app = await server({
      logger,
      platformRepo: `${http.base}/locked.git`,
      pushTarget: `${http.base}/{name}.git`,
      preparePushTarget: (url) => http.bare(basename(url)),
      gitToken: "not-the-token",
    });
    const post = await formPoster(app);
    const res = await post("/create", { preset: "static-frontend", name: "site", owner: "o" });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('role="alert"');
    expect(res.body).toContain("cannot clone the platform repository");
    expect(res.body).not.toContain("not-the-token");
    expect(lines.join("")).toContain("SW_NEW_GIT_AUTH_REFUSED");
    expect(lines.join("")).not.toContain("not-the-token");
    expect(git(["for-each-ref"], join(http.root, "site.git"))).toBe("");
  });
});
