import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createConnection, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PlatformSpec } from "@slipway/core";
import { afterAll, beforeAll, expect, describe as group, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { findPostgresBinDir, startPostgres, type TestPostgres } from "../../core/test/helpers/postgres.js";
import { serviceDocument } from "../../onboarding/src/service-spec.js";
import { describe } from "../src/index.js";
import { MVNW, MVNW_CMD, wrapperProperties } from "../src/presets/spring/maven-wrapper.js";
import { findJdk, type JavaProcess, maven, run, startJava, surefireSummary } from "./helpers/maven.js";
import { startIssuer, type TestIssuer } from "./helpers/oidc-issuer.js";
import { eventually, fileOf, freePort, generateSample, writeProject } from "./helpers/project.js";

/*
 * The Spring presets built and run for real: real Maven (through the generated ./mvnw for one
 * preset), the generated tests, then the postgres-oidc jar started as the platform's Deployment runs
 * it (its env, its probe paths and port, a non-root user, a read-only working directory, the memory
 * limit and the OpenTelemetry Java agent) against a real PostgreSQL and a real OIDC issuer.
 * Needs a JDK 21+ (findJdk), Maven, Debian's postgresql, and Maven Central or a warm ~/.m2.
 */
const jdk = findJdk(21);
const BUILD_MS = 480_000;

/** What the platform's onboarding writes to services/<name>.yaml for a preset (probes, port, limits). */
function serviceSpec(request: Record<string, unknown>): {
  port: number;
  health: { liveness: string; readiness: string };
  resources: { limits: { memory: string } };
  runtime: string;
} {
  const d = describe("spring-boot-postgres-oidc", request);
  const platform = { components: {}, github: { owner: "octocat" } } as unknown as PlatformSpec;
  const doc = parseYaml(serviceDocument(d, platform, "ghcr.io/octocat/demo:sha-0", undefined).content);
  return { health: { liveness: "/healthz", readiness: "/readyz" }, ...doc.spec };
}

const mebibytes = (q: string) => {
  const m = /^(\d+)(Mi|Gi)$/.exec(q);
  if (!m) throw new Error(`unexpected memory quantity ${q}`);
  return Number(m[1]) * (m[2] === "Gi" ? 1024 : 1);
};

group("the Maven wrapper the Spring presets ship", () => {
  it("is the Apache Maven Wrapper 3.3.4 only-script distribution, byte for byte", async () => {
    expect(jdk, "a JDK 21+ (JAVA_HOME or /usr/lib/jvm)").toBeDefined();
    const dir = writeProject([{ path: "pom.xml", content: "<project/>\n" }], "slipway-wrapper-");
    try {
      const get = await run(
        "mvn",
        [
          "--batch-mode",
          "--no-transfer-progress",
          "dependency:copy",
          "-Dartifact=org.apache.maven.wrapper:maven-wrapper-distribution:3.3.4:zip:only-script",
          `-DoutputDirectory=${dir}`,
        ],
        { cwd: tmpdir(), env: { JAVA_HOME: jdk?.home ?? "" }, timeoutMs: 120_000 },
      );
      expect(get.code, get.output.slice(-3000)).toBe(0);
      const unzip = spawnSync("unzip", ["-o", "-q", "maven-wrapper-distribution-3.3.4-only-script.zip"], {
        cwd: dir,
      });
      expect(unzip.status).toBe(0);
      expect(readFileSync(join(dir, "mvnw"), "utf8")).toBe(MVNW);
      expect(readFileSync(join(dir, "mvnw.cmd"), "utf8")).toBe(MVNW_CMD);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const files = generateSample("spring-boot-microservice", { name: "w", owner: "o" });
    expect(files.find((f) => f.path === "mvnw")?.mode).toBe(0o755);
    expect(fileOf(files, ".mvn/wrapper/maven-wrapper.properties")).toBe(wrapperProperties());
    expect(wrapperProperties()).toMatch(/^distributionType=only-script$/m);
  }, 180_000);
});

group.skipIf(process.env.SLIPWAY_SKIP_MAVEN === "1")("spring-boot-microservice with plain mvn", () => {
  it(
    "passes `mvn verify`, the generated test starting the app on a random port",
    async () => {
      expect(jdk, "a JDK 21+ (JAVA_HOME or /usr/lib/jvm)").toBeDefined();
      const dir = writeProject(generateSample("spring-boot-microservice", { name: "greeter", owner: "o" }));
      try {
        const build = await maven(dir, ["verify"], { javaHome: jdk?.home ?? "" });
        expect(build.code, build.output.slice(-6000)).toBe(0);
        expect(surefireSummary(build.output)).toEqual({ run: 2, failures: 0, errors: 0, skipped: 0 });
        expect(existsSync(join(dir, "target/app.jar"))).toBe(true);
        console.info(`spring-boot-microservice: mvn verify took ${Math.round(build.ms / 1000)} s`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    BUILD_MS,
  );
});

/** A TCP forwarder to PostgreSQL that refuses connections until `open()`: a database that is down. */
async function databaseSwitch(
  port: number,
  target: number,
): Promise<{ open(): Promise<void>; close(): void }> {
  let server: Server | undefined;
  return {
    open: () =>
      new Promise((resolve, reject) => {
        server = createServer((client) => {
          const upstream = createConnection(target, "127.0.0.1");
          client.pipe(upstream).pipe(client);
          client.on("error", () => upstream.destroy());
          upstream.on("error", () => client.destroy());
        });
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => resolve());
      }),
    close: () => server?.close(),
  };
}

group.skipIf(process.env.SLIPWAY_SKIP_MAVEN === "1")("spring-boot-postgres-oidc through ./mvnw", () => {
  let dir = "";
  let pg: TestPostgres | undefined;
  let issuer: TestIssuer | undefined;
  let app: JavaProcess | undefined;
  let db: { open(): Promise<void>; close(): void } | undefined;
  let appPort = 0;
  let spec: ReturnType<typeof serviceSpec>;
  let agent = "";
  const leftovers: string[] = [];

  beforeAll(async () => {
    appPort = await freePort();
    // The Deployment sets no PORT: the container listens on the preset's port, which the service
    // file declares as the container port the probes use.
    const request = { name: "demo", owner: "octocat", port: appPort };
    spec = serviceSpec(request);
    dir = writeProject(generateSample("spring-boot-postgres-oidc", request));
  });

  afterAll(async () => {
    await app?.stop();
    db?.close();
    await issuer?.close();
    pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    // Tomcat's base directory outlives the JVM.
    for (const path of leftovers) rmSync(path, { recursive: true, force: true });
  });

  it(
    "passes `./mvnw verify`, the generated test starting the app without database and issuer",
    async () => {
      expect(jdk, "a JDK 21+ (JAVA_HOME or /usr/lib/jvm)").toBeDefined();
      expect(statSync(join(dir, "mvnw")).mode & 0o111).not.toBe(0);
      const build = await maven(dir, ["verify"], { javaHome: jdk?.home ?? "", wrapper: true });
      expect(build.code, build.output.slice(-6000)).toBe(0);
      expect(build.output).toContain("DemoApplicationTests");
      expect(surefireSummary(build.output)).toEqual({ run: 7, failures: 0, errors: 0, skipped: 0 });
      console.info(`spring-boot-postgres-oidc: ./mvnw verify took ${Math.round(build.ms / 1000)} s`);
      // The OpenTelemetry Java agent, as the platform's operator injects it for `runtime: java`.
      const copy = await maven(
        dir,
        [
          "dependency:copy",
          "-Dartifact=io.opentelemetry.javaagent:opentelemetry-javaagent:2.31.1",
          "-DoutputDirectory=target/agent",
        ],
        { javaHome: jdk?.home ?? "" },
      );
      expect(copy.code, copy.output.slice(-3000)).toBe(0);
      agent = join(dir, "target/agent/opentelemetry-javaagent-2.31.1.jar");
    },
    BUILD_MS,
  );

  it("runs as the Deployment runs it: down database and issuer at start, then ready; notes by bearer token", async () => {
    expect(existsSync(join(dir, "target/app.jar")), "the build above produced target/app.jar").toBe(true);
    expect(findPostgresBinDir(), "PostgreSQL server binaries (apt-get install -y postgresql)").toBeDefined();
    pg = await startPostgres();
    const password = "app-password";
    for (const sql of [`create role demo login password '${password}'`, "create database demo owner demo"]) {
      const r = pg.psql(["-c", sql]);
      expect(r.status, r.stderr).toBe(0);
    }
    const dbPort = await freePort();
    db = await databaseSwitch(dbPort, pg.port);
    const issuerPort = await freePort();

    // The JVM flags of the image's ENTRYPOINT, under the memory limit the service file declares.
    const entrypoint = JSON.parse(
      /^ENTRYPOINT (\[.*\])$/m.exec(readFileSync(join(dir, "Dockerfile"), "utf8"))?.[1] ?? "[]",
    ) as string[];
    const jvmFlags = entrypoint.slice(1, entrypoint.indexOf("-jar"));
    const limitMi = mebibytes(spec.resources.limits.memory);
    expect(spec.runtime).toBe("java");

    // Exactly the env the Deployment sets (core's workload.ts: database customizer, identity
    // customizer, otel customizer); nothing else but PATH and the agent's switches.
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      DATABASE_HOST: "127.0.0.1",
      DATABASE_PORT: String(dbPort),
      DATABASE_NAME: "demo",
      DATABASE_USERNAME: "demo",
      DATABASE_PASSWORD: password,
      OIDC_ISSUER_URL: `http://127.0.0.1:${issuerPort}`,
      OIDC_CLIENT_ID: "demo-client",
      OIDC_CLIENT_SECRET: "demo-client-secret",
      OTEL_SERVICE_NAME: "demo",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:1",
      // The operator injects the agent through JAVA_TOOL_OPTIONS; nothing to export to here.
      JAVA_TOOL_OPTIONS: `-javaagent:${agent}`,
      OTEL_TRACES_EXPORTER: "none",
      OTEL_METRICS_EXPORTER: "none",
      OTEL_LOGS_EXPORTER: "none",
    };
    const asRoot = process.getuid?.() === 0;
    const before = readdirSync(dir).sort();
    const startedAt = Date.now() - 1000;
    app = startJava(
      [...jvmFlags, `-XX:MaxRAM=${limitMi}m`, "-XX:NativeMemoryTracking=summary", "-jar", "target/app.jar"],
      { cwd: dir, env, javaHome: jdk?.home ?? "", ...(asRoot ? { user: "nobody" } : {}) },
    );
    const url = (path: string) => `http://127.0.0.1:${appPort}${path}`;
    const status = async (path: string) => (await fetch(url(path))).status;

    // Starts (the startup probe uses the liveness path) while PostgreSQL and the issuer are down.
    await eventually(async () => {
      const running = app?.child.exitCode === null && app.child.signalCode === null;
      if (!running) return `exited: ${app?.output().slice(-4000)}`;
      expect(await status(spec.health.liveness)).toBe(200);
      return "running";
    }, 150_000).then((state) => expect(state, "the app is running").toBe("running"));
    expect(await status(spec.health.readiness)).toBe(503);
    await new Promise((r) => setTimeout(r, 3000));
    expect(app.child.exitCode, app.output().slice(-3000)).toBeNull();
    expect(await status(spec.health.liveness)).toBe(200);
    expect(await status(spec.health.readiness)).toBe(503);

    // Both come up: ready without a restart.
    await db.open();
    issuer = await startIssuer({
      port: issuerPort,
      app: { id: env.OIDC_CLIENT_ID ?? "", secret: env.OIDC_CLIENT_SECRET ?? "" },
    });
    await eventually(async () => expect(await status(spec.health.readiness)).toBe(200), 90_000);

    const { token, subject } = await issuer.accessToken();
    const bearer = { authorization: `Bearer ${token}` };
    const created = await fetch(url("/api/notes"), {
      method: "POST",
      headers: { ...bearer, "content-type": "application/json" },
      body: JSON.stringify({ text: "written with a bearer token" }),
    });
    expect(created.status, String(created.headers.get("www-authenticate"))).toBe(201);
    expect(await created.json()).toMatchObject({ author: subject, text: "written with a bearer token" });
    const listed = await fetch(url("/api/notes"), { headers: bearer });
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as { text: string }[]).map((n) => n.text)).toEqual([
      "written with a bearer token",
    ]);
    const me = await fetch(url("/api/me"), { headers: bearer });
    expect(await me.json()).toMatchObject({ subject });

    const anonymous = await fetch(url("/api/notes"));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const forged = await fetch(url("/api/notes"), {
      method: "POST",
      headers: { authorization: "Bearer not-a-token", "content-type": "application/json" },
      body: "{}",
    });
    expect(forged.status).toBe(401);
    // The issuer's token with its signature broken.
    const wrong = await fetch(url("/api/notes"), {
      headers: { authorization: `Bearer ${token.slice(0, -4)}AAAA` },
    });
    expect(wrong.status).toBe(401);

    // Non-root with a read-only working directory: nothing written beside the jar; Tomcat's base
    // directory is in java.io.tmpdir (/tmp, the Deployment's only writable mount).
    expect(readdirSync(dir).sort()).toEqual(before);
    const tomcat = readdirSync(tmpdir()).filter(
      (n) => n.startsWith(`tomcat.${appPort}.`) && statSync(join(tmpdir(), n)).mtimeMs >= startedAt,
    );
    leftovers.push(...tomcat.map((n) => join(tmpdir(), n)));
    expect(tomcat.length, tomcat.join(" ")).toBe(1);
    if (asRoot) expect(statSync(join(tmpdir(), tomcat[0] ?? "")).uid).not.toBe(0);

    // Memory: the heap the ENTRYPOINT's MaxRAMPercentage allows under the limit, plus what the JVM
    // and the agent use outside the heap after serving requests, must fit the limit with room left.
    const pid = app.child.pid;
    const nmt = spawnSync(
      asRoot ? "runuser" : join(jdk?.home ?? "", "bin/jcmd"),
      asRoot
        ? [
            "-u",
            "nobody",
            "--",
            join(jdk?.home ?? "", "bin/jcmd"),
            String(javaPid(pid)),
            "VM.native_memory",
            "summary",
            "scale=MB",
          ]
        : [String(pid), "VM.native_memory", "summary", "scale=MB"],
      { encoding: "utf8" },
    );
    const total = /Total: reserved=\d+MB, committed=(\d+)MB/.exec(nmt.stdout);
    const heap = /Java Heap \(reserved=(\d+)MB, committed=(\d+)MB\)/.exec(nmt.stdout);
    expect(total && heap, nmt.stdout + nmt.stderr).toBeTruthy();
    const maxHeap = Number(heap?.[1]);
    const nonHeap = Number(total?.[1]) - Number(heap?.[2]);
    console.info(
      `memory under a ${limitMi} MiB limit with ${jvmFlags.join(" ")}: max heap ${maxHeap} MB, non-heap committed ${nonHeap} MB (JVM + OTel agent)`,
    );
    // 10% of the limit for what NMT does not see (glibc arenas) and later growth. With the former
    // MaxRAMPercentage=75 this was 384 + 244 MB, over the limit itself.
    expect(maxHeap + nonHeap).toBeLessThanOrEqual(limitMi * 0.9);
    expect(maxHeap).toBeGreaterThanOrEqual(limitMi * 0.3);
  }, 420_000);
});

/** runuser's child: the JVM whose NMT jcmd must attach to. */
function javaPid(runuserPid: number | undefined): number {
  const r = spawnSync("pgrep", ["-P", String(runuserPid)], { encoding: "utf8" });
  const pid = Number(r.stdout.trim().split("\n")[0]);
  if (!pid) throw new Error(`no child of runuser ${runuserPid}`);
  return pid;
}
