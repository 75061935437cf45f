import { formatGraph, GRAPH_FORMATS, type GraphFormat, prepare } from "@slipway/core";
import { defineCommand } from "citty";
import { configArg } from "../args.js";
import { EXIT, out } from "../format.js";

export const graphCommand = defineCommand({
  meta: {
    name: "graph",
    description:
      "Print the dependency graph of enabled components and services with their Argo CD sync waves",
  },
  args: {
    config: configArg,
    format: {
      type: "enum",
      description:
        "A Mermaid flowchart, a Graphviz digraph, or JSON {nodes:[{id,kind,wave,dependsOn}],edges:[{from,to}]}; edges run from a dependency to its dependent",
      options: [...GRAPH_FORMATS],
      default: "mermaid",
    },
  },
  run({ args }) {
    const { graph } = prepare(args.config);
    out(formatGraph(graph, args.format as GraphFormat));
    return EXIT.ok;
  },
});
