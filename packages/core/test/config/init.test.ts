import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { isMap, isPair, isScalar, parseDocument } from "yaml";
import {
  ConflictError,
  components,
  InputError,
  initPlatform,
  loadSpec,
  prepare,
  type SlipwayError,
  starterFiles,
} from "../../src/index.js";

const fresh = () => mkdtempSync(join(tmpdir(), "slipway-init-"));

function thrown(fn: () => unknown): SlipwayError {
  try {
    fn();
  } catch (e) {
    return e as SlipwayError;
  }
  throw new Error("expected a throw");
}

describe("slipway init", () => {
  it("writes a starter that loads and resolves with zero diagnostics", () => {
    const dir = fresh();
    const { files } = initPlatform(dir);
    expect(files).toEqual(
      expect.arrayContaining(["platform.yaml", "services/hello.yaml", "README.md", ".gitignore"]),
    );
    for (const f of files) expect(existsSync(join(dir, f)), f).toBe(true);
    const spec = loadSpec(join(dir, "platform.yaml"), components);
    expect(spec.services.map((s) => s.name)).toEqual(["hello"]);
    expect(() => prepare(join(dir, "platform.yaml"))).not.toThrow();
  });

  it("fills --domain, --owner and --repo", () => {
    const dir = fresh();
    initPlatform(dir, {
      domain: "lab.example.org",
      owner: "octocat",
      repo: "ssh://git@github.com/octocat/gitops.git",
    });
    const { platform, services } = loadSpec(join(dir, "platform.yaml"), components);
    expect(platform.domain).toBe("lab.example.org");
    expect(platform.github.owner).toBe("octocat");
    expect(platform.git.repoURL).toBe("ssh://git@github.com/octocat/gitops.git");
    expect(services[0]?.host).toBe("hello.lab.example.org");
  });

  it("lists every registered component, each under a comment, and fits one node", () => {
    const text = starterFiles().find((f) => f.path === "platform.yaml")?.content ?? "";
    const doc = parseDocument(text);
    const list = doc.getIn(["spec", "components"], true);
    if (!isMap(list)) throw new Error("spec.components is not a mapping");
    const ids = list.items.map((p) => (isPair(p) && isScalar(p.key) ? String(p.key.value) : ""));
    expect(ids).toEqual(components.map((c) => c.id));
    // yaml attaches a first item's comment to its collection, so check the comment by line.
    const lines = text.split("\n");
    for (const id of ids) {
      const at = lines.indexOf(`    ${id}:`);
      expect(lines[at - 1], id).toMatch(/^ {4}# \S/);
    }
    // The heavy observability stack stays off on a single node.
    expect(doc.getIn(["spec", "components", "observability", "enabled"])).toBe(false);
    expect((doc.toJS() as { spec: { cluster: { nodes: unknown[] } } }).spec.cluster.nodes).toHaveLength(1);
  });

  it("points both YAML files' modelines at schema files it writes", () => {
    const dir = fresh();
    initPlatform(dir);
    for (const f of ["platform.yaml", "services/hello.yaml"]) {
      const first = readFileSync(join(dir, f), "utf8").split("\n")[0] ?? "";
      const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
      expect(m, f).not.toBeNull();
      const schema = resolve(dirname(join(dir, f)), m?.[1] ?? "");
      expect(JSON.parse(readFileSync(schema, "utf8")).title, f).toMatch(/Slipway/);
    }
  });

  // Issue 16, red-team rerun: a dangling link at README.md passed the exists check, and the
  // exclusive write through it failed with exit 70 after platform.yaml and services/ were written.
  it("counts a dangling link as an existing file: SW_INIT_FILE_EXISTS, nothing written", () => {
    const dir = fresh();
    symlinkSync(join(dir, "nowhere"), join(dir, "README.md"));
    const e = thrown(() => initPlatform(dir));
    expect(e.diagnostics.map((d) => d.code)).toEqual(["SW_INIT_FILE_EXISTS"]);
    expect(readdirSync(dir)).toEqual(["README.md"]);
  });

  it("refuses to overwrite any existing file and writes nothing", () => {
    const dir = fresh();
    writeFileSync(join(dir, "README.md"), "mine\n");
    mkdirSync(join(dir, "services"));
    writeFileSync(join(dir, "services/hello.yaml"), "mine\n");
    const e = thrown(() => initPlatform(dir));
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.diagnostics.map((d) => d.code)).toEqual(["SW_INIT_FILE_EXISTS", "SW_INIT_FILE_EXISTS"]);
    expect(e.diagnostics.map((d) => d.message.split(" ")[0])).toEqual([
      expect.stringMatching(/services\/hello\.yaml$/),
      expect.stringMatching(/README\.md$/),
    ]);
    expect(existsSync(join(dir, "platform.yaml"))).toBe(false);
    expect(readFileSync(join(dir, "README.md"), "utf8")).toBe("mine\n");
  });

  it("rejects invalid option values by flag", () => {
    const e = thrown(() => starterFiles({ domain: "Not A Domain", owner: "-bad-", repo: "ftp://x" }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.diagnostics.map((d) => [d.code, d.path[0]])).toEqual([
      ["SW_INIT_INVALID_OPTION", "--domain"],
      ["SW_INIT_INVALID_OPTION", "--owner"],
      ["SW_INIT_INVALID_OPTION", "--repo"],
    ]);
  });
});
