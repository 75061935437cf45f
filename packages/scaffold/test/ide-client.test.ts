import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { escape as queryEscape } from "node:querystring";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Started, startServer } from "../src/start.js";

/**
 * The request sequences of real Initializr clients, replayed over HTTP against `slipway serve --dev`
 * (loopback clients need no token, as IDE wizards cannot sign in). Each sequence is the client's
 * own code read as data: URLs, headers and how it picks values from the metadata.
 */

let started: Started;
let url: string;
const dirs: string[] = [];

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "ide-client-"));
  dirs.push(d);
  return d;
}

beforeAll(async () => {
  const git = tempDir();
  started = await startServer({
    port: await freePort(),
    host: "127.0.0.1",
    dev: true,
    // Configured, so that --dev seeds no local platform repository: these clients never create one.
    pushTarget: join(git, "{name}.git"),
    env: { SLIPWAY_DEV_GIT_DIR: git, LOG_LEVEL: "silent" },
  });
  url = started.url;
}, 60_000);

afterAll(async () => {
  await started?.app.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Extracts with the real `unzip` into `dir` and returns it. */
function unzip(bytes: ArrayBuffer, dir: string): string {
  const file = join(tempDir(), "download.zip");
  writeFileSync(file, Buffer.from(bytes));
  mkdirSync(dir, { recursive: true });
  execFileSync("unzip", ["-q", "-o", file, "-d", dir]);
  return dir;
}

/** A JDK that compiles `--release 21`: JAVA_HOME when it is one, else Debian's Temurin 25 package. */
function jdk(): string {
  const candidates = [process.env.JAVA_HOME, "/usr/lib/jvm/temurin-25-jdk-amd64"];
  for (const home of candidates) {
    if (home === undefined || !existsSync(join(home, "bin/java"))) continue;
    // `java -version` writes to stderr: `openjdk version "25.0.1" ...`.
    const { stderr } = spawnSync(join(home, "bin/java"), ["-version"], { encoding: "utf8" });
    if (Number(/version "(\d+)/.exec(stderr)?.[1] ?? 0) >= 21) return home;
  }
  throw new Error(`no JDK 21 or later in ${candidates.join(", ")}: set JAVA_HOME to one`);
}

const presetOf = (dir: string): string =>
  JSON.parse(readFileSync(join(dir, ".slipway.json"), "utf8")).preset.id;

interface Named {
  readonly id: string;
  readonly name: string;
  readonly versionRange?: string;
}

/**
 * microsoft/vscode-spring-initializr: `ServiceManager` reads the metadata from the service URL itself
 * with METADATA_HEADERS; `downloadFile` sends `User-Agent: vscode/<version>`. The pick steps put the
 * metadata default first; language and packaging are the picked *name* lower-cased, the Java version
 * the name, the boot version the id. `GenerateProjectHandler.downloadUrl` then builds the URL
 * (no baseDir), and the zip is extracted into `<folder>/<artifactId>`.
 */
describe("the VS Code Spring Initializr extension", () => {
  const VSCODE = {
    Accept: "application/vnd.initializr.v2.2+json,application/vnd.initializr.v2.1+json;q=0.9",
    "User-Agent": "vscode/0.11.2",
  };

  async function metadata(): Promise<Record<string, { default?: string; values: Named[] }>> {
    const res = await fetch(`${url}/`, { headers: VSCODE });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/vnd\.initializr\.v2\.2\+json/);
    return (await res.json()) as Record<string, { default?: string; values: Named[] }>;
  }

  const defaultFirst = (c: { default?: string; values: Named[] }): Named[] => [
    ...c.values.filter((v) => v.id === c.default),
    ...c.values.filter((v) => v.id !== c.default),
  ];

  /** `ServiceManager.getAvailableDependencies`: every group's values, by the boot version's range. */
  const available = (m: Record<string, { values: Named[] }>): Named[] =>
    ((m.dependencies?.values ?? []) as unknown as { values: Named[] }[]).flatMap((g) =>
      g.values.filter((d) => d.versionRange === undefined),
    );

  async function generate(
    projectType: string,
    dependencyNames: readonly string[],
  ): Promise<{ res: Response; artifactId: string }> {
    const m = await metadata();
    const bootVersion = (defaultFirst(m.bootVersion as never)[0] as Named).id;
    const language = (defaultFirst(m.language as never)[0] as Named).name.toLowerCase();
    const javaVersion = (defaultFirst(m.javaVersion as never)[0] as Named).name;
    const packaging = (defaultFirst(m.packaging as never)[0] as Named).name.toLowerCase();
    const deps = available(m);
    const ids = dependencyNames.map((n) => {
      const d = deps.find((x) => x.name === n);
      expect(d, `dependency named ${n}`).toBeDefined();
      return (d as Named).id;
    });
    const artifactId = "demo";
    const params = [
      `type=${projectType}`,
      `language=${language}`,
      `javaVersion=${javaVersion}`,
      "groupId=com.example",
      `artifactId=${artifactId}`,
      "packageName=com.example.demo",
      `name=${artifactId}`,
      `packaging=${packaging}`,
      `bootVersion=${bootVersion}`,
      `dependencies=${ids.join(",")}`,
      "configurationFileFormat=properties",
    ];
    const target = new URL(url);
    target.pathname = "/starter.zip";
    target.search = `?${params.join("&")}`;
    const res = await fetch(target, { headers: { "User-Agent": VSCODE["User-Agent"] } });
    return { res, artifactId };
  }

  it("is offered only build types it knows (Maven), each tagged with its build system", async () => {
    const m = await metadata();
    const types = m.type as unknown as { default: string; values: { id: string; tags: { build: string } }[] };
    expect(types.values.map((t) => t.id)).toEqual(["maven-project", "maven-build"]);
    expect(types.default).toBe("maven-project");
    expect(types.values.every((t) => t.tags.build === "maven")).toBe(true);
  });

  it("Create a Maven Project with Spring Web: the microservice, files at the zip's root", async () => {
    const { res, artifactId } = await generate("maven-project", ["Spring Web"]);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    const dir = unzip(await res.arrayBuffer(), join(tempDir(), artifactId));
    expect(existsSync(join(dir, "pom.xml"))).toBe(true);
    expect(existsSync(join(dir, artifactId))).toBe(false);
    expect(presetOf(dir)).toBe("spring-boot-microservice");
    expect(existsSync(join(dir, "src/main/java/com/example/demo/DemoApplication.java"))).toBe(true);
    expect(readFileSync(join(dir, "pom.xml"), "utf8")).toContain(
      "<artifactId>spring-boot-starter-web</artifactId>",
    );
  });

  it("the project it extracted builds with Maven (dependencies from Maven Central, cached in ~/.m2)", async () => {
    const { res, artifactId } = await generate("maven-project", ["Spring Web"]);
    const dir = unzip(await res.arrayBuffer(), join(tempDir(), artifactId));
    execFileSync("mvn", ["-q", "-B", "package", "-DskipTests"], {
      cwd: dir,
      stdio: "pipe",
      env: { ...process.env, JAVA_HOME: jdk() },
    });
    expect(existsSync(join(dir, "target/app.jar"))).toBe(true);
  }, 240_000);

  it("PostgreSQL Driver + OAuth2 Client: the PostgreSQL + OIDC preset", async () => {
    const { res } = await generate("maven-project", ["Spring Web", "PostgreSQL Driver", "OAuth2 Client"]);
    expect(res.status).toBe(200);
    const dir = unzip(await res.arrayBuffer(), tempDir());
    expect(presetOf(dir)).toBe("spring-boot-postgres-oidc");
    const pom = readFileSync(join(dir, "pom.xml"), "utf8");
    expect(pom).toContain("<artifactId>postgresql</artifactId>");
    expect(pom).toContain("<artifactId>spring-boot-starter-oauth2-client</artifactId>");
  });

  it("Add Starters reads /dependencies?bootVersion= for the coordinates in the generated pom", async () => {
    const m = await metadata();
    const res = await fetch(`${url}/dependencies?bootVersion=${m.bootVersion?.default}`, { headers: VSCODE });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      dependencies: Record<string, { groupId: string; artifactId: string }>;
    };
    expect(body.dependencies.web).toMatchObject({
      groupId: "org.springframework.boot",
      artifactId: "spring-boot-starter-web",
    });
    for (const d of available(m)) expect(body.dependencies, d.id).toHaveProperty(d.id);
  });

  it.each(["gradle-project", "gradle-project-kotlin"])(
    "Create a Gradle Project (%s): 400 with a code and a hint, as JSON",
    async (type) => {
      const { res } = await generate(type, ["Spring Web"]);
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({
        status: 400,
        error: "Bad Request",
        parameter: "type",
        code: "SW_SCAFFOLD_UNSUPPORTED_TYPE",
      });
      expect((body.diagnostics as { hint?: string }[])[0]?.hint).toContain("maven-project");
    },
  );
});

/**
 * @nxrocks/nx-spring-boot: `fetchBootDependencies` GETs `<url>/dependencies` with only a User-Agent
 * (node-fetch's Accept is `*\/*`) and offers its keys; `buildBootDownloadUrl` sends the options that
 * are set (no baseDir, no bootVersion by default, the description through querystring.escape), and
 * `generateBootProject` writes every zip entry to `<projectRoot>/<entry path>`.
 */
describe("the nx-spring-boot plugin", () => {
  const NX = { "User-Agent": "@nxrocks_nx-spring-boot/10.0.0", Accept: "*/*" };

  function downloadUrl(options: Record<string, string | undefined>): string {
    const params = [
      { key: "type", value: options.buildSystem },
      { key: "language", value: options.language },
      { key: "name", value: options.name },
      { key: "groupId", value: options.groupId },
      { key: "artifactId", value: options.artifactId },
      { key: "version", value: options.version },
      { key: "packageName", value: options.packageName },
      { key: "javaVersion", value: options.javaVersion },
      { key: "packaging", value: options.packaging },
      { key: "dependencies", value: options.dependencies },
      { key: "description", value: options.description ? queryEscape(options.description) : undefined },
      { key: "bootVersion", value: options.bootVersion },
    ].filter((e) => !!e.value);
    return `${url}/starter.zip?${params.map((e) => `${e.key}=${e.value}`).join("&")}`;
  }

  const defaults = {
    buildSystem: "maven-project",
    language: "java",
    groupId: "com.example",
    artifactId: "demo",
    packageName: "com.example.demo",
    packaging: "jar",
  };

  it("prompts with /dependencies, then writes the zip's entries into the project root", async () => {
    const deps = await fetch(`${url}/dependencies`, { headers: NX });
    expect(deps.status).toBe(200);
    const choices = Object.keys(((await deps.json()) as { dependencies: object }).dependencies);
    expect(choices).toEqual(expect.arrayContaining(["web", "postgresql", "flyway", "oauth2-client"]));

    const res = await fetch(
      downloadUrl({
        ...defaults,
        name: "orders-api",
        javaVersion: "21",
        dependencies: ["web", "actuator"].join(","),
        description: "Orders & billing API",
      }),
      { headers: { "User-Agent": NX["User-Agent"] } },
    );
    expect(res.status).toBe(200);
    const root = unzip(await res.arrayBuffer(), join(tempDir(), "apps/orders-api"));
    expect(existsSync(join(root, "pom.xml"))).toBe(true);
    expect(presetOf(root)).toBe("spring-boot-microservice");
    expect(readFileSync(join(root, "README.md"), "utf8")).toContain("Orders & billing API");
  });

  it("with data dependencies gets the PostgreSQL + OIDC preset", async () => {
    const res = await fetch(
      downloadUrl({
        ...defaults,
        name: "shop",
        javaVersion: "25",
        dependencies: "data-jpa,postgresql,flyway",
      }),
      { headers: { "User-Agent": NX["User-Agent"] } },
    );
    expect(res.status).toBe(200);
    const root = unzip(await res.arrayBuffer(), tempDir());
    expect(presetOf(root)).toBe("spring-boot-postgres-oidc");
    expect(readFileSync(join(root, "pom.xml"), "utf8")).toContain("<java.version>25</java.version>");
  });

  it.each([
    [
      "a Java version the presets do not build (its old default 11)",
      { javaVersion: "11" },
      "javaVersion",
      "SW_PRESET_INVALID_PARAMETER",
    ],
    ["buildSystem gradle-project", { buildSystem: "gradle-project" }, "type", "SW_SCAFFOLD_UNSUPPORTED_TYPE"],
    [
      "an unknown dependency",
      { dependencies: "web,kafka" },
      "dependencies",
      "SW_SCAFFOLD_UNKNOWN_DEPENDENCY",
    ],
    ["another Spring Boot version", { bootVersion: "3.4.0" }, "bootVersion", "SW_SCAFFOLD_UNSUPPORTED"],
  ])("%s: 400 naming the parameter", async (_what, override, parameter, code) => {
    const res = await fetch(downloadUrl({ ...defaults, name: "demo", javaVersion: "21", ...override }), {
      headers: { "User-Agent": NX["User-Agent"] },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ status: 400, error: "Bad Request", parameter, code });
  });
});

/** IntelliJ IDEA's wizard: its Accept header, every field with its default, the type's action. */
describe("IntelliJ IDEA", () => {
  const ACCEPT =
    "application/vnd.initializr.v2.3+json, application/vnd.initializr.v2.2+json;q=0.9, application/vnd.initializr.v2.1+json;q=0.8";

  it("reads /metadata/client, then downloads the default type's action with baseDir", async () => {
    const meta = await fetch(`${url}/metadata/client`, {
      headers: { accept: ACCEPT, "user-agent": "IntelliJ IDEA/2025.2" },
    });
    expect(meta.headers.get("content-type")).toMatch(/^application\/vnd\.initializr\.v2\.3\+json/);
    const m = (await meta.json()) as Record<string, { default: string; values: { id: string }[] }> & {
      type: { default: string; values: { id: string; action: string }[] };
      dependencies: { values: { values: { id: string }[] }[] };
    };
    const type = m.type.values.find((t) => t.id === m.type.default);
    expect(type?.action).toBe("/starter.zip");
    const params = new URLSearchParams({
      type: type?.id ?? "",
      language: m.language?.default ?? "",
      bootVersion: m.bootVersion?.default ?? "",
      baseDir: "orders",
      groupId: "org.acme",
      artifactId: "orders",
      name: "orders",
      description: "Orders service",
      packageName: "org.acme.orders",
      packaging: m.packaging?.default ?? "",
      javaVersion: m.javaVersion?.default ?? "",
      version: m.version?.default ?? "",
      // Every listed dependency: the largest combination still has a preset.
      dependencies: m.dependencies.values.flatMap((g) => g.values.map((d) => d.id)).join(","),
    });
    const zip = await fetch(`${url}${type?.action}?${params}`, {
      headers: { "user-agent": "IntelliJ IDEA/2025.2" },
    });
    expect(zip.status).toBe(200);
    const dir = unzip(await zip.arrayBuffer(), tempDir());
    expect(presetOf(join(dir, "orders"))).toBe("spring-boot-postgres-oidc");
    expect(existsSync(join(dir, "orders/src/main/java/org/acme/orders/OrdersApplication.java"))).toBe(true);
    expect(readFileSync(join(dir, "orders/pom.xml"), "utf8")).toContain("<groupId>org.acme</groupId>");
  });

  it("Maven POM (maven-build): the templated link gives the pom.xml alone", async () => {
    const m = (await (await fetch(`${url}/metadata/client`, { headers: { accept: ACCEPT } })).json()) as {
      _links: Record<string, { href: string; templated: boolean }>;
    };
    const link = m._links["maven-build"];
    expect(link?.templated).toBe(true);
    const href = (link?.href ?? "").replace(/\{&[^}]+\}$/, "&artifactId=orders&groupId=org.acme");
    const res = await fetch(href);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/xml/);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="pom.xml"');
    const pom = await res.text();
    expect(pom).toMatch(/^<\?xml/);
    expect(pom).toContain("<artifactId>orders</artifactId>");
  });
});
