import { textFile } from "../../files.js";
import { escapeMarkdown, lines } from "../../text.js";
import type { SpringFeature } from "./feature.js";
import * as java from "./java.js";

/** Web + actuator: the health endpoints every platform service has. */
export const web: SpringFeature = {
  id: "web",
  dependencies: [
    { groupId: "org.springframework.boot", artifactId: "spring-boot-starter-web" },
    { groupId: "org.springframework.boot", artifactId: "spring-boot-starter-actuator" },
    { groupId: "org.springframework.boot", artifactId: "spring-boot-starter-test", scope: "test" },
  ],
  application: (d) => ({
    spring: { application: { name: d.parameters.name } },
    server: { port: `\${PORT:${d.parameters.port}}`, shutdown: "graceful" },
    management: {
      // Actuator at the root with health renamed: /healthz (+ /healthz/liveness, /healthz/readiness),
      // and the probe groups also on the main port as /livez and /readyz, the paths the platform probes.
      endpoints: {
        web: { "base-path": "/", "path-mapping": { health: "healthz" }, exposure: { include: "health" } },
      },
      endpoint: {
        health: {
          probes: { enabled: true },
          group: {
            liveness: { "additional-path": "server:/livez" },
            readiness: { "additional-path": "server:/readyz" },
          },
        },
      },
    },
  }),
  env: (d) => [{ name: "PORT", description: "HTTP port", default: String(d.parameters.port) }],
  files: (d, j) => [
    textFile(`src/main/java/${j.packagePath}/${j.typePrefix}Application.java`, java.application(j)),
  ],
};

/** PostgreSQL through JPA, schema owned by Flyway migrations. */
export const postgres: SpringFeature = {
  id: "postgres",
  dependencies: [
    { groupId: "org.springframework.boot", artifactId: "spring-boot-starter-data-jpa" },
    { groupId: "org.flywaydb", artifactId: "flyway-core" },
    { groupId: "org.flywaydb", artifactId: "flyway-database-postgresql" },
    { groupId: "org.postgresql", artifactId: "postgresql", scope: "runtime" },
  ],
  application: (d) => ({
    spring: {
      // The platform injects the parts, not a JDBC URL (a libpq DATABASE_URL is not one); setting
      // SPRING_DATASOURCE_URL still overrides the whole URL through Spring's relaxed binding.
      datasource: {
        url: `jdbc:postgresql://\${DATABASE_HOST:localhost}:\${DATABASE_PORT:5432}/\${DATABASE_NAME:${dbName(d.parameters.name)}}`,
        username: `\${DATABASE_USERNAME:${dbName(d.parameters.name)}}`,
        password: "${DATABASE_PASSWORD:}",
      },
      jpa: { "open-in-view": false, hibernate: { "ddl-auto": "validate" } },
      flyway: { locations: "classpath:db/migration" },
    },
    management: { endpoint: { health: { group: { readiness: { include: "readinessState,db" } } } } },
  }),
  env: (d) => [
    { name: "DATABASE_HOST", description: "PostgreSQL host", default: "localhost" },
    { name: "DATABASE_PORT", description: "PostgreSQL port", default: "5432" },
    { name: "DATABASE_NAME", description: "Database name", default: dbName(d.parameters.name) },
    {
      name: "DATABASE_USERNAME",
      description: "Database user (Vault dynamic credentials on the platform)",
      default: dbName(d.parameters.name),
    },
    { name: "DATABASE_PASSWORD", description: "Database password", default: "" },
  ],
  readme: (d) => [
    {
      id: "database",
      title: "Database",
      order: 20,
      body: [
        "The schema is owned by Flyway: add `src/main/resources/db/migration/V<n>__<what>.sql`;",
        "Hibernate only validates it. For local development:",
        "",
        "```sh",
        `docker run --rm -d --name ${d.parameters.name}-db -p 5432:5432 -e POSTGRES_DB=${dbName(d.parameters.name)} \\`,
        `  -e POSTGRES_USER=${dbName(d.parameters.name)} -e POSTGRES_PASSWORD=dev postgres:17`,
        "export DATABASE_PASSWORD=dev",
        "```",
      ].join("\n"),
    },
  ],
  files: (_d, j) => [
    textFile("src/main/resources/db/migration/V1__create_note.sql", java.migration()),
    textFile(`src/main/java/${j.packagePath}/note/Note.java`, java.noteEntity(j)),
    textFile(`src/main/java/${j.packagePath}/note/NoteRepository.java`, java.noteRepository(j)),
    textFile(`src/main/java/${j.packagePath}/note/NoteController.java`, java.noteController(j)),
  ],
};

