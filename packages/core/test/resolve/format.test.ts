import { describe, expect, it } from "vitest";
import {
  formatGraph,
  type GraphNode,
  graphToDot,
  graphToJson,
  graphToMermaid,
  resolveOrder,
} from "../../src/index.js";

const nodes: GraphNode[] = [
  { id: "argocd", kind: "component", deps: [] },
  { id: "vault", kind: "component", deps: ["argocd"] },
  { id: "external-secrets", kind: "component", deps: ["argocd", "vault"] },
  { id: "gateway", kind: "component", deps: ["argocd", "disabled-optional"] },
  { id: "services", kind: "component", deps: ["external-secrets", "gateway"] },
  { id: "service:blog", kind: "service", deps: ["services"] },
  { id: "service:api", kind: "service", deps: ["services", "service:blog"] },
];
const graph = resolveOrder(nodes);

describe("graphToJson", () => {
  it("nodes in sync order with waves and present dependencies; edges dependency → dependent", () => {
    const g = graphToJson(graph);
    expect(g.nodes).toEqual([
      { id: "argocd", kind: "component", wave: 0, dependsOn: [] },
      { id: "gateway", kind: "component", wave: 10, dependsOn: ["argocd"] },
      { id: "vault", kind: "component", wave: 10, dependsOn: ["argocd"] },
      { id: "external-secrets", kind: "component", wave: 20, dependsOn: ["argocd", "vault"] },
      { id: "services", kind: "component", wave: 30, dependsOn: ["external-secrets", "gateway"] },
      { id: "service:blog", kind: "service", wave: 40, dependsOn: ["services"] },
      { id: "service:api", kind: "service", wave: 50, dependsOn: ["service:blog", "services"] },
    ]);
    expect(g.edges).toContainEqual({ from: "vault", to: "external-secrets" });
    expect(g.edges).toHaveLength(g.nodes.reduce((n, x) => n + x.dependsOn.length, 0));
    const sorted = [...g.edges].sort((a, b) => (`${a.from}\0${a.to}` < `${b.from}\0${b.to}` ? -1 : 1));
    expect(g.edges).toEqual(sorted);
    expect(JSON.parse(formatGraph(graph, "json"))).toEqual(g);
  });
});

/** A parser for the DOT subset graphToDot emits (the full grammar's statements, minus ports/HTML). */
function parseDot(text: string): {
  nodes: Set<string>;
  edges: [string, string][];
  clusters: Map<string, string[]>;
} {
  const tokens: string[] = [];
  const re = /\s+|("(?:[^"\\]|\\.)*")|(->|[{}[\];=,])|([A-Za-z_][\w.]*|-?\d+(?:\.\d+)?)|(.)/gy;
  for (let m = re.exec(text); m !== null && m.index < text.length; m = re.exec(text)) {
    if (m[4] !== undefined) throw new Error(`unexpected character ${m[4]}`);
    const t = m[1] ?? m[2] ?? m[3];
    if (t !== undefined) tokens.push(t);
  }
  let i = 0;
  const peek = () => tokens[i];
  const next = () => {
    const t = tokens[i++];
    if (t === undefined) throw new Error("unexpected end");
    return t;
  };
  const expectTok = (t: string) => {
    const got = next();
    if (got !== t) throw new Error(`expected ${t}, got ${got}`);
  };
  const isId = (t: string | undefined) => t !== undefined && /^("|[A-Za-z_]|-?\d)/.test(t);
  const id = () => {
    const t = next();
    if (!isId(t)) throw new Error(`expected an id, got ${t}`);
    return t.startsWith('"') ? (JSON.parse(t) as string) : t;
  };
  const nodesSeen = new Set<string>();
  const edges: [string, string][] = [];
  const clusters = new Map<string, string[]>();
  const attrList = () => {
    while (peek() === "[") {
      next();
      while (peek() !== "]") {
        id();
        expectTok("=");
        id();
        if (peek() === "," || peek() === ";") next();
      }
      next();
    }
  };
  const stmtList = (cluster: string[] | undefined) => {
    while (peek() !== "}") {
      const t = peek();
      if (t === "subgraph") {
        next();
        const name = isId(peek()) ? id() : "";
        expectTok("{");
        const members: string[] = [];
        clusters.set(name, members);
        stmtList(members);
        expectTok("}");
      } else if (t === "node" || t === "edge" || t === "graph") {
        next();
        attrList();
      } else {
        const first = id();
        if (peek() === "=") {
          next();
          id();
        } else {
          const chain = [first];
          while (peek() === "->") {
            next();
            chain.push(id());
          }
          for (const n of chain) {
            nodesSeen.add(n);
            if (chain.length === 1) cluster?.push(n);
          }
          for (let k = 1; k < chain.length; k++) edges.push([chain[k - 1] as string, chain[k] as string]);
          attrList();
        }
      }
      if (peek() === ";") next();
    }
  };
  expectTok("digraph");
  if (peek() !== "{") id();
  expectTok("{");
  stmtList(undefined);
  expectTok("}");
  if (i !== tokens.length) throw new Error("trailing tokens");
  return { nodes: nodesSeen, edges, clusters };
}

