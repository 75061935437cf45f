import { toYaml } from "@slipway/core/lite";
import type { ProjectDescription } from "../../description.js";
import { executableFile, type GeneratedFile, textFile } from "../../files.js";
import type { EnvVar } from "../../models/env.js";
import type { ReadmeSection } from "../../models/readme.js";
import { ACTIONS } from "../../models/workflow.js";
import type { Contributor } from "../../preset.js";
import { type MavenDependency, renderPom } from "./maven.js";
import { MAVEN_VERSION, MVNW, MVNW_CMD, wrapperProperties } from "./maven-wrapper.js";
import { type JavaParameters, type JavaProject, javaProject, SPRING_BOOT_VERSION } from "./project.js";

type D = ProjectDescription<JavaParameters>;

/** Share of the container's memory limit the JVM may use for its heap (`-XX:MaxRAMPercentage`). */
export const MAX_RAM_PERCENTAGE = 35;

/**
 * A Spring feature (web, JPA + Flyway, OAuth2 login, …): what it adds to the shared build file, the
 * shared `application.yaml`, the configuration surface and the sources. Presets are feature lists;
 * the contributors below render each shared file once from all features (Initializr's model).
 */
export interface SpringFeature {
  readonly id: string;
  readonly dependencies?: readonly MavenDependency[];
  /** Health indicators the readiness probe waits for, beside the application's readiness state. */
  readonly readiness?: readonly string[];
  /** Ships an `application-local.yaml` that `Run locally` starts with. */
  readonly localProfile?: boolean;
  /** A fragment deep-merged into `application.yaml`, in feature order. */
  application?(d: D, j: JavaProject): Record<string, unknown>;
  env?(d: D): readonly EnvVar[];
  readme?(d: D, j: JavaProject): readonly ReadmeSection[];
  files?(d: D, j: JavaProject): readonly GeneratedFile[];
}