/** Login through the platform's OIDC issuer (ZITADEL or Keycloak); health paths stay public. */
export const oidcLogin: SpringFeature = {
  id: "oidc-login",
  dependencies: [
    { groupId: "org.springframework.boot", artifactId: "spring-boot-starter-oauth2-client" },
    { groupId: "org.springframework.security", artifactId: "spring-security-test", scope: "test" },
  ],
  application: () => ({
    spring: {
      security: {
        oauth2: {
          client: {
            registration: {
              platform: {
                provider: "platform",
                "client-id": "${OIDC_CLIENT_ID}",
                "client-secret": "${OIDC_CLIENT_SECRET}",
                scope: "openid,profile,email",
              },
            },
            provider: { platform: { "issuer-uri": "${OIDC_ISSUER_URL}" } },
          },
        },
      },
    },
  }),
  env: () => [
    { name: "OIDC_ISSUER_URL", description: "OIDC issuer, e.g. https://auth.example.com" },
    { name: "OIDC_CLIENT_ID", description: "OIDC client id registered for this service" },
    { name: "OIDC_CLIENT_SECRET", description: "OIDC client secret" },
  ],
  readme: () => [
    {
      id: "auth",
      title: "Login",
      order: 30,
      body: [
        "Every path except the health endpoints requires an OIDC login against the platform's issuer",
        "(`OIDC_ISSUER_URL`). Register a client with redirect URI",
        "`<base-url>/login/oauth2/code/platform`. `GET /api/me` shows the signed-in user's claims.",
      ].join("\n"),
    },
  ],
  files: (_d, j) => [
    textFile(`src/main/java/${j.packagePath}/security/SecurityConfig.java`, java.securityConfig(j)),
    textFile(`src/main/java/${j.packagePath}/security/MeController.java`, java.meController(j)),
    textFile(`src/test/java/${j.packagePath}/security/MeControllerTest.java`, java.meControllerTest(j)),
  ],
};

/** A plain JSON endpoint and a test that boots the app and probes the health paths. */
export const greeting: SpringFeature = {
  id: "greeting",
  files: (_d, j) => [
    textFile(`src/main/java/${j.packagePath}/GreetingController.java`, java.greetingController(j)),
    textFile(`src/test/java/${j.packagePath}/${j.typePrefix}ApplicationTests.java`, java.applicationTest(j)),
  ],
};

/** OpenTelemetry: the platform's operator injects the Java agent; the app only gets env. */
export const otel: SpringFeature = {
  id: "otel",
  env: () => [
    {
      name: "OTEL_EXPORTER_OTLP_ENDPOINT",
      description: "OTLP endpoint of the platform collector, read by the injected Java agent",
      default: "",
    },
  ],
  readme: (d) => [
    {
      id: "otel",
      title: "Observability",
      order: 40,
      body: [
        "No code: in namespaces with the platform's `Instrumentation` resource, the OpenTelemetry Operator",
        "injects the Java agent, which reads `OTEL_EXPORTER_OTLP_ENDPOINT` and exports traces, metrics and",
        `logs as service \`${escapeMarkdown(d.parameters.name)}\`. Locally nothing is exported.`,
      ].join("\n"),
    },
  ],
};

/** Istio ambient mode encrypts pod-to-pod traffic in ztunnel: the app keeps plain HTTP. */
export const ambientMesh: SpringFeature = {
  id: "ambient-mesh",
  readme: () => [
    {
      id: "mesh",
      title: "Mutual TLS",
      order: 50,
      body: lines(
        "Ready for Istio ambient mode with nothing to do in code: the service listens on plain HTTP",
        "inside its pod, and ztunnel on the node encrypts and authenticates every connection with mTLS",
        "(STRICT on the platform). Callers use `http://<name>.<namespace>.svc:<port>`; who may call",
        "whom is the platform's AuthorizationPolicy, declared in `services/<name>.yaml`.",
      ),
    },
  ],
};

/** `my-app` → `my_app`: the platform's default database name for a service. */
export function dbName(name: string): string {
  return name.replaceAll("-", "_");
}
