import { type Budget, computeBudget, type Resources, renderPlatform, type Unbounded } from "@slipway/core";
import { defineCommand } from "citty";
import { configArg } from "../args.js";
import { EXIT, out } from "../format.js";

export const budgetCommand = defineCommand({
  meta: {
    name: "budget",
    description:
      "Sum CPU/memory requests and limits per component against the nodes' allocatable capacity; exit 1 when it does not fit",
  },
  args: {
    config: configArg,
    format: { type: "enum", description: "Output format", options: ["text", "json"], default: "text" },
  },
  run({ args }) {
    const session = renderPlatform(args.config);
    const budget = computeBudget(session);
    out(
      args.format === "json"
        ? `${JSON.stringify({ version: 1, ...budget }, null, 2)}\n`
        : formatBudget(budget),
    );
    return budget.fits ? EXIT.ok : EXIT.failed;
  },
});

const MiB = 1024 * 1024;
const mib = (bytes: number) => `~${Math.round(bytes / MiB)} MiB`;
const cpu = (m: number) => `${m}m`;

/** The per-component table, memory in MiB the way the seed estimates it ("~886 MB on a 4 GB node"). */
export function formatBudget(b: Budget): string {
  const rows: string[][] = [["component", "cpu req", "cpu lim", "mem req", "mem lim"]];
  const row = (name: string, r: Resources, l: Resources, u: Unbounded) => {
    // No limit at all reads "none"; a sum that leaves some containers unlimited is a lower bound (*).
    const lim = (n: number, open: number, f: (n: number) => string) =>
      n === 0 && open > 0 ? "none" : `${f(n)}${open > 0 ? "*" : ""}`;
    rows.push([
      name,
      cpu(r.cpuMillis),
      lim(l.cpuMillis, u.cpu, cpu),
      mib(r.memoryBytes),
      lim(l.memoryBytes, u.memory, mib),
    ]);
  };
  for (const c of b.components) row(c.component, c.requests, c.limits, c.unbounded);
  const open = {
    cpu: b.components.reduce((s, c) => s + c.unbounded.cpu, 0),
    memory: b.components.reduce((s, c) => s + c.unbounded.memory, 0),
  };
  row("total", b.total.requests, b.total.limits, open);
  rows.push(["allocatable", cpu(b.allocatable.cpuMillis), "", mib(b.allocatable.memoryBytes), ""]);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  const line = (r: string[]) =>
    r
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  const lines = rows.map(line);
  lines.splice(rows.length - 2, 0, "-".repeat((lines[0] ?? "").length));
  if (open.cpu + open.memory > 0) {
    lines.push(
      `* lower bound: ${open.cpu} container(s) without a CPU limit, ${open.memory} without a memory limit`,
    );
  }
  if (b.jobs.length > 0) {
    lines.push("jobs (run to completion, not in the steady state):");
    for (const j of b.jobs) {
      lines.push(
        `  ${j.component} ${j.workload}: ${cpu(j.requests.cpuMillis)} / ${mib(j.requests.memoryBytes)} requested`,
      );
    }
  }
  const pct = (a: number, t: number) => (t > 0 ? Math.round((a / t) * 100) : 0);
  const cap = `${b.nodes} node${b.nodes === 1 ? "" : "s"}: ${cpu(b.capacity.cpuMillis)} CPU, ${mib(b.capacity.memoryBytes)}, less ${cpu(b.reserved.cpuMillis)} / ${mib(b.reserved.memoryBytes)} reserved`;
  lines.push(
    `${b.fits ? "fits" : "does NOT fit"}: ${mib(b.total.requests.memoryBytes)} of ${mib(b.allocatable.memoryBytes)} memory (${pct(b.total.requests.memoryBytes, b.allocatable.memoryBytes)}%) and ${cpu(b.total.requests.cpuMillis)} of ${cpu(b.allocatable.cpuMillis)} CPU (${pct(b.total.requests.cpuMillis, b.allocatable.cpuMillis)}%) requested on ${cap}`,
  );
  return `${lines.join("\n")}\n`;
}
