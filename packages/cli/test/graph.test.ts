import { describe, expect, it } from "vitest";
import { snapshot, tempDir } from "../../core/test/write/helpers.js";
import { HELLO, service, slipway, writeTinyPlatform } from "./_slipway.js";

interface GraphJson {
  nodes: { id: string; kind: "component" | "service"; wave: number; dependsOn: string[] }[];
  edges: { from: string; to: string }[];
}

function platform(services: Record<string, string> = { hello: HELLO }): string {
  const root = tempDir("slipway-graph-");
  writeTinyPlatform(root, services);
  return root;
}

describe("slipway graph", () => {
  it("--format json: the documented shape; every node syncs after its dependencies", () => {
    const root = platform({ hello: HELLO, api: service("api", "  dependsOn: [hello]\n") });
    const r = slipway(["graph", "--format", "json"], { cwd: root });
    expect(r.code).toBe(0);
    const g = JSON.parse(r.stdout) as GraphJson;
    expect(Object.keys(g).sort()).toEqual(["edges", "nodes"]);
    const byId = new Map(g.nodes.map((n) => [n.id, n]));
    for (const n of g.nodes) {
      expect(Object.keys(n).sort()).toEqual(["dependsOn", "id", "kind", "wave"]);
      for (const d of n.dependsOn) expect(byId.get(d)?.wave ?? Number.POSITIVE_INFINITY).toBeLessThan(n.wave);
    }
    expect(g.edges.length).toBe(g.nodes.reduce((k, n) => k + n.dependsOn.length, 0));
    for (const e of g.edges) expect(byId.get(e.to)?.dependsOn).toContain(e.from);
    expect(byId.get("service:api")).toMatchObject({ kind: "service" });
    expect(byId.get("service:api")?.dependsOn).toContain("service:hello");
    expect(byId.get("argocd")).toMatchObject({ kind: "component", wave: 0 });
    // Disabled components are not in the graph.
    expect(byId.has("postgres")).toBe(false);
    // Nodes come in sync order.
    const waves = g.nodes.map((n) => n.wave);
    expect(waves).toEqual([...waves].sort((a, b) => a - b));
  });

  it("defaults to a mermaid flowchart; dot is a digraph with balanced braces", () => {
    const root = platform();
    const mermaid = slipway(["graph"], { cwd: root });
    expect(mermaid.code).toBe(0);
    expect(mermaid.stdout.split("\n")[0]).toBe("flowchart LR");
    expect(mermaid.stdout.match(/^\s*subgraph /gm)?.length).toBe(mermaid.stdout.match(/^\s*end$/gm)?.length);
    const dot = slipway(["graph", "--format=dot"], { cwd: root });
    expect(dot.code).toBe(0);
    expect(dot.stdout).toMatch(/^digraph slipway \{\n/);
    expect(dot.stdout.split("{").length).toBe(dot.stdout.split("}").length);
    expect(dot.stdout).toContain('"service:hello"');
  });

  it("is deterministic and writes nothing", () => {
    const root = platform();
    const before = snapshot(root);
    const a = slipway(["graph", "--format", "json"], { cwd: root });
    const b = slipway(["graph", "--format", "json"], { cwd: root });
    expect(a.stdout).toBe(b.stdout);
    expect(snapshot(root)).toEqual(before);
  });

  it("a dependency cycle between services exits 2 with SW_DEP_CYCLE", () => {
    const root = platform({
      a: service("a", "  dependsOn: [b]\n").replace("subdomain: a", "subdomain: sa"),
      b: service("b", "  dependsOn: [a]\n").replace("subdomain: b", "subdomain: sb"),
    });
    const r = slipway(["graph"], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("SW_DEP_CYCLE");
  });

  it("an unknown format exits 2", () => {
    const root = platform();
    expect(slipway(["graph", "--format", "svg"], { cwd: root }).code).toBe(2);
  });
});
