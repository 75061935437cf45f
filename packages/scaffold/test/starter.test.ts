import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { server, unzipWithModes } from "./helpers.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "scaffold-test-"));
  dirs.push(d);
  return d;
};

describe("/starter.zip", () => {
  it("node-service: the project's files at the archive root", async () => {
    const app = await server();
    const res = await app.inject({ url: "/starter.zip?type=node-service&name=demo&owner=octocat" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/zip");
    expect(res.headers["content-disposition"]).toBe('attachment; filename="demo.zip"');
    const files = unzipWithModes(res.rawPayload);
    for (const path of [
      "package.json",
      "package-lock.json",
      "Dockerfile",
      ".github/workflows/ci.yaml",
      "catalog-info.yaml",
      ".slipway.json",
      "README.md",
    ]) {
      expect(files.has(path), path).toBe(true);
    }
    expect(JSON.parse(files.get("package.json")?.text ?? "{}").name).toBe("demo");
    expect(JSON.parse(files.get(".slipway.json")?.text ?? "{}")).toMatchObject({
      preset: { id: "node-service" },
    });
    expect(files.get("package.json")?.mode).toBe(0o644);
  });

  it("keeps an executable's mode (0755) in the external attributes", async () => {
    const app = await server();
    const res = await app.inject({ url: "/starter.zip?type=static-frontend&name=site" });
    const files = unzipWithModes(res.rawPayload);
    expect(files.get("scripts/build.mjs")?.mode).toBe(0o755);
  });

  it("extracts with the real unzip, modes kept", async () => {
    const app = await server();
    const res = await app.inject({ url: "/starter.zip?type=static-frontend&name=site&baseDir=site" });
    const dir = tempDir();
    writeFileSync(join(dir, "a.zip"), res.rawPayload);
    execFileSync("unzip", ["-tq", "a.zip"], { cwd: dir });
    execFileSync("unzip", ["-q", "a.zip"], { cwd: dir });
    expect(statSync(join(dir, "site/scripts/build.mjs")).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, "site/package.json")).mode & 0o777).toBe(0o644);
  });

  it("puts every entry under baseDir", async () => {
    const app = await server();
    const res = await app.inject({ url: "/starter.zip?type=node-service&name=demo&baseDir=demo" });
    expect(res.statusCode).toBe(200);
    const paths = [...unzipWithModes(res.rawPayload).keys()];
    expect(paths.length).toBeGreaterThan(5);
    expect(paths.every((p) => p.startsWith("demo/"))).toBe(true);
  });

  it("is byte-identical for the same request", async () => {
    const app = await server();
    const a = await app.inject({ url: "/starter.zip?type=node-service&name=demo" });
    const b = await app.inject({ url: "/starter.zip?type=node-service&name=demo" });
    expect(Buffer.compare(a.rawPayload, b.rawPayload)).toBe(0);
  });

  it("accepts a form POST (curl -d) and a JSON POST", async () => {
    const app = await server();
    const form = await app.inject({
      method: "POST",
      url: "/starter.zip",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "type=spring-boot-microservice&groupId=org.acme&artifactId=orders&name=orders",
    });
    expect(form.statusCode).toBe(200);
    const files = [...unzipWithModes(form.rawPayload).keys()];
    expect(files).toContain("src/main/java/org/acme/orders/OrdersApplication.java");
    const json = await app.inject({
      method: "POST",
      url: "/starter.zip",
      payload: { preset: "node-service", name: "api" },
    });
    expect(json.statusCode).toBe(200);
  });

  it("chooses the preset from the dependencies when no type is given", async () => {
    const app = await server();
    const res = await app.inject({ url: "/starter.zip?dependencies=postgres,oidc&name=shop" });
    expect(res.statusCode).toBe(200);
    const meta = JSON.parse(unzipWithModes(res.rawPayload).get(".slipway.json")?.text ?? "{}");
    expect(meta.preset.id).toBe("spring-boot-postgres-oidc");
  });
});

