import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, expect, describe as group, it } from "vitest";
import { eventually, freePort, generateSample, writeProject } from "./helpers/project.js";

/*
 * The generated nginx.conf, run by Debian's nginx (`apt-get install -y nginx`) exactly as the image
 * runs it: `nginx -p <prefix>/ -c nginx.conf`, with the built site in <prefix>/html. The port is the
 * preset's own `port` parameter, set to a free port.
 */
const NODE = process.execPath;

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "GET" }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

group("static-frontend served by nginx", () => {
  let dir = "";
  let port = 0;
  let nginx: ChildProcess | undefined;
  let stderr = "";

  beforeAll(async () => {
    port = await freePort();
    dir = writeProject(generateSample("static-frontend", { name: "site", owner: "octocat", port }));
    // The project's own build (no dependencies) and its own test.
    for (const args of [["--test"], ["scripts/build.mjs"]]) {
      const run = spawnSync(NODE, args, { cwd: dir, encoding: "utf8" });
      expect(run.status, run.stdout + run.stderr).toBe(0);
    }
    mkdirSync(join(dir, "prefix"), { mode: 0o755 });
    cpSync(join(dir, "dist"), join(dir, "prefix/html"), { recursive: true });
  });

  afterAll(() => {
    nginx?.kill("SIGTERM");
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const args = () => ["-e", "stderr", "-p", `${join(dir, "prefix")}/`, "-c", join(dir, "nginx.conf")];

  it("passes nginx -t", () => {
    // stdout ignored: Node's stdio pipes are sockets, which nginx cannot open as /dev/stdout.
    const run = spawnSync("nginx", ["-t", ...args()], {
      encoding: "utf8",
      stdio: ["ignore", "ignore", "pipe"],
    });
    expect(run.error, "nginx is installed (apt-get install -y nginx)").toBeUndefined();
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain("test is successful");
  });

  it("serves the page, the SPA fallback, hashed assets and /healthz, without a version token", async () => {
    nginx = spawn("nginx", [...args(), "-g", "daemon off;"], { stdio: ["ignore", "ignore", "pipe"] });
    nginx.stderr?.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const health = await eventually(() => get(port, "/healthz"));
    expect(health.status, stderr).toBe(200);
    expect(health.body).toBe("ok\n");
    expect((await get(port, "/readyz")).status).toBe(200);

    const index = await get(port, "/");
    expect(index.status).toBe(200);
    expect(index.body).toContain("<title>site</title>");
    expect(index.headers["cache-control"]).toBe("no-cache");
    expect(index.headers["x-content-type-options"]).toBe("nosniff");
    expect(index.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(index.headers["x-frame-options"]).toBe("DENY");

    const route = await get(port, "/some/route");
    expect(route.status).toBe(200);
    expect(route.body).toBe(index.body);
    expect(route.headers["cache-control"]).toBe("no-cache");

    const script = /src="(\/assets\/app\.[0-9a-f]{12}\.js)"/.exec(index.body)?.[1];
    expect(script, "index.html references the hashed script").toBeDefined();
    const asset = await get(port, script ?? "");
    expect(asset.status).toBe(200);
    expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(asset.headers["content-type"]).toMatch(/javascript/);

    // A missing asset is a 404 that nobody may cache: with the immutable header a browser or CDN
    // would keep the error for a year after the file is deployed.
    const missing = await get(port, "/assets/missing.0123456789ab.js");
    expect(missing.status).toBe(404);
    expect(missing.headers["cache-control"]).toBe("no-store");
    expect(missing.headers["x-content-type-options"]).toBe("nosniff");
    const revalidated = await new Promise<Response>((resolve, reject) => {
      const etag = String(asset.headers.etag);
      const req = request(
        { host: "127.0.0.1", port, path: script ?? "", headers: { "if-none-match": etag } },
        (res) => {
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: "" }));
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers["cache-control"]).toBe("public, max-age=31536000, immutable");

    for (const r of [health, index, route, asset]) {
      expect(r.headers.server).toBe("nginx");
      expect(String(r.headers.server)).not.toMatch(/nginx\/\d/);
    }
  });
});
