/**
 * The Spring Initializr peer of bench/scaffold (issue 14): its build, its process, the requests both
 * servers are loaded with, and the client requests whose answers are compared.
 *
 * The peer (bench/scaffold/initializr/) is a Spring Boot application of ours over Maven Central's
 * io.spring.initializr:initializr-web and initializr-generator-spring (pinned in its pom.xml). It is
 * built with `mvn -B -q package -DskipTests` into ~/.cache/slipway/bench/initializr/<hash>, where
 * <hash> covers the pom and every source file, so it is rebuilt only when they change.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { basename, join, relative } from "node:path";
import { SPRING_BOOT_VERSION } from "@slipway/presets";

const project = join(import.meta.dirname, "initializr");

/** The pinned io.spring.initializr version, as the pom says. */
export const INITIALIZR_VERSION =
  /<initializr\.version>([^<]+)</.exec(readFileSync(join(project, "pom.xml"), "utf8"))?.[1] ?? "unknown";

/** True when `java` and `mvn` both run. */
export function javaToolchain(): boolean {
  const ok = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
  return ok("java", ["-version"]) && ok("mvn", ["-v"]);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .filter((f) => !relative(project, f).startsWith("target"))
    .sort();
}

/**
 * The peer's executable jar, built unless the cache holds one for these exact sources. The build
 * resolves from Maven Central (the local repository ~/.m2 after the first time).
 */
export function buildInitializr(): string {
  const hash = createHash("sha256");
  for (const f of sourceFiles(project)) {
    hash.update(relative(project, f)).update("\0").update(readFileSync(f)).update("\0");
  }
  const root = join(homedir(), ".cache/slipway/bench/initializr");
  const dir = join(root, hash.digest("hex").slice(0, 16));
  const jar = join(dir, "target/initializr-peer.jar");
  if (existsSync(jar)) return jar;
  const work = `${dir}.building-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  cpSync(project, work, { recursive: true, filter: (src) => !relative(project, src).startsWith("target") });
  process.stderr.write(`building the Initializr peer in ${dir} (mvn package)\n`);
  const t0 = performance.now();
  const r = spawnSync("mvn", ["-B", "-q", "package", "-DskipTests"], { cwd: work, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`mvn package of bench/scaffold/initializr failed (exit ${r.status})`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(work, dir);
  // Earlier sources' builds are dead weight (~26 MB each); a concurrent build is left alone.
  for (const e of readdirSync(root)) {
    if (e !== basename(dir) && !e.includes(".building-"))
      rmSync(join(root, e), { recursive: true, force: true });
  }
  process.stderr.write(`built in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return jar;
}

/**
 * JVM settings of the peer. `default` is `java -jar` as it comes (on this 24 GiB machine the JVM
 * sizes its heap up to a quarter of RAM, with G1); `small` is sized for a container like the one the
 * seed budgets a Spring Boot scaffold for (256 MiB).
 */
export interface JvmConfig {
  readonly name: string;
  readonly flags: readonly string[];
}

export const JVM_CONFIGS: readonly JvmConfig[] = [
  { name: "default", flags: [] },
  { name: "small", flags: ["-Xmx128m", "-XX:+UseSerialGC"] },
];

/**
 * Any attempt of the peer to reach the internet fails at once: plain and TLS HTTP go through a proxy
 * on a closed loopback port. initializr-web does not fetch anything with this application's
 * configuration (its metadata update strategy keeps application.yml's; start.spring.io registers
 * one that reads spring.io); this makes that so rather than assumed.
 */
const OFFLINE = [
  "-Dhttp.proxyHost=127.0.0.1",
  "-Dhttp.proxyPort=9",
  "-Dhttps.proxyHost=127.0.0.1",
  "-Dhttps.proxyPort=9",
  "-Dhttp.nonProxyHosts=",
];

export function startInitializr(jar: string, config: JvmConfig, port: number, stdout: number): ChildProcess {
  return spawn(
    "java",
    [...config.flags, ...OFFLINE, "-jar", jar, `--server.port=${port}`, "--server.address=127.0.0.1"],
    { stdio: ["ignore", stdout, "inherit"] },
  );
}