describe("graphToDot", () => {
  it("is a well-formed digraph: every node once in its wave cluster, every edge", () => {
    const dot = parseDot(graphToDot(graph));
    const g = graphToJson(graph);
    expect([...dot.nodes].sort()).toEqual(g.nodes.map((n) => n.id).sort());
    expect(dot.edges).toEqual(g.edges.map((e) => [e.from, e.to]));
    expect([...dot.clusters.keys()]).toEqual([
      "cluster_wave_0",
      "cluster_wave_10",
      "cluster_wave_20",
      "cluster_wave_30",
      "cluster_wave_40",
      "cluster_wave_50",
    ]);
    expect(dot.clusters.get("cluster_wave_10")).toEqual(["gateway", "vault"]);
  });

  it("quotes ids, so quotes and backslashes in names survive", () => {
    const odd = resolveOrder([
      { id: 'a"b', kind: "component", deps: [] },
      { id: "c\\d", kind: "component", deps: ['a"b'] },
    ]);
    const dot = parseDot(graphToDot(odd));
    expect(dot.edges).toEqual([['a"b', "c\\d"]]);
  });
});

describe("graphToMermaid", () => {
  it("is a well-formed flowchart: subgraph per wave, declared nodes, edges between declared ids", () => {
    const text = graphToMermaid(graph);
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe("flowchart LR");
    const declared = new Map<string, string>();
    let depth = 0;
    const edges: [string, string][] = [];
    for (const line of lines.slice(1)) {
      const node = /^ {4}(n\d+)(?:\["([^"]*)"\]|\(\["([^"]*)"\]\))$/.exec(line);
      const edge = /^ {2}(n\d+) --> (n\d+)$/.exec(line);
      if (/^ {2}subgraph (\w+)\["([^"]*)"\]$/.test(line)) depth++;
      else if (/^ {2}end$/.test(line)) depth--;
      else if (node) {
        expect(depth).toBe(1);
        declared.set(node[1] as string, (node[2] ?? node[3]) as string);
      } else if (edge) edges.push([edge[1] as string, edge[2] as string]);
      else throw new Error(`malformed line: ${JSON.stringify(line)}`);
      expect(depth).toBeGreaterThanOrEqual(0);
    }
    expect(depth).toBe(0);
    const g = graphToJson(graph);
    expect([...declared.values()].sort()).toEqual(g.nodes.map((n) => n.id).sort());
    const label = (id: string) => declared.get(id) ?? `undeclared ${id}`;
    expect(edges.map(([a, b]) => [label(a), label(b)])).toEqual(g.edges.map((e) => [e.from, e.to]));
    expect(text).toMatch(/\(\["service:blog"\]\)/);
  });

  it("escapes quotes in labels", () => {
    const text = graphToMermaid(resolveOrder([{ id: 'a"b', kind: "component", deps: [] }]));
    expect(text).toContain('n0["a#quot;b"]');
  });
});
