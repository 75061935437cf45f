import { describe, expect, it } from "vitest";
import { server } from "./helpers.js";

const V21 = "application/vnd.initializr.v2.1+json";
const V22 = "application/vnd.initializr.v2.2+json";
const V23 = "application/vnd.initializr.v2.3+json";

describe("metadata content negotiation", () => {
  it.each([
    ["/metadata/client", V23, V23],
    ["/metadata/client", V22, V22],
    ["/metadata/client", V21, V21],
    ["/metadata/client", "application/json", "application/json"],
    ["/", V22, V22],
    ["/", "application/json", "application/json"],
    ["/metadata/client", `${V21};q=0.9, ${V23};q=0.5`, V21],
    ["/metadata/client", `${V23};q=0.2, ${V22}`, V22],
    ["/metadata/client", `application/vnd.initializr.v9.0+json, ${V21};q=0.1`, V21],
    ["/metadata/client", "*/*", V23],
  ])("GET %s with Accept %s answers %s", async (url, accept, expected) => {
    const app = await server();
    const res = await app.inject({ url, headers: { accept } });
    expect(res.statusCode).toBe(200);
    expect(String(res.headers["content-type"]).split(";")[0]).toBe(expected);
    const body = res.json();
    for (const key of [
      "_links",
      "dependencies",
      "type",
      "packaging",
      "javaVersion",
      "language",
      "bootVersion",
    ]) {
      expect(body).toHaveProperty(key);
    }
    for (const key of ["groupId", "artifactId", "version", "name", "description", "packageName"]) {
      expect(body[key].type).toBe("text");
      expect(typeof body[key].default).toBe("string");
    }
    expect(body.type.type).toBe("action");
    expect(body.type.values.map((v: { id: string }) => v.id)).toEqual(["maven-project", "maven-build"]);
    expect(body.type.default).toBe("maven-project");
    expect(body.javaVersion.type).toBe("single-select");
    expect(body._links["maven-project"].templated).toBe(true);
    expect(body._links["node-service"]).toBeUndefined();
  });

  it.each([
    "application/vnd.initializr.v5.0+json",
    "application/vnd.initializr.v1.0+json, application/vnd.initializr.v3.1+json",
    `${V22};q=0`,
    "text/csv",
  ])("406 when only unknown or refused versions are acceptable: %s", async (accept) => {
    const app = await server();
    const res = await app.inject({ url: "/metadata/client", headers: { accept } });
    expect(res.statusCode).toBe(406);
    expect(res.json().status).toBe(406);
  });

  it("GET / prefers HTML for browsers and JSON for API clients", async () => {
    const app = await server();
    const browser = await app.inject({
      url: "/",
      headers: { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" },
    });
    expect(browser.statusCode).toBe(200);
    expect(browser.headers["content-type"]).toMatch(/^text\/html/);
    const api = await app.inject({ url: "/", headers: { accept: `${V22}, text/html;q=0.5` } });
    expect(api.headers["content-type"]).toMatch(/^application\/vnd\.initializr\.v2\.2\+json/);
  });

  it.each(["curl/8.5.0", "HTTPie/3.2.2"])("plain-text help for %s", async (agent) => {
    const app = await server();
    const res = await app.inject({ url: "/", headers: { "user-agent": agent, accept: "*/*" } });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    expect(res.body).toContain("node-service");
    expect(res.body).toContain("/starter.zip");
  });

  it("curl asking for JSON explicitly gets the metadata", async () => {
    const app = await server();
    const res = await app.inject({ url: "/", headers: { "user-agent": "curl/8.5.0", accept: V21 } });
    expect(res.headers["content-type"]).toMatch(/^application\/vnd\.initializr\.v2\.1\+json/);
  });

  it("GET /dependencies gives each listed dependency's Maven coordinates", async () => {
    const app = await server();
    const res = await app.inject({ url: "/dependencies?bootVersion=3.5.16", headers: { accept: V22 } });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/vnd\.initializr\.v2\.2\+json/);
    const body = res.json();
    expect(body.bootVersion).toBe("3.5.16");
    expect(body.dependencies.postgresql).toEqual({
      groupId: "org.postgresql",
      artifactId: "postgresql",
      scope: "runtime",
    });
    const meta = (await app.inject({ url: "/metadata/client", headers: { accept: V22 } })).json();
    const listed = meta.dependencies.values.flatMap((g: { values: { id: string }[] }) =>
      g.values.map((d) => d.id),
    );
    expect(Object.keys(body.dependencies)).toEqual(listed);
  });

  it("GET /dependencies for another Spring Boot version: 400 naming bootVersion", async () => {
    const app = await server();
    const res = await app.inject({ url: "/dependencies?bootVersion=2.7.18", headers: { accept: V22 } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body).toMatchObject({ status: 400, parameter: "bootVersion", code: "SW_SCAFFOLD_UNSUPPORTED" });
    expect(body.diagnostics[0].hint).toContain("bootVersion=3.5.16");
  });

  it("uses the configured base URL in _links", async () => {
    const app = await server({ baseUrl: "https://scaffold.example.org/" });
    const res = await app.inject({ url: "/metadata/client", headers: { accept: V22 } });
    expect(res.json()._links.dependencies.href).toBe(
      "https://scaffold.example.org/dependencies{?bootVersion}",
    );
  });
});
