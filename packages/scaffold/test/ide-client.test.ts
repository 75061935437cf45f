import { describe, expect, it } from "vitest";
import { server, unzipWithModes } from "./helpers.js";

/** What IntelliJ IDEA's Spring Initializr wizard sends (its Accept header and its starter URL). */
const INTELLIJ_ACCEPT =
  "application/vnd.initializr.v2.3+json, application/vnd.initializr.v2.2+json;q=0.9, application/vnd.initializr.v2.1+json;q=0.8";

describe("an IDE client", () => {
  it("reads /metadata/client, then downloads the default type's /starter.zip", async () => {
    const app = await server();
    const meta = await app.inject({
      url: "/metadata/client",
      headers: { accept: INTELLIJ_ACCEPT, "user-agent": "IntelliJ IDEA/2025.2" },
    });
    expect(meta.statusCode).toBe(200);
    expect(meta.headers["content-type"]).toMatch(/^application\/vnd\.initializr\.v2\.3\+json/);
    const m = meta.json();

    // The wizard sends every field with its default, then the type's action.
    const type = m.type.values.find((t: { id: string }) => t.id === "spring-boot-postgres-oidc");
    const params = new URLSearchParams({
      type: type.id,
      language: m.language.default,
      bootVersion: m.bootVersion.default,
      baseDir: "orders",
      groupId: "org.acme",
      artifactId: "orders",
      name: "orders",
      description: "Orders service",
      packageName: "org.acme.orders",
      packaging: m.packaging.default,
      javaVersion: m.javaVersion.default,
      version: m.version.default,
      dependencies: m.dependencies.values[0].values.map((d: { id: string }) => d.id).join(","),
    });
    const zip = await app.inject({
      url: `${type.action}?${params}`,
      headers: { "user-agent": "IntelliJ IDEA/2025.2" },
    });
    expect(zip.statusCode).toBe(200);
    const files = unzipWithModes(zip.rawPayload);
    expect(files.has("orders/pom.xml")).toBe(true);
    expect(files.has("orders/src/main/java/org/acme/orders/OrdersApplication.java")).toBe(true);
    expect(files.get("orders/pom.xml")?.text).toContain("<groupId>org.acme</groupId>");
  });

  it("follows the templated link for a type from _links", async () => {
    const app = await server({ baseUrl: "http://scaffold.test" });
    const m = (await app.inject({ url: "/metadata/client", headers: { accept: INTELLIJ_ACCEPT } })).json();
    const href: string = m._links["node-service"].href;
    const url = new URL(href.replace(/\{&[^}]+\}$/, "&name=demo"));
    const zip = await app.inject({ url: `${url.pathname}${url.search}` });
    expect(zip.statusCode).toBe(200);
    expect(unzipWithModes(zip.rawPayload).has("package.json")).toBe(true);
  });
});