/** Deep merge of plain objects; a later scalar replaces an earlier one, lists are replaced too. */
export function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function springContributors(features: readonly SpringFeature[]): Contributor<JavaParameters>[] {
  return [
    {
      id: "maven-pom",
      contribute(d) {
        const j = javaProject(d.parameters);
        const pom = renderPom({
          parent: {
            groupId: "org.springframework.boot",
            artifactId: "spring-boot-starter-parent",
            version: SPRING_BOOT_VERSION,
          },
          groupId: j.groupId,
          artifactId: j.artifactId,
          version: "0.0.1-SNAPSHOT",
          name: d.parameters.name,
          description: d.parameters.description,
          properties: { "java.version": j.javaVersion },
          dependencies: features.flatMap((f) => f.dependencies ?? []),
          plugins: [{ groupId: "org.springframework.boot", artifactId: "spring-boot-maven-plugin" }],
          finalName: "app",
        });
        return [textFile("pom.xml", pom)];
      },
    },
    {
      id: "spring-application-yaml",
      contribute(d) {
        const j = javaProject(d.parameters);
        let doc: Record<string, unknown> = {};
        for (const f of features) if (f.application) doc = deepMerge(doc, f.application(d, j));
        const readiness = features.flatMap((f) => f.readiness ?? []);
        if (readiness.length > 0) {
          const include = ["readinessState", ...readiness].join(",");
          doc = deepMerge(doc, {
            management: { endpoint: { health: { group: { readiness: { include } } } } },
          });
        }
        return [textFile("src/main/resources/application.yaml", toYaml(doc, { preserveKeyOrder: true }))];
      },
    },
    {
      id: "spring-sources",
      contribute(d) {
        const j = javaProject(d.parameters);
        return features.flatMap((f) => f.files?.(d, j) ?? []);
      },
    },
    {
      id: "spring-models",
      customize({ env, readme, gitignore, workflow, dockerfile }, d) {
        const j = javaProject(d.parameters);
        for (const f of features) {
          env.add(...(f.env?.(d) ?? []));
          for (const s of f.readme?.(d, j) ?? []) readme.section(s);
        }
        gitignore
          .add("Maven", "target/", ".mvn/wrapper/maven-wrapper.jar")
          .add("IDE", ".idea/", "*.iml", ".vscode/", ".classpath", ".project", ".settings/")
          .add("OS", ".DS_Store");
        workflow.step(
          {
            uses: ACTIONS.setupJava,
            with: { distribution: "temurin", "java-version": j.javaVersion, cache: "maven" },
          },
          { name: "Build and test", run: "mvn --batch-mode --no-transfer-progress verify" },
        );
        dockerfile
          .stage({
            name: "build",
            from: `maven:3.9-eclipse-temurin-${j.javaVersion}`,
            instructions: [
              "WORKDIR /src",
              "COPY pom.xml .",
              "RUN --mount=type=cache,target=/root/.m2 mvn --batch-mode --no-transfer-progress dependency:go-offline",
              "COPY src ./src",
              "RUN --mount=type=cache,target=/root/.m2 mvn --batch-mode --no-transfer-progress package -DskipTests",
            ],
          })
          .stage({
            from: `eclipse-temurin:${j.javaVersion}-jre`,
            instructions: [
              // A numeric USER lets Kubernetes verify runAsNonRoot without reading /etc/passwd.
              "RUN useradd --system --uid 10001 --no-create-home app",
              "WORKDIR /app",
              "COPY --from=build /src/target/app.jar /app/app.jar",
              "USER 10001:10001",
              `EXPOSE ${d.parameters.port}`,
              // Heap flags on the command line, not in ENV JAVA_TOOL_OPTIONS: the OpenTelemetry operator
              // injects its Java agent through the container's JAVA_TOOL_OPTIONS, which would replace an
              // image-level one. 35% of the platform's 512Mi JVM limit is a 179 MB heap; the JVM and the
              // agent need about 250 MB beside it (test/spring-maven.test.ts measures both).
              `ENTRYPOINT ["java", "-XX:MaxRAMPercentage=${MAX_RAM_PERCENTAGE}", "-jar", "/app/app.jar"]`,
            ],
          });
        const port = String(d.parameters.port);
        const local = features.some((f) => f.localProfile);
        readme.section({
          id: "run",
          title: "Run locally",
          order: 10,
          body: [
            `Needs Java ${j.javaVersion} or newer; \`./mvnw\` downloads Maven ${MAVEN_VERSION} on first use.`,
            "",
            "```sh",
            "./mvnw verify            # build and test",
            local
              ? `./mvnw spring-boot:run -Dspring-boot.run.profiles=local   # http://localhost:${port}`
              : `./mvnw spring-boot:run   # http://localhost:${port}`,
            `curl -s localhost:${port}/readyz   # {"status":"UP"}`,
            ...(local
              ? [
                  `curl -s -X POST localhost:${port}/api/notes -H 'Content-Type: application/json' -d '{"text":"hi"}'`,
                  `curl -s localhost:${port}/api/notes`,
                ]
              : []),
            "```",
            ...(local
              ? [
                  "",
                  "The `local` profile needs no OIDC issuer: it listens on 127.0.0.1 only and treats every",
                  "request as the user `local-developer`. Start PostgreSQL first (see Database); until it",
                  "answers, the app runs and `/readyz` answers 503. Without the profile the app expects",
                  "`OIDC_ISSUER_URL`, `OIDC_CLIENT_ID` and `OIDC_CLIENT_SECRET`, as on the platform.",
                ]
              : []),
            "",
            local
              ? "Or as the platform runs it, given the env listed under Configuration (`docker run -e …`):"
              : "Or as the platform runs it:",
            "",
            "```sh",
            `docker build -t ${d.parameters.name} . && docker run --rm -p ${port}:${port} ${d.parameters.name}`,
            "```",
          ].join("\n"),
        });
      },
    },
    {
      // The Apache Maven Wrapper ("only-script"): ./mvnw fetches Maven from Maven Central on first use.
      id: "maven-wrapper",
      contribute: () => [
        executableFile("mvnw", MVNW),
        textFile("mvnw.cmd", MVNW_CMD),
        textFile(".mvn/wrapper/maven-wrapper.properties", wrapperProperties()),
      ],
    },
    {
      id: "dockerignore",
      contribute: () => [textFile(".dockerignore", "target/\n.git/\n.github/\n*.md\n")],
    },
  ];
}
