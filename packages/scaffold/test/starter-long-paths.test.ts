import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { server } from "./helpers.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// Issue 16: a baseDir segment over 155 characters fits neither ustar's name nor its prefix (500).
describe("/starter.tgz with long directory names", () => {
  it.each([156, 200, 255])("a %i-character segment: full paths through a PAX header", async (n) => {
    const app = await server();
    const base = `${"d".repeat(n)}/inner`;
    const res = await app.inject({
      url: `/starter.tgz?type=spring-boot-postgres-oidc&name=demo&baseDir=${base}`,
    });
    expect(res.statusCode).toBe(200);
    const dir = mkdtempSync(join(tmpdir(), "scaffold-tgz-"));
    dirs.push(dir);
    writeFileSync(join(dir, "a.tgz"), res.rawPayload);
    const listing = execFileSync("tar", ["-tzf", "a.tgz"], { cwd: dir, encoding: "utf8" }).trim().split("\n");
    expect(listing.length).toBeGreaterThan(5);
    expect(listing.every((p) => p.startsWith(`${base}/`))).toBe(true);
    execFileSync("tar", ["-xzf", "a.tgz"], { cwd: dir });
    expect(statSync(join(dir, base, "pom.xml")).isFile()).toBe(true);
  });

  it("refuses a segment no file system takes (over 255 bytes) with 400, in both formats", async () => {
    const app = await server();
    for (const ext of ["zip", "tgz"]) {
      const res = await app.inject({ url: `/starter.${ext}?type=node-service&baseDir=a/${"d".repeat(256)}` });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ parameter: "baseDir", code: "SW_SCAFFOLD_BASE_DIR_TOO_LONG" });
    }
  });
});