describe("/starter.tgz", () => {
  it("extracts with the real tar, modes kept", async () => {
    const app = await server();
    const res = await app.inject({ url: "/starter.tgz?type=static-frontend&name=site&baseDir=site" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/gzip");
    expect(res.headers["content-disposition"]).toBe('attachment; filename="site.tar.gz"');
    const dir = tempDir();
    writeFileSync(join(dir, "a.tgz"), res.rawPayload);
    const listing = execFileSync("tar", ["-tzf", "a.tgz"], { cwd: dir, encoding: "utf8" }).trim().split("\n");
    expect(listing.every((p) => p.startsWith("site/"))).toBe(true);
    execFileSync("tar", ["-xzf", "a.tgz"], { cwd: dir });
    expect(statSync(join(dir, "site/scripts/build.mjs")).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, "site/README.md")).mode & 0o777).toBe(0o644);
    expect(JSON.parse(readFileSync(join(dir, "site/.slipway.json"), "utf8")).preset.id).toBe(
      "static-frontend",
    );
  });

  it("handles paths longer than 100 bytes (ustar prefix)", async () => {
    const app = await server();
    const base = `${"a".repeat(60)}/${"b".repeat(60)}`;
    const res = await app.inject({
      url: `/starter.tgz?type=spring-boot-postgres-oidc&name=demo&baseDir=${base}`,
    });
    expect(res.statusCode).toBe(200);
    const dir = tempDir();
    writeFileSync(join(dir, "a.tgz"), res.rawPayload);
    execFileSync("tar", ["-xzf", "a.tgz"], { cwd: dir });
    expect(statSync(join(dir, base, "pom.xml")).isFile()).toBe(true);
  });
});

describe("bad requests name the parameter", () => {
  it.each([
    ["type=spring-boot-microservice&packageName=com.class.demo", "packageName", "SW_PRESET_INVALID_PACKAGE"],
    [
      "type=spring-boot-microservice&name=demo&artifactId=Bad_Artifact",
      "artifactId",
      "SW_PRESET_INVALID_PARAMETER",
    ],
    ["type=node-service&artifactId=Not-A-Label", "artifactId", "SW_PRESET_INVALID_NAME"],
    ["type=node-service&subdomain=-x", "subdomain", "SW_PRESET_INVALID_NAME"],
    ["type=node-service&port=80", "port", "SW_PRESET_INVALID_PARAMETER"],
    ["type=nope", "type", "SW_SCAFFOLD_UNKNOWN_TYPE"],
    ["preset=nope", "preset", "SW_PRESET_NOT_FOUND"],
    ["type=node-service&dependencies=kafka", "dependencies", "SW_SCAFFOLD_UNKNOWN_DEPENDENCY"],
    ["type=static-frontend&database=postgres", "database", "SW_SCAFFOLD_UNSUPPORTED"],
    ["type=node-service&auth=saml", "auth", "SW_SCAFFOLD_INVALID_PARAMETER"],
    ["type=spring-boot-microservice&language=kotlin", "language", "SW_SCAFFOLD_UNSUPPORTED"],
    ["type=node-service&frobnicate=1", "frobnicate", "SW_SCAFFOLD_UNKNOWN_PARAMETER"],
  ])("%s → 400 naming %s", async (query, parameter, code) => {
    const app = await server();
    const res = await app.inject({ url: `/starter.zip?${query}` });
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    const body = res.json();
    expect(body).toMatchObject({ status: 400, error: "Bad Request", parameter, code });
    expect(typeof body.message).toBe("string");
  });

  it.each(["..", "../x", "a/../../b", "/etc", "/", "C:/x", "a\\..\\b", "./a", "a//b"])(
    "refuses baseDir %j (400, parameter baseDir)",
    async (baseDir) => {
      const app = await server();
      for (const ext of ["zip", "tgz"]) {
        const res = await app.inject({
          url: `/starter.${ext}?type=node-service&baseDir=${encodeURIComponent(baseDir)}`,
        });
        expect(res.statusCode).toBe(400);
        expect(res.json()).toMatchObject({ parameter: "baseDir", code: "SW_SCAFFOLD_UNSAFE_BASE_DIR" });
      }
    },
  );
});

describe("limits", () => {
  it("rate-limits archive requests per IP with 429 and Retry-After", async () => {
    const app = await server({ limits: { archivesPerWindow: 2, windowMs: 60_000 } });
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await app.inject({ url: "/starter.zip?name=demo" })).statusCode);
    expect(codes).toEqual([200, 200, 429]);
    const res = await app.inject({ url: "/starter.tgz?name=demo" });
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
    expect((await app.inject({ url: "/metadata/client" })).statusCode).toBe(200);
  });

  it("refuses a body over the limit with 413", async () => {
    const app = await server({ limits: { bodyBytes: 1024 } });
    const res = await app.inject({
      method: "POST",
      url: "/starter.zip",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: `description=${"x".repeat(4096)}`,
    });
    expect(res.statusCode).toBe(413);
  });
});
