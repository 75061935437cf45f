import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formPoster, server, unzipWithModes } from "./helpers.js";

const HTML = { accept: "text/html" };
const EXAMPLE = join(import.meta.dirname, "../../../examples/homelab");
const work = mkdtempSync(join(tmpdir(), "scaffold-ui-form-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The `value` of the input with this id, as the page renders it. */
function inputValue(body: string, id: string): string | undefined {
  const tag = new RegExp(`<input[^>]*id="${id}"[^>]*>`).exec(body)?.[0];
  return tag === undefined ? undefined : (/ value="([^"]*)"/.exec(tag)?.[1] ?? "");
}

describe("the form posts exactly what it shows", () => {
  it("has one form: the checked preset radio is the preset, with no hidden preset field", async () => {
    const app = await server();
    const res = await app.inject({ url: "/?preset=node-service", headers: HTML });
    expect(res.body).not.toMatch(/<input type="hidden" name="preset"/);
    expect(res.body).toMatch(
      /<input type="radio" name="preset" id="preset-node-service" value="node-service" checked/,
    );
    // The radios and the parameters are in the form that Generate submits.
    const form = /<form method="post" action="\/generate"[\s\S]*?<\/form>/.exec(res.body)?.[0] ?? "";
    expect(form).toContain('name="preset"');
    expect(form).toContain('name="name"');
  });

  it("Generate with node-service chosen over a Spring form's fields gives the node-service ZIP", async () => {
    const post = await formPoster(await server());
    // What a browser without JavaScript posts after switching the radio on the Spring form.
    const res = await post("/generate", {
      preset: "node-service",
      name: "demo",
      owner: "octocat",
      groupId: "com.example",
      artifactId: "",
      packageName: "",
      javaVersion: "21",
      database: "postgres",
    });
    expect(res.statusCode).toBe(200);
    const files = unzipWithModes(res.rawPayload);
    expect(files.has("demo/package.json")).toBe(true);
    expect(files.has("demo/pom.xml")).toBe(false);
  });

  // Issue 14: the ZIP had no top-level folder; unzipped in Downloads it spilled its files there.
  it("Generate's ZIP unpacks into one folder named after the project", async () => {
    const post = await formPoster(await server());
    const res = await post("/generate", { preset: "static-frontend", name: "site", owner: "octocat" });
    expect(res.statusCode).toBe(200);
    const paths = [...unzipWithModes(res.rawPayload).keys()];
    expect(paths.length).toBeGreaterThan(3);
    expect(paths.filter((p) => !p.startsWith("site/"))).toEqual([]);
  });
});

describe("Explore's links", () => {
  it.each([
    ["static-frontend", "nginx.conf"],
    ["node-service", "package.json"],
    ["spring-boot-postgres-oidc", "pom.xml"],
  ])("carry only %s's fields, so its Download ZIP link is a valid API request", async (preset, file) => {
    const app = await server();
    // Every field the form posts, whichever preset they belong to (what a browser sends).
    const all = {
      preset,
      name: "demo",
      subdomain: "",
      owner: "octocat",
      auth: "oidc",
      database: "postgres",
      groupId: "com.example",
      artifactId: "",
      packageName: "",
      javaVersion: "21",
    };
    const res = await app.inject({ url: `/explore?${new URLSearchParams(all)}`, headers: HTML });
    expect(res.statusCode).toBe(200);
    const href = /<a class="button" href="([^"]+)" download>Download ZIP<\/a>/.exec(res.body)?.[1];
    expect(href).toBeDefined();
    const zip = await app.inject({ url: (href as string).replaceAll("&amp;", "&") });
    expect(zip.statusCode).toBe(200);
    expect(unzipWithModes(zip.rawPayload).has(`demo/${file}`)).toBe(true);
  });
});

