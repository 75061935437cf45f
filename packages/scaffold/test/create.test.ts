import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formPoster, server } from "./helpers.js";

const EXAMPLE = join(import.meta.dirname, "../../../examples/homelab");
const work = mkdtempSync(join(tmpdir(), "scaffold-create-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const git = (args: readonly string[]) =>
  execFileSync("git", args, { encoding: "utf8", env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } }).trim();

let seq = 0;
function setup(): { platform: string; remotes: string } {
  const root = join(work, `run-${++seq}`);
  const platform = join(root, "platform");
  const remotes = join(root, "remotes");
  cpSync(EXAMPLE, platform, { recursive: true });
  mkdirSync(remotes, { recursive: true });
  return { platform, remotes };
}

describe("Create repository (onboard over HTTP)", () => {
  it("pushes the first commit to a local bare repository and registers the service", async () => {
    const { platform, remotes } = setup();
    git(["init", "-q", "--bare", "-b", "main", join(remotes, "orders.git")]);
    const app = await server({ platformConfig: platform, pushTarget: join(remotes, "{name}.git") });
    const post = await formPoster(app);
    const fields = { preset: "node-service", name: "orders", owner: "octocat" };
    const res = await post("/create", fields);
    expect(res.statusCode).toBe(201);
    expect(
      git(["--git-dir", join(remotes, "orders.git"), "ls-tree", "--name-only", "main"]).split("\n"),
    ).toContain("package.json");
    expect(existsSync(join(platform, "services/orders.yaml"))).toBe(true);

    const again = await post("/create", fields);
    expect(again.statusCode).toBe(200);
  });

  it("lets the server prepare the push target first (serve --dev's local bare repositories)", async () => {
    const { platform, remotes } = setup();
    const prepared: string[] = [];
    const app = await server({
      platformConfig: platform,
      pushTarget: join(remotes, "{name}.git"),
      preparePushTarget: (url) => {
        prepared.push(url);
        git(["init", "-q", "--bare", "-b", "main", url]);
      },
    });
    const post = await formPoster(app);
    const res = await post("/create", { preset: "static-frontend", name: "site", owner: "octocat" });
    expect(res.statusCode).toBe(201);
    expect(prepared).toEqual([join(remotes, "site.git")]);
    expect(git(["--git-dir", join(remotes, "site.git"), "rev-parse", "--verify", "main"])).toMatch(
      /^[0-9a-f]{40}$/,
    );
  });

  it("shows the engine's refusal on the form, values kept", async () => {
    const { platform, remotes } = setup();
    // No bare repository at the target: the push is refused before anything is written.
    const app = await server({ platformConfig: platform, pushTarget: join(remotes, "{name}.git") });
    const post = await formPoster(app);
    const res = await post("/create", { preset: "node-service", name: "ghost", owner: "octocat" });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.body).toContain('role="alert"');
    expect(res.body).toContain('value="ghost"');
    expect(existsSync(join(platform, "services/ghost.yaml"))).toBe(false);
  });

  it("the form offers the button only when configured", async () => {
    const { platform, remotes } = setup();
    const on = await server({ platformConfig: platform, pushTarget: join(remotes, "{name}.git") });
    expect((await on.inject({ url: "/", headers: { accept: "text/html" } })).body).toContain(
      'formaction="/create"',
    );
    const off = await server();
    expect((await off.inject({ url: "/", headers: { accept: "text/html" } })).body).not.toContain(
      'formaction="/create"',
    );
  });
});
