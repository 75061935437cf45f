import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { parse as parseJava } from "java-parser";
import { expect, describe as group, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { fileOf, generateSample, SAMPLE_REQUESTS, SCHEMA_DIR, writeProject } from "./helpers/project.js";

/*
 * Structural checks of the Spring presets, fast and for every sample request: the POM against the
 * Maven 4.0.0 XSD (Debian's libxml2-utils: `apt-get install -y libxml2-utils`), every Java file
 * through a full Java parser, and the configuration as data. spring-maven.test.ts builds and runs
 * them for real.
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

    it("keeps liveness to the app's own state, so an outage of a dependency never restarts the pod", () => {
      // A group named in the configuration replaces Boot's probe group and includes every indicator
      // unless it lists its own.
      const app = parseYaml(fileOf(files, "src/main/resources/application.yaml"));
      expect(app.management.endpoint.health.group.liveness.include).toBe("livenessState");
      expect(app.management.endpoint.health.group.readiness.include).toMatch(/^readinessState(,|$)/);
    });

    it("ships the Maven wrapper, mvnw executable, and the README builds with it", () => {
      expect(files.find((f) => f.path === "mvnw")?.mode).toBe(0o755);
      expect(fileOf(files, "mvnw.cmd")).toContain("\r\n");
      expect(fileOf(files, ".mvn/wrapper/maven-wrapper.properties")).toMatch(
        /^distributionType=only-script$/m,
      );
      expect(fileOf(files, "README.md")).toContain("./mvnw verify");
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

  it("depends on web, actuator, JPA, Flyway for PostgreSQL, the driver, OAuth2 login and resource server", () => {
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
        "spring-boot-starter-oauth2-resource-server",
        "spring-boot-starter-test",
      ]),
    );
    // Boot 3.5's BOM versions Flyway; spring-boot-starter-flyway only exists from Boot 4.
    expect(pom).not.toMatch(/<artifactId>flyway-[a-z-]+<\/artifactId>\s*<version>/);
    expect(pom).toContain("<version>3.5.16</version>");
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
    expect(app.app.oidc).toEqual({
      "issuer-url": "${OIDC_ISSUER_URL:}",
      "client-id": "${OIDC_CLIENT_ID:}",
      "client-secret": "${OIDC_CLIENT_SECRET:}",
      audience: "${OIDC_AUDIENCE:}",
    });
    // Spring Boot's own issuer-uri properties fetch discovery while the context starts.
    expect(text).not.toContain("issuer-uri");
    expect(app.management.endpoint.health.group.readiness.include).toBe(
      "readinessState,db,migrations,issuer",
    );
  });

  it("touches neither database nor issuer while starting: lazy pool, no JDBC metadata, migrations after", () => {
    expect(app.spring.datasource.hikari["initialization-fail-timeout"]).toBe(-1);
    expect(app.spring.datasource.hikari["connection-timeout"]).toBeLessThanOrEqual(2000);
    expect(app.spring.jpa.properties.hibernate.boot.allow_jdbc_metadata_access).toBe(false);
    expect(app.spring.jpa.hibernate["ddl-auto"]).toBe("none");
    const migrations = files.find((f) => f.path.endsWith("/db/Migrations.java"))?.content ?? "";
    expect(migrations).toMatch(/implements FlywayMigrationStrategy/);
    expect(migrations).toMatch(/@EventListener\(ApplicationReadyEvent\.class\)/);
    expect(migrations).toMatch(/validateMappedObjects\(\)/);
  });

  it("exempts bearer-token and session-less requests from CSRF, and answers the API with 401", () => {
    const security = files.find((f) => f.path.endsWith("/SecurityConfig.java"))?.content ?? "";
    expect(security).toMatch(/oauth2ResourceServer/);
    expect(security).toMatch(/csrf\.ignoringRequestMatchers\(BEARER, NO_SESSION\)/);
    expect(security).toMatch(/entryPoints\.put\(API, new BearerTokenAuthenticationEntryPoint\(\)\)/);
  });

  it("runs locally with the local profile on loopback only, and says so in the README", () => {
    const local = parseYaml(fileOf(files, "src/main/resources/application-local.yaml"));
    expect(local.server).toEqual({ address: "127.0.0.1" });
    const readme = fileOf(files, "README.md");
    expect(readme).toContain("./mvnw spring-boot:run -Dspring-boot.run.profiles=local");
    expect(readme).toContain("local-developer");
  });

  it("ships a first Flyway migration for the entity it maps, and keeps the probes public", () => {
    const migration = fileOf(files, "src/main/resources/db/migration/V1__create_note.sql");
    expect(migration).toMatch(/CREATE TABLE note/);
    const security = files.find((f) => f.path.endsWith("/SecurityConfig.java"))?.content ?? "";
    expect(security).toContain('PUBLIC = {"/healthz", "/healthz/**", "/livez", "/readyz", "/error"}');
    expect(security).toMatch(/requestMatchers\(PUBLIC\)\.permitAll\(\)/);
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
