import { parametersJsonSchema, presets } from "@slipway/presets";
import { describe, expect, it } from "vitest";
import { noAuth } from "../src/auth/contract.js";
import { csrfSession, formPoster, server, unzipWithModes } from "./helpers.js";

const HTML = { accept: "text/html" };
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = "application/x-www-form-urlencoded";

describe("UI", () => {
  it.each(presets.map((p) => p.id))("GET /?preset=%s renders a label for every parameter", async (id) => {
    const app = await server();
    const res = await app.inject({ url: `/?preset=${id}`, headers: HTML });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    const schema = parametersJsonSchema(presets.find((p) => p.id === id) as (typeof presets)[number]) as {
      properties: Record<string, { default?: unknown }>;
      required: string[];
    };
    for (const [name, prop] of Object.entries(schema.properties)) {
      expect(res.body).toContain(`<label for="f-${name}">`);
      expect(res.body).toMatch(new RegExp(`id="f-${name}" name="${name}"`));
      if (typeof prop.default === "string") expect(res.body).toContain(`value="${prop.default}"`);
    }
    for (const name of schema.required)
      expect(res.body).toMatch(new RegExp(`id="f-${name}" name="${name}" required`));
    // Every input but hidden ones has a label; radio buttons too.
    const ids = [...res.body.matchAll(/<(?:input|select)(?![^>]*type="hidden")[^>]*id="([^"]+)"/g)].map(
      (m) => m[1],
    );
    for (const inputId of ids) expect(res.body).toContain(`for="${inputId}"`);
    expect(res.body).toContain("<fieldset");
    expect(res.body).toContain("<legend>");
    expect(res.body).not.toContain("<script");
  });

  it("lets form posts reach only this origin and the issuer the auth names (login, logout)", async () => {
    const plain = await (await server()).inject({ url: "/", headers: HTML });
    expect(plain.headers["content-security-policy"]).toContain("form-action 'self';");
    const withIssuer = await server({ auth: { ...noAuth, formActions: ["https://id.example.dev"] } });
    const res = await withIssuer.inject({ url: "/", headers: HTML });
    expect(res.headers["content-security-policy"]).toContain("form-action 'self' https://id.example.dev;");
  });

  it("prefills the form from the query (Explore's way back), escaped, and ignores unknown names", async () => {
    const app = await server();
    const res = await app.inject({
      url: `/?${new URLSearchParams({ preset: "node-service", name: "orders", owner: '"><b>x', nope: "1" })}`,
      headers: HTML,
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('value="orders"');
    expect(res.body).toContain('value="&quot;&gt;&lt;b&gt;x"');
    expect(res.body).not.toContain("<b>x");
  });

  it("sets the security headers and a signed, HttpOnly CSRF cookie", async () => {
    const app = await server();
    const res = await app.inject({ url: "/", headers: HTML });
    expect(res.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(res.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["referrer-policy"]).toBe("no-referrer");
    expect(String(res.headers["set-cookie"])).toMatch(
      /^sw_csrf=[^;]+\.[^;]+; Path=\/; HttpOnly; SameSite=Strict/,
    );
  });

  it("POST /generate with bad input re-renders with messages and the values kept (422)", async () => {
    const post = await formPoster(await server());
    const res = await post("/generate", {
      preset: "node-service",
      name: "Bad Name",
      owner: "octocat",
      port: "80",
      description: "<b>kept</b>",
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('role="alert"');
    expect(res.body).toMatch(
      /id="f-name" name="name" required aria-required="true" aria-invalid="true" aria-describedby="f-name-hint f-name-error"/,
    );
    expect(res.body).toContain('id="f-name-error"');
    expect(res.body).toContain('id="f-port-error"');
    expect(res.body).not.toContain('id="f-owner-error"');
    expect(res.body).toContain('value="Bad Name"');
    expect(res.body).toContain('value="80"');
    expect(res.body).toContain('value="octocat"');
    expect(res.body).toContain('value="&lt;b&gt;kept&lt;/b&gt;"');
  });

  it("POST /generate with valid input downloads the ZIP", async () => {
    const post = await formPoster(await server());
    const res = await post("/generate", {
      preset: "node-service",
      name: "demo",
      owner: "octocat",
      port: "8080",
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/zip");
    expect(unzipWithModes(res.rawPayload).has("demo/package.json")).toBe(true);
  });

  it.each([
    ["no token and no cookie", undefined, undefined],
    ["a token but no cookie", "tok", undefined],
    ["a forged cookie", "tok", "sw_csrf=tok.forged"],
  ])("POST without a valid CSRF token is 403: %s", async (_label, token, cookie) => {
    const app = await server();
    for (const url of ["/generate", "/explore", "/create"]) {
      const res = await app.inject({
        method: "POST",
        url,
        headers: { "content-type": FORM, ...(cookie !== undefined ? { cookie } : {}) },
        payload: form({
          preset: "node-service",
          name: "demo",
          owner: "octocat",
          ...(token !== undefined ? { _csrf: token } : {}),
        }),
      });
      expect(res.statusCode).toBe(403);
    }
  });

  it("a token from another session is refused", async () => {
    const app = await server();
    const a = await csrfSession(app);
    const b = await csrfSession(app);
    const res = await app.inject({
      method: "POST",
      url: "/generate",
      headers: { cookie: a.cookie, "content-type": FORM },
      payload: form({ _csrf: b.token, preset: "node-service", name: "demo", owner: "octocat" }),
    });
    expect(res.statusCode).toBe(403);
  });

  it("Explore lists the generated files and shows one, escaped", async () => {
    const app = await server();
    const res = await app.inject({
      url: `/explore?${form({ preset: "node-service", name: "demo", owner: "octocat", description: "<script>x</script>", file: "catalog-info.yaml" })}`,
      headers: HTML,
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(">package.json</a>");
    expect(res.body).toContain('<h2 id="file-title">catalog-info.yaml</h2>');
    expect(res.body).not.toContain("<script>x</script>");
    expect(res.body).toContain("&lt;script&gt;");
    const other = await app.inject({
      url: `/explore?${form({ preset: "node-service", name: "demo", owner: "octocat", file: "package.json" })}`,
      headers: HTML,
    });
    expect(other.body).toContain('<h2 id="file-title">package.json</h2>');
    expect(other.body).toContain("&quot;name&quot;: &quot;demo&quot;");
  });

  it("Explore with bad input re-renders the form (422)", async () => {
    const app = await server();
    const res = await app.inject({
      url: `/explore?${form({ preset: "node-service", name: "", owner: "octocat" })}`,
      headers: HTML,
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('id="f-name-error"');
  });

  it("an unknown preset is a 404 page", async () => {
    const app = await server();
    expect((await app.inject({ url: "/explore?preset=nope&name=demo", headers: HTML })).statusCode).toBe(404);
    expect((await app.inject({ url: "/?preset=nope", headers: HTML })).statusCode).toBe(404);
  });

  it("the form's Explore button posts (the CSRF token never lands in a URL)", async () => {
    const app = await server();
    const page = await app.inject({ url: "/", headers: HTML });
    expect(page.body).toContain('formaction="/explore"');
    expect(page.body).not.toContain('formmethod="get"');
    const { cookie, token } = await csrfSession(app);
    const res = await app.inject({
      method: "POST",
      url: "/explore",
      headers: { cookie, "content-type": FORM },
      payload: form({ _csrf: token, preset: "static-frontend", name: "site", owner: "octocat" }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(">scripts/build.mjs</a>");
    expect(res.body).not.toContain(token);
  });

  it("unknown routes are JSON 404s", async () => {
    const app = await server();
    const res = await app.inject({ url: "/nope" });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ status: 404, error: "Not Found" });
  });

  it("serves the stylesheet with a visible focus style", async () => {
    const app = await server();
    const res = await app.inject({ url: "/static/app.css" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/css/);
    expect(res.body).toContain(":focus-visible");
  });

  it("Create repository is refused (503) when no platform is configured", async () => {
    const post = await formPoster(await server());
    const res = await post("/create", { preset: "node-service", name: "demo", owner: "octocat" });
    expect(res.statusCode).toBe(503);
  });
});
