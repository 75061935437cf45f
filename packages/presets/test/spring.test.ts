import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { parse as parseJava } from "java-parser";
import { expect, describe as group, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { fileOf, generateSample, SAMPLE_REQUESTS, SCHEMA_DIR, writeProject } from "./helpers/project.js";

/*
 * Maven Central is unreachable here, so the Spring presets are proven structurally: the POM against
 * the Maven 4.0.0 XSD (Debian's libxml2-utils: `apt-get install -y libxml2-utils`), every Java file
 * through a full Java parser, and the configuration as data.
 */
const XSD = join(SCHEMA_DIR, "maven-pom/4.0.0/maven-4.0.0.xsd");
const spring = SAMPLE_REQUESTS.filter(([id]) => id.startsWith("spring-boot-"));

group.each(spring.map(([id, req]) => [`${id} ${String(req.name)}`, id, req] as const))(
  "%s",
  (_label, id, request) => {
    const files = generateSample(id, request);

    it("has a pom.xml valid against the Maven 4.0.0 XSD", () => {
      const dir = writeProject(files);
      try {
        const run = spawnSync("xmllint", ["--noout", "--schema", XSD, join(dir, "pom.xml")], {
          encoding: "utf8",
        });
        expect(run.error, "xmllint is installed (apt-get install -y libxml2-utils)").toBeUndefined();
        expect(run.status, run.stderr).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("has Java files that all parse, each in the directory of its package", () => {
      const java = files.filter((f) => f.path.endsWith(".java"));
      expect(java.length).toBeGreaterThanOrEqual(3);
      for (const f of java) {
        expect(() => parseJava(f.content), f.path).not.toThrow();
        const pkg = /^package ([\w.]+);/m.exec(f.content)?.[1] ?? "";
        const expectedDir = `src/${f.path.startsWith("src/test/") ? "test" : "main"}/java/${pkg.replaceAll(".", "/")}/`;
        expect(f.path.startsWith(expectedDir), `${f.path} in ${expectedDir}`).toBe(true);
        const type = /public (?:class|interface|record) (\w+)|^class (\w+)/m.exec(f.content);
        expect(f.path.endsWith(`/${type?.[1] ?? type?.[2]}.java`), f.path).toBe(true);
      }
    });

    it("serves actuator health at /healthz and the probes at /livez and /readyz", () => {
      const app = parseYaml(fileOf(files, "src/main/resources/application.yaml"));
      expect(app.management.endpoints.web).toMatchObject({
        "base-path": "/",
        "path-mapping": { health: "healthz" },
        exposure: { include: "health" },
      });
      expect(app.management.endpoint.health.probes.enabled).toBe(true);
      expect(app.management.endpoint.health.group.readiness["additional-path"]).toBe("server:/readyz");
      expect(app.management.endpoint.health.group.liveness["additional-path"]).toBe("server:/livez");
    });
  },
);

group("the structural checks themselves", () => {
  it("reject a POM with an unknown element and Java that does not parse", () => {
    const bad = generateSample("spring-boot-microservice", { name: "bad", owner: "o" }).map((f) =>
      f.path === "pom.xml"
        ? { ...f, content: f.content.replace("<name>", "<nickname>bad</nickname><name>") }
        : f,
    );
    const dir = writeProject(bad);
    try {
      const run = spawnSync("xmllint", ["--noout", "--schema", XSD, join(dir, "pom.xml")], {
        encoding: "utf8",
      });
      expect(run.status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => parseJava("public class { void }")).toThrow();
  });
});

group("spring-boot-postgres-oidc", () => {
  const files = generateSample("spring-boot-postgres-oidc", { name: "notes", owner: "octocat" });
  const app = parseYaml(fileOf(files, "src/main/resources/application.yaml"));
  const pom = fileOf(files, "pom.xml");

  it("depends on web, actuator, JPA, Flyway for PostgreSQL, the driver and OAuth2 login", () => {
    const artifacts = [...pom.matchAll(/<artifactId>([^<]+)<\/artifactId>/g)].map((m) => m[1]);
    expect(artifacts).toEqual(
      expect.arrayContaining([
        "spring-boot-starter-parent",
        "spring-boot-starter-web",
        "spring-boot-starter-actuator",
        "spring-boot-starter-data-jpa",
        "flyway-core",
        "flyway-database-postgresql",
        "postgresql",
        "spring-boot-starter-oauth2-client",
        "spring-boot-starter-test",
      ]),
    );
  });

  it("reads the database and the OIDC client from the env names the platform injects", () => {
    const text = JSON.stringify(app);
    for (const env of [
      "DATABASE_HOST",
      "DATABASE_PORT",
      "DATABASE_NAME",
      "DATABASE_USERNAME",
      "DATABASE_PASSWORD",
    ]) {
      expect(text).toContain(`\${${env}`);
    }
    expect(app.spring.security.oauth2.client.provider.platform["issuer-uri"]).toBe("${OIDC_ISSUER_URL}");
    expect(app.spring.security.oauth2.client.registration.platform).toMatchObject({
      "client-id": "${OIDC_CLIENT_ID}",
      "client-secret": "${OIDC_CLIENT_SECRET}",
    });
    expect(app.spring.jpa.hibernate["ddl-auto"]).toBe("validate");
    expect(app.management.endpoint.health.group.readiness.include).toContain("db");
  });

  it("ships a first Flyway migration for the entity it maps, and keeps the probes public", () => {
    const migration = fileOf(files, "src/main/resources/db/migration/V1__create_note.sql");
    expect(migration).toMatch(/CREATE TABLE note/);
    const security = files.find((f) => f.path.endsWith("/SecurityConfig.java"))?.content ?? "";
    expect(security).toMatch(/"\/healthz", "\/healthz\/\*\*", "\/livez", "\/readyz".*permitAll/);
    expect(fileOf(files, "README.md")).toContain("OTEL_EXPORTER_OTLP_ENDPOINT");
  });
});

group("spring-boot-microservice", () => {
  const files = generateSample("spring-boot-microservice", {
    name: "greeter",
    owner: "octocat",
    javaVersion: "25",
  });

  it("has no database and builds with the chosen Java", () => {
    const pom = fileOf(files, "pom.xml");
    expect(pom).not.toMatch(/jpa|flyway|postgresql/);
    expect(pom).toContain("<java.version>25</java.version>");
    expect(fileOf(files, "Dockerfile")).toContain("FROM eclipse-temurin:25-jre");
    expect(fileOf(files, ".github/workflows/ci.yaml")).toContain('java-version: "25"');
    expect(fileOf(files, "README.md")).toMatch(/^## Mutual TLS$/m);
  });
});