/**
 * The Spring project request both servers are loaded with: what an IDE sends for a Maven project with
 * Spring Web. Slipway's scaffold maps it to its spring-boot-microservice preset (issue 14).
 */
export const SPRING_PROJECT = "type=maven-project&dependencies=web";

/** The starter.zip of the load, per request: a new name every time, so nothing answers from a cache. */
export function starterPath(name: string): string {
  return `/starter.zip?${SPRING_PROJECT}&groupId=com.example&artifactId=${name}&name=${name}&javaVersion=21`;
}

/** Why two answers' statuses differ, judged: what Slipway meant to do, or a defect of its server. */
export interface Verdict {
  readonly verdict: "intended" | "defect";
  readonly why: string;
}

export interface ContractCase {
  readonly label: string;
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A form body (POST). */
  readonly form?: string;
  /** Set when the statuses differ on purpose or by a known defect; a difference without one is flagged. */
  readonly differs?: Verdict;
  /** What the status alone does not show. */
  readonly note?: string;
}

const accept = (type: string) => ({ accept: type });
const V21 = "application/vnd.initializr.v2.1+json";
const V22 = "application/vnd.initializr.v2.2+json";
const V23 = "application/vnd.initializr.v2.3+json";
const SPRING = `/starter.zip?${SPRING_PROJECT}`;

