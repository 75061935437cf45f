import { describe, expect, it } from "vitest";
import { server, unzipWithModes } from "./helpers.js";

/** `type` is a build system, `dependencies` choose the Spring preset, `preset=` reaches the others. */

async function presetOf(query: string): Promise<string> {
  const app = await server();
  const res = await app.inject({ url: `/starter.zip?${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return JSON.parse(unzipWithModes(res.rawPayload).get(".slipway.json")?.text ?? "{}").preset.id;
}

describe("choosing the preset", () => {
  it.each([
    ["type=maven-project", "spring-boot-microservice"],
    ["", "spring-boot-microservice"],
    ["type=maven-project&dependencies=web", "spring-boot-microservice"],
    ["type=maven-project&dependencies=web,actuator", "spring-boot-microservice"],
    ["type=maven-project&dependencies=postgresql", "spring-boot-postgres-oidc"],
    [
      "type=maven-project&dependencies=web,data-jpa,flyway,postgresql,oauth2-client",
      "spring-boot-postgres-oidc",
    ],
    ["type=maven-project&dependencies=security", "spring-boot-postgres-oidc"],
    ["type=maven-build&dependencies=web", "spring-boot-microservice"],
    ["style=web,oauth2-client", "spring-boot-postgres-oidc"],
    // The bench's contract comparison: the POM has the resource server, the catalog did not.
    ["type=maven-project&dependencies=web,oauth2-resource-server", "spring-boot-postgres-oidc"],
    ["dependencies=postgres,oidc", "spring-boot-postgres-oidc"],
    ["database=postgres", "spring-boot-postgres-oidc"],
    ["preset=node-service", "node-service"],
    ["preset=static-frontend&language=java&javaVersion=21&packaging=jar", "static-frontend"],
    ["type=node-service", "node-service"],
    ["type=node-service&dependencies=oidc", "node-service"],
    ["preset=spring-boot-postgres-oidc&type=maven-project&dependencies=web", "spring-boot-postgres-oidc"],
    ["type=maven-project&bootVersion=3.5.16.RELEASE", "spring-boot-microservice"],
  ])("%s → %s", async (query, preset) => {
    expect(await presetOf(`${query}&name=demo`)).toBe(preset);
  });
});

describe("refused combinations name the parameter, with a code and a hint", () => {
  it.each([
    ["type=gradle-project", "type", "SW_SCAFFOLD_UNSUPPORTED_TYPE", "maven-project"],
    ["type=gradle-project-kotlin", "type", "SW_SCAFFOLD_UNSUPPORTED_TYPE", "maven-project"],
    ["type=gradle-build", "type", "SW_SCAFFOLD_UNSUPPORTED_TYPE", "maven-project"],
    ["type=nope", "type", "SW_SCAFFOLD_UNKNOWN_TYPE", "preset=<id>"],
    [
      "type=maven-project&dependencies=web,kafka",
      "dependencies",
      "SW_SCAFFOLD_UNKNOWN_DEPENDENCY",
      "oauth2-client",
    ],
    [
      "preset=spring-boot-microservice&dependencies=postgresql",
      "dependencies",
      "SW_SCAFFOLD_UNSUPPORTED",
      "spring-boot-microservice has dependencies web,actuator",
    ],
    [
      "preset=static-frontend&dependencies=web",
      "dependencies",
      "SW_SCAFFOLD_UNSUPPORTED",
      "spring-boot-postgres-oidc: web,actuator,postgresql",
    ],
    [
      "database=none&dependencies=postgresql",
      "dependencies",
      "SW_SCAFFOLD_UNSUPPORTED",
      "spring-boot-microservice: web,actuator",
    ],
    ["type=maven-project&preset=node-service", "type", "SW_SCAFFOLD_CONFLICT", "leave type out"],
    ["type=node-service&preset=static-frontend", "type", "SW_SCAFFOLD_CONFLICT", "give only one"],
    ["type=maven-project&bootVersion=3.4.0", "bootVersion", "SW_SCAFFOLD_UNSUPPORTED", "bootVersion=3.5.16"],
    ["type=maven-project&language=kotlin", "language", "SW_SCAFFOLD_UNSUPPORTED", "language=java"],
    [
      "preset=static-frontend&database=postgres",
      "database",
      "SW_SCAFFOLD_UNSUPPORTED",
      "comes with spring-boot-postgres-oidc",
    ],
    [
      "preset=spring-boot-microservice&auth=oidc",
      "auth",
      "SW_SCAFFOLD_UNSUPPORTED",
      "spring-boot-postgres-oidc, node-service",
    ],
  ])("%s → 400 %s %s", async (query, parameter, code, hint) => {
    const app = await server();
    for (const path of ["/starter.zip", "/starter.tgz"]) {
      const res = await app.inject({ url: `${path}?${query}&name=demo` });
      expect(res.statusCode).toBe(400);
      const body = res.json();
      expect(body).toMatchObject({ status: 400, error: "Bad Request", parameter, code });
      expect(body.diagnostics[0].hint).toContain(hint);
    }
  });
});

describe("/pom.xml (type maven-build)", () => {
  it("is the pom.xml /starter.zip would contain, for GET and a form POST", async () => {
    const app = await server();
    const query = "type=maven-build&dependencies=postgresql&groupId=org.acme&artifactId=shop&name=shop";
    const pom = await app.inject({ url: `/pom.xml?${query}` });
    expect(pom.statusCode).toBe(200);
    expect(pom.headers["content-type"]).toMatch(/^application\/xml/);
    const zip = await app.inject({ url: `/starter.zip?${query}` });
    expect(pom.body).toBe(unzipWithModes(zip.rawPayload).get("pom.xml")?.text);
    const posted = await app.inject({
      method: "POST",
      url: "/pom",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: query,
    });
    expect(posted.body).toBe(pom.body);
  });

  it.each([
    ["preset=node-service", "preset", "SW_SCAFFOLD_NO_BUILD_FILE"],
    ["type=static-frontend", "type", "SW_SCAFFOLD_NO_BUILD_FILE"],
    ["type=gradle-build", "type", "SW_SCAFFOLD_UNSUPPORTED_TYPE"],
  ])("%s → 400 %s %s", async (query, parameter, code) => {
    const app = await server();
    const res = await app.inject({ url: `/pom.xml?${query}` });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ status: 400, parameter, code });
  });
});

describe("baseDir", () => {
  it.each([
    ["", ""],
    ["&baseDir=", ""],
    ["&baseDir=orders", "orders/"],
    ["&baseDir=orders/", "orders/"],
  ])(
    "type=maven-project%s puts the files under %j (Initializr: no base dir unless asked)",
    async (q, prefix) => {
      const app = await server();
      const res = await app.inject({ url: `/starter.zip?type=maven-project&name=orders${q}` });
      const paths = [...unzipWithModes(res.rawPayload).keys()];
      expect(paths).toContain(`${prefix}pom.xml`);
      expect(paths.every((p) => p.startsWith(prefix))).toBe(true);
    },
  );
});
