import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { put, read, snapshot, tempDir } from "../../core/test/write/helpers.js";
import { repo, slipway, writeTinyPlatform } from "./_slipway.js";

// Issue 16, red-team rerun: links and non-files a pull request can commit among the inputs.
// M2: `services/x.yaml -> ~/.git-credentials` had its first line printed (message and excerpt),
// `-> /dev/zero` was read until the OOM killer came. M3: a directory or a link loop at
// services/x.yaml was exit 70. M1: `slipway new` wrote through a planted link.

const SECRET = "https://ci:hunter2-supersecret@github.com";

function platformWith(plant: (root: string) => void): string {
  const root = tempDir("slipway-links-");
  writeTinyPlatform(root);
  plant(root);
  return root;
}

function secretFile(): string {
  const dir = tempDir("slipway-secret-");
  put(dir, { ".git-credentials": `${SECRET}\n` });
  return join(dir, ".git-credentials");
}

describe("inputs that are not regular files are refused, never read", () => {
  it.each([
    [
      "a link to a credentials file",
      (root: string) => symlinkSync(secretFile(), join(root, "services/leak.yaml")),
    ],
    ["a link to /dev/zero", (root: string) => symlinkSync("/dev/zero", join(root, "services/zero.yaml"))],
    ["a link loop", (root: string) => symlinkSync("loop.yaml", join(root, "services/loop.yaml"))],
    ["a dangling link", (root: string) => symlinkSync("/nonexistent/x", join(root, "services/gone.yaml"))],
    ["a directory", (root: string) => mkdirSync(join(root, "services/dir.yaml/f"), { recursive: true })],
    ["a FIFO", (root: string) => execFileSync("mkfifo", [join(root, "services/fifo.yaml")])],
  ])("services/*.yaml as %s: exit 2, SW_SPEC_NOT_A_FILE located at it, nothing quoted", (_name, plant) => {
    const root = platformWith(plant);
    const before = snapshot(root);
    for (const args of [["synth"], ["synth", "--check"], ["check"]]) {
      const r = slipway(args, { cwd: root, timeout: 30_000 });
      expect(r.signal, args.join(" ")).toBeNull();
      expect(r.code, `${args.join(" ")}\n${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/services\/\w+\.yaml:1:1: error SW_SPEC_NOT_A_FILE/);
      expect(r.stderr).not.toContain("hunter2");
      expect(r.stderr).not.toContain("internal error");
    }
    expect(snapshot(root)).toEqual(before);
  });

  it("platform.yaml as a link: SW_SPEC_NOT_A_FILE, its target not quoted", () => {
    const root = platformWith((r) => {
      writeFileSync(join(r, "platform.yaml"), "");
      execFileSync("rm", [join(r, "platform.yaml")]);
      symlinkSync(secretFile(), join(r, "platform.yaml"));
    });
    const r = slipway(["synth"], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("SW_SPEC_NOT_A_FILE");
    expect(r.stderr).not.toContain("hunter2");
  });

  it.each([
    [
      "a link to a directory outside",
      (root: string, outside: string) => {
        cpSync(join(root, "services"), outside, { recursive: true });
        execFileSync("rm", ["-r", join(root, "services")]);
        symlinkSync(outside, join(root, "services"));
      },
    ],
    [
      "a regular file (it read as 'no services' and deleted every service's files)",
      (root: string) => {
        execFileSync("rm", ["-r", join(root, "services")]);
        writeFileSync(join(root, "services"), "x\n");
      },
    ],
  ])("services/ as %s: exit 2, SW_SPEC_SERVICES_NOT_A_DIR, nothing deleted", (_name, plant) => {
    const root = tempDir("slipway-links-");
    writeTinyPlatform(root);
    expect(slipway(["synth"], { cwd: root }).code).toBe(0);
    plant(root, join(tempDir("slipway-outside-"), "services"));
    const before = snapshot(root);
    const r = slipway(["synth"], { cwd: root });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("SW_SPEC_SERVICES_NOT_A_DIR");
    expect(snapshot(root)).toEqual(before);
  });

  it("an ownership record entry too long for the filesystem is exit 2, not 70", () => {
    const root = tempDir("slipway-links-");
    writeTinyPlatform(root);
    expect(slipway(["synth"], { cwd: root }).code).toBe(0);
    const record = JSON.parse(read(root, ".slipway/owned.json")) as { files: Record<string, string> };
    record.files[`k8s/${"a".repeat(300)}`] = "0".repeat(64);
    put(root, { ".slipway/owned.json": `${JSON.stringify(record, null, 2)}\n` });
    const before = snapshot(root);
    for (const args of [["synth"], ["synth", "--check"]]) {
      const r = slipway(args, { cwd: root });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/SW_WRITE_OWNERSHIP_(CORRUPT|TAMPERED)/);
    }
    expect(snapshot(root)).toEqual(before);
  });
});

describe("slipway new never writes through a planted link", () => {
  const env = { ...process.env, NO_COLOR: "1" };
  function example(): string {
    const root = join(tempDir("slipway-new-links-"), "platform");
    cpSync(join(repo, "examples/homelab"), root, { recursive: true });
    return root;
  }

  it("at the service file's old temporary name: the victim is untouched, services/demo.yaml is a file", () => {
    const root = example();
    const victim = join(tempDir("slipway-victim-"), "victim.txt");
    writeFileSync(victim, "precious\n");
    symlinkSync(victim, join(root, "services/.demo.yaml.slipway-new"));
    const out = join(tempDir("slipway-new-out-"), "demo");
    const r = slipway(["new", "demo", "--preset", "node-service", "--repo-out", out], { cwd: root, env });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    expect(read(root, "services/demo.yaml")).toContain("name: demo");
    expect(execFileSync("find", [join(root, "services"), "-type", "l"], { encoding: "utf8" }).trim()).toBe(
      join(root, "services/.demo.yaml.slipway-new"),
    );
  });

  it("services/ as a link to a directory outside: refused, nothing written there", () => {
    const root = example();
    const outside = join(tempDir("slipway-outside-"), "services");
    cpSync(join(root, "services"), outside, { recursive: true });
    execFileSync("rm", ["-r", join(root, "services")]);
    symlinkSync(outside, join(root, "services"));
    const before = [snapshot(root), snapshot(outside)];
    const out = join(tempDir("slipway-new-out-"), "demo");
    const r = slipway(["new", "demo", "--preset", "node-service", "--repo-out", out], { cwd: root, env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("SW_SPEC_SERVICES_NOT_A_DIR");
    expect([snapshot(root), snapshot(outside)]).toEqual(before);
  });

  it("--platform-repo whose config path runs through a link: refused, nothing written outside", () => {
    const src = join(tempDir("slipway-platform-src-"), "p");
    mkdirSync(src);
    execFileSync("git", ["init", "-q", "-b", "main", src]);
    const outside = tempDir("slipway-outside-");
    cpSync(join(repo, "examples/homelab"), outside, { recursive: true });
    symlinkSync(outside, join(src, "cfg"));
    writeFileSync(join(src, "README.md"), "x\n");
    const git = (args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: src });
    git(["add", "-A"]);
    git(["commit", "-q", "-m", "hostile"]);
    const before = snapshot(outside);
    const r = slipway(
      ["new", "demo", "--preset", "node-service", "--platform-repo", src, "--config", "cfg/platform.yaml"],
      { cwd: tempDir("slipway-cwd-"), env },
    );
    expect(r.code, r.stderr).not.toBe(0);
    expect(r.code).not.toBe(70);
    expect(r.stderr).toContain("SW_WRITE_SYMLINK");
    expect(snapshot(outside)).toEqual(before);
  });
});

describe("slipway new onto a full filesystem", () => {
  // Red-team rerun: --repo-out on another, full filesystem was exit 70 and left a half-copied repository.
  // Not tempDir(): its cleanup after each test would try to remove the mounted directory.
  const mountPoint = mkdtempSync(join(tmpdir(), "slipway-tmpfs-"));
  const mounted =
    process.platform === "linux" &&
    spawnSync("mount", ["-t", "tmpfs", "-o", "size=32k", "tmpfs", mountPoint]).status === 0;
  afterAll(() => {
    if (mounted) spawnSync("umount", [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it.runIf(mounted)(
    "is SW_NEW_REPO_OUT_FAILED, exit 1, with nothing left at --repo-out and the platform unchanged",
    () => {
      const root = join(tempDir("slipway-new-full-"), "platform");
      cpSync(join(repo, "examples/homelab"), root, { recursive: true });
      const before = snapshot(root);
      const out = join(mountPoint, "demo");
      const r = slipway(["new", "demo", "--preset", "node-service", "--repo-out", out], {
        cwd: root,
        env: { ...process.env, NO_COLOR: "1" },
      });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain("SW_NEW_REPO_OUT_FAILED");
      expect(existsSync(out)).toBe(false);
      expect(snapshot(root)).toEqual(before);
    },
  );
});