/** The client requests both servers get, byte for byte the same. */
export const CONTRACT: readonly ContractCase[] = [
  { label: "metadata, Accept v2.1", method: "GET", path: "/metadata/client", headers: accept(V21) },
  { label: "metadata, Accept v2.2", method: "GET", path: "/metadata/client", headers: accept(V22) },
  {
    label: "metadata, Accept v2.3",
    method: "GET",
    path: "/metadata/client",
    headers: accept(V23),
    differs: {
      verdict: "intended",
      why: "v2.3 is the format of Initializr 0.24 (Boot 4); the peer is 0.22, which knows up to v2.2",
    },
  },
  {
    label: "metadata, Accept application/json",
    method: "GET",
    path: "/metadata/client",
    headers: accept("application/json"),
    note: "Initializr labels it v2.1+json, Slipway application/json",
  },
  {
    label: "metadata, no Accept",
    method: "GET",
    path: "/metadata/client",
    note: "Initializr answers hal+json (v2.1), Slipway v2.3",
  },
  {
    label: "metadata, Accept text/plain",
    method: "GET",
    path: "/metadata/client",
    headers: accept("text/plain"),
  },
  {
    label: "metadata, Accept application/xml",
    method: "GET",
    path: "/metadata/client",
    headers: accept("application/xml"),
  },
  { label: "curl (help text)", method: "GET", path: "/", headers: { "user-agent": "curl/8.5.0" } },
  {
    label: "curl, Accept application/json",
    method: "GET",
    path: "/",
    headers: { "user-agent": "curl/8.5.0", accept: "application/json" },
  },
  { label: "home, Accept v2.2", method: "GET", path: "/", headers: accept(V22) },
  { label: "dependencies", method: "GET", path: "/dependencies" },
  {
    label: `dependencies, Boot ${SPRING_BOOT_VERSION}`,
    method: "GET",
    path: `/dependencies?bootVersion=${SPRING_BOOT_VERSION}`,
  },
  {
    label: "dependencies, Boot 9.9.9",
    method: "GET",
    path: "/dependencies?bootVersion=9.9.9",
    differs: {
      verdict: "intended",
      why: "Slipway refuses a Boot version it does not generate (SW_SCAFFOLD_UNSUPPORTED); Initializr without compatibility ranges echoes any",
    },
  },
  {
    label: "dependencies, Accept application/xml",
    method: "GET",
    path: "/dependencies",
    headers: accept("application/xml"),
  },
  { label: "starter.zip, no parameters", method: "GET", path: "/starter.zip" },
  { label: "starter.zip, Spring Web", method: "GET", path: SPRING },
  {
    label: "starter.zip, Spring Web, POSTed form",
    method: "POST",
    path: "/starter.zip",
    form: SPRING_PROJECT,
  },
  {
    label: "starter.zip, every listed dependency but oauth2-resource-server",
    method: "GET",
    path: "/starter.zip?type=maven-project&dependencies=web,actuator,postgresql,data-jpa,flyway,oauth2-client,security",
  },
  {
    label: "starter.zip, oauth2-resource-server",
    method: "GET",
    // A defect this comparison found (the POM had it, the catalog did not); fixed, now the same.
    path: "/starter.zip?type=maven-project&dependencies=oauth2-resource-server",
  },
  { label: "starter.zip, javaVersion=21", method: "GET", path: `${SPRING}&javaVersion=21` },
  { label: "starter.zip, unknown dependency", method: "GET", path: "/starter.zip?dependencies=nope" },
  { label: "starter.zip, unknown type", method: "GET", path: "/starter.zip?type=nope" },
  { label: "starter.zip, gradle-project", method: "GET", path: "/starter.zip?type=gradle-project" },
  {
    label: "starter.zip, type maven-build",
    method: "GET",
    path: "/starter.zip?type=maven-build",
    note: "Initializr answers with a project too",
  },
  {
    label: "starter.zip, empty type",
    method: "GET",
    path: "/starter.zip?type=",
    differs: {
      verdict: "intended",
      why: "Slipway reads an empty value as absent for every parameter (a form's unset field): the default type",
    },
  },
  {
    label: "starter.zip, javaVersion=17",
    method: "GET",
    path: `${SPRING}&javaVersion=17`,
    differs: {
      verdict: "intended",
      why: "Slipway validates against the versions its metadata offers, 21 and 25 (SW_PRESET_INVALID_PARAMETER); Initializr 0.22 writes any string into the POM",
    },
  },
  {
    label: "starter.zip, javaVersion=abc",
    method: "GET",
    path: `${SPRING}&javaVersion=abc`,
    differs: { verdict: "intended", why: "as javaVersion=17" },
  },
  {
    label: "starter.zip, groupId 'bad group'",
    method: "GET",
    path: `${SPRING}&groupId=bad%20group`,
    differs: {
      verdict: "intended",
      why: "Slipway refuses it (SW_PRESET_INVALID_GROUP_ID); Initializr writes it into a POM that Maven then rejects",
    },
  },
  {
    label: "starter.zip, packageName 1bad-pkg",
    method: "GET",
    path: `${SPRING}&packageName=1bad-pkg`,
    differs: {
      verdict: "intended",
      why: "Slipway refuses it (SW_PRESET_INVALID_PACKAGE); Initializr silently rewrites it into a valid package",
    },
  },
  {
    label: "starter.zip, artifactId 'Bad Artifact'",
    method: "GET",
    path: `${SPRING}&artifactId=Bad%20Artifact`,
    differs: {
      verdict: "intended",
      why: "the artifactId also names the service, a DNS label (SW_PRESET_INVALID_NAME); Initializr accepts it",
    },
  },
  {
    label: "starter.zip, bootVersion=9.9.9",
    method: "GET",
    path: `${SPRING}&bootVersion=9.9.9`,
    differs: {
      verdict: "intended",
      why: "Slipway generates one Boot version only and says so (SW_SCAFFOLD_UNSUPPORTED); Initializr writes 9.9.9 into the POM",
    },
  },
  { label: "starter.zip, packaging=war", method: "GET", path: `${SPRING}&packaging=war` },
  { label: "starter.zip, language=kotlin", method: "GET", path: `${SPRING}&language=kotlin` },
  {
    label: "starter.zip, unknown parameter",
    method: "GET",
    path: `${SPRING}&foo=bar`,
    differs: {
      verdict: "intended",
      why: "one schema for the request (SW_SCAFFOLD_UNKNOWN_PARAMETER); Initializr ignores unknown parameters, so a client sending a newer one works there only",
    },
  },
  {
    label: "starter.zip, POST with an empty form",
    method: "POST",
    path: "/starter.zip",
    form: "",
    note: "the defaults, as a GET without parameters",
  },
  {
    label: "starter.tgz, no parameters",
    method: "GET",
    path: "/starter.tgz",
    note: "Initializr labels it application/x-compress, Slipway application/gzip",
  },
  { label: "pom.xml", method: "GET", path: "/pom.xml?type=maven-build&dependencies=web" },
  { label: "unknown path", method: "GET", path: "/nope" },
];