describe("owner", () => {
  it("defaults to the server's default owner", async () => {
    const app = await server({ defaultOwner: "acme" });
    const res = await app.inject({ url: "/", headers: HTML });
    expect(inputValue(res.body, "f-owner")).toBe("acme");
  });

  it("defaults to the platform's GitHub owner from platform.yaml", async () => {
    const app = await server({ platformConfig: EXAMPLE });
    const res = await app.inject({ url: "/?preset=node-service", headers: HTML });
    expect(inputValue(res.body, "f-owner")).toBe("meirongdev");
    // A value the person typed wins.
    const typed = await app.inject({ url: "/?preset=node-service&owner=octocat", headers: HTML });
    expect(inputValue(typed.body, "f-owner")).toBe("octocat");
  });

  it("defaults to the owner in the platform repository's platform.yaml (serve --dev's local one)", async () => {
    const repo = join(work, "platform.git");
    const tree = join(work, "tree");
    mkdirSync(tree);
    const git = (args: string[], cwd: string) =>
      execFileSync("git", args, {
        cwd,
        stdio: "pipe",
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: "t",
          GIT_AUTHOR_EMAIL: "t@t",
          GIT_COMMITTER_NAME: "t",
          GIT_COMMITTER_EMAIL: "t@t",
        },
      });
    execFileSync("cp", ["-r", `${EXAMPLE}/.`, tree]);
    git(["init", "-q", "-b", "main"], tree);
    git(["add", "-A"], tree);
    git(["commit", "-q", "-m", "platform"], tree);
    git(["clone", "-q", "--bare", tree, repo], work);
    const app = await server({ platformRepo: repo, pushTarget: join(work, "{name}.git") });
    const res = await app.inject({ url: "/", headers: HTML });
    expect(inputValue(res.body, "f-owner")).toBe("meirongdev");
  });

  it("an emptied owner is an error next to the field, not a silent default", async () => {
    const post = await formPoster(await server({ defaultOwner: "acme" }));
    const res = await post("/generate", { preset: "node-service", name: "demo", owner: "" });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('id="f-owner-error"');
  });
});

describe("subdomain, auth and database", () => {
  const fieldsOf = async (preset: string) => {
    const app = await server();
    const body = (await app.inject({ url: `/?preset=${preset}`, headers: HTML })).body;
    return body;
  };

  it("are fields, each shown only for the presets that offer it", async () => {
    const body = await fieldsOf("node-service");
    for (const f of ["subdomain", "auth", "database"])
      expect(body).toMatch(new RegExp(`id="f-${f}" name="${f}"`));
    // The wrapper of each field names the presets it is shown for.
    const wrapper = (f: string) =>
      new RegExp(`<div class="field([^"]*)" data-field="${f}"`).exec(body)?.[1] ?? "";
    expect(wrapper("subdomain")).not.toContain("only");
    expect(wrapper("auth")).toContain("only");
    expect(wrapper("auth")).toContain("for-node-service");
    expect(wrapper("auth")).toContain("for-spring-boot-postgres-oidc");
    expect(wrapper("auth")).not.toContain("for-static-frontend");
    expect(wrapper("database")).toContain("for-spring-boot-postgres-oidc");
    expect(wrapper("database")).not.toContain("for-node-service");
    expect(wrapper("groupId")).toContain("for-spring-boot-microservice");
    expect(wrapper("groupId")).not.toContain("for-node-service");
  });

  it("the stylesheet hides a field that the checked preset does not offer", async () => {
    const app = await server();
    const css = (await app.inject({ url: "/static/app.css" })).body;
    expect(css).toContain("#preset-node-service:checked");
    expect(css).toMatch(
      /:has\(#preset-node-service:checked\) \.only:not\(\.for-node-service\)\{display:none\}/,
    );
  });

  it("subdomain names the service, as in the API", async () => {
    const post = await formPoster(await server());
    const res = await post("/generate", {
      preset: "node-service",
      name: "",
      subdomain: "shop",
      owner: "octocat",
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-disposition"]).toBe('attachment; filename="shop.zip"');
  });

  it("puts the server's messages next to subdomain, auth and database", async () => {
    const post = await formPoster(await server());
    const bad = await post("/generate", {
      preset: "node-service",
      name: "",
      subdomain: "Not_A_Label",
      owner: "octocat",
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('id="f-subdomain-error"');
    expect(bad.body).toMatch(/id="f-subdomain" name="subdomain"[^>]*aria-invalid="true"/);

    const both = await post("/generate", {
      preset: "node-service",
      name: "orders",
      subdomain: "shop",
      owner: "octocat",
    });
    expect(both.statusCode).toBe(422);
    expect(both.body).toContain('id="f-subdomain-error"');

    const auth = await post("/generate", {
      preset: "node-service",
      name: "demo",
      owner: "octocat",
      auth: "none",
    });
    expect(auth.statusCode).toBe(422);
    expect(auth.body).toContain('id="f-auth-error"');

    const db = await post("/generate", {
      preset: "spring-boot-postgres-oidc",
      name: "demo",
      owner: "octocat",
      database: "none",
    });
    expect(db.statusCode).toBe(422);
    expect(db.body).toContain('id="f-database-error"');
  });
});
