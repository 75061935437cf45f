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
          // Naming a group here replaces Boot's probe group of that name, which would then include
          // every indicator: a database outage would fail liveness and restart the pod. So both list
          // theirs; features add what readiness waits for (SpringFeature.readiness).
          group: {
            liveness: { "additional-path": "server:/livez", include: "livenessState" },
            readiness: { "additional-path": "server:/readyz", include: "readinessState" },
          },
        },
      },
    },
  }),
  env: (d) => [{ name: "PORT", description: "HTTP port", default: String(d.parameters.port) }],
  files: (_d, j) => [
    textFile(`src/main/java/${j.packagePath}/${j.typePrefix}Application.java`, java.application(j)),
  ],
};

/**
 * PostgreSQL through JPA, schema owned by Flyway migrations. Boot 3.5 has no Flyway starter (that is
 * Boot 4's spring-boot-starter-flyway): its documented setup is flyway-core plus the database module,
 * both versioned by Boot's BOM.
 *
 * Nothing touches the database while the context starts, so a database that is down then leaves the
 * app running and not ready instead of crash-looping: Hikari opens no connection up front
 * (`initialization-fail-timeout: -1`), Hibernate reads no JDBC metadata (dialect named), and the
 * migrations run after startup (db/Migrations.java). The `db` and `migrations` indicators hold the
 * readiness probe down until the database answers and the schema is migrated and validated.
 */
export const postgres: SpringFeature = {
  id: "postgres",
  dependencies: [
    { groupId: "org.springframework.boot", artifactId: "spring-boot-starter-data-jpa" },
    { groupId: "org.flywaydb", artifactId: "flyway-core" },
    { groupId: "org.flywaydb", artifactId: "flyway-database-postgresql" },
    { groupId: "org.postgresql", artifactId: "postgresql", scope: "runtime" },
  ],
  readiness: ["db", "migrations"],
  application: (d) => ({
    spring: {
      // The platform injects the parts, not a JDBC URL (a libpq DATABASE_URL is not one); setting
      // SPRING_DATASOURCE_URL still overrides the whole URL through Spring's relaxed binding.
      datasource: {
        url: `jdbc:postgresql://\${DATABASE_HOST:localhost}:\${DATABASE_PORT:5432}/\${DATABASE_NAME:${dbName(d.parameters.name)}}`,
        username: `\${DATABASE_USERNAME:${dbName(d.parameters.name)}}`,
        password: "${DATABASE_PASSWORD:}",
        hikari: {
          "initialization-fail-timeout": -1,
          // Below the kubelet's 2 s probe timeout, so a dead database fails the check, not the probe.
          "connection-timeout": 2000,
        },
      },
      jpa: {
        "open-in-view": false,
        "database-platform": "org.hibernate.dialect.PostgreSQLDialect",
        // Flyway owns the schema; db/Migrations.java has Hibernate validate it after migrating.
        hibernate: { "ddl-auto": "none" },
        properties: { hibernate: { boot: { allow_jdbc_metadata_access: false } } },
      },
      flyway: { locations: "classpath:db/migration" },
    },
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
        "The schema is owned by Flyway: add `src/main/resources/db/migration/V<n>__<what>.sql`.",
        "Migrations run right after startup, then Hibernate validates the entities against the schema;",
        "until both succeeded, and whenever the database is unreachable, `/readyz` answers 503 while",
        "`/livez` stays up, so a database outage never restarts the pod. For local development:",
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
    textFile(`src/main/java/${j.packagePath}/db/Migrations.java`, java.migrations(j)),
  ],
};

/**
 * Login through the platform's OIDC issuer (ZITADEL or Keycloak) for browsers, JWT access tokens from
 * the same issuer for API clients; health paths stay public. The issuer is contacted lazily
 * (security/PlatformIssuer.java), so the app starts while it is down and is not ready until it answers.
 */
export const oidcLogin: SpringFeature = {
  id: "oidc-login",
  dependencies: [
    { groupId: "org.springframework.boot", artifactId: "spring-boot-starter-oauth2-client" },
    { groupId: "org.springframework.boot", artifactId: "spring-boot-starter-oauth2-resource-server" },
  ],
  readiness: ["issuer"],
  localProfile: true,
  application: () => ({
    app: {
      oidc: {
        "issuer-url": "${OIDC_ISSUER_URL:}",
        "client-id": "${OIDC_CLIENT_ID:}",
        "client-secret": "${OIDC_CLIENT_SECRET:}",
        audience: "${OIDC_AUDIENCE:}",
      },
    },
  }),
  env: () => [
    { name: "OIDC_ISSUER_URL", description: "OIDC issuer, e.g. https://auth.example.com" },
    { name: "OIDC_CLIENT_ID", description: "OIDC client id registered for this service" },
    { name: "OIDC_CLIENT_SECRET", description: "OIDC client secret" },
    {
      name: "OIDC_AUDIENCE",
      description: "Audience API access tokens must carry; empty means the client id",
      default: "",
    },
  ],
  readme: () => [
    {
      id: "auth",
      title: "Login and API access",
      order: 30,
      body: [
        "Every path except the health endpoints needs a caller from the platform's issuer",
        "(`OIDC_ISSUER_URL`). Browsers sign in (register the client's redirect URI",
        "`<base-url>/login/oauth2/code/platform`); API clients send `Authorization: Bearer <token>`",
        "with a JWT access token from that issuer whose audience is `OIDC_AUDIENCE` (default: the",
        "client id), and need no CSRF token. Browser code on a signed-in session reads its CSRF token",
        "from `GET /api/csrf` and sends it back for writes. `GET /api/me` shows the caller's claims.",
        "",
        "Until the issuer has answered once, `/readyz` answers 503; the app keeps retrying and needs no",
        "restart. The `local` profile (see Run locally) replaces all of this with one fixed developer.",
      ].join("\n"),
    },
  ],
  files: (_d, j) => [
    textFile("src/main/resources/application-local.yaml", localProfileYaml()),
    textFile(`src/main/java/${j.packagePath}/security/SecurityConfig.java`, java.securityConfig(j)),
    textFile(`src/main/java/${j.packagePath}/security/PlatformIssuer.java`, java.platformIssuer(j)),
    textFile(`src/main/java/${j.packagePath}/security/LocalSecurityConfig.java`, java.localSecurityConfig(j)),
    textFile(`src/main/java/${j.packagePath}/security/MeController.java`, java.meController(j)),
    textFile(`src/main/java/${j.packagePath}/security/CsrfController.java`, java.csrfController(j)),
    textFile(`src/test/java/${j.packagePath}/security/MeControllerTest.java`, java.meControllerTest(j)),
    textFile(`src/test/java/${j.packagePath}/security/LocalProfileTests.java`, java.localProfileTests(j)),
  ],
};

/** The `local` profile: loopback only, no issuer (security/LocalSecurityConfig.java). */
function localProfileYaml(): string {
  return lines(
    "# ./mvnw spring-boot:run -Dspring-boot.run.profiles=local",
    "# No OIDC issuer: every request is signed in as local-developer, so the server only listens on",
    "# loopback (LocalSecurityConfig refuses any other address).",
    "server:",
    "  address: 127.0.0.1",
    "# There is no issuer health indicator here; the readiness group still names it.",
    "management:",
    "  endpoint:",
    "    health:",
    "      validate-group-membership: false",
  );
}

/** The postgres-oidc app started by `mvn verify` without its database and issuer. */
export const postgresOidcStartupTest: SpringFeature = {
  id: "postgres-oidc-startup-test",
  files: (_d, j) => [
    textFile(
      `src/test/java/${j.packagePath}/${j.typePrefix}ApplicationTests.java`,
      java.postgresOidcApplicationTest(j),
    ),
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
