import type { BootstrapPlan } from "./plan.js";
import type { ApplyReport, StatusReport } from "./run.js";

const BY: Record<string, string> = {
  apply: "--apply runs it",
  wait: "the cluster does it; --apply checks it",
  manual: "by hand; --apply stops here until it is done",
};

/** The plan as text: every step with why, preconditions, commands, done-when and the fix. */
export function formatPlan(plan: BootstrapPlan): string {
  const out = [
    `# Bootstrap of platform ${plan.platform}: ${plan.steps.length} steps, in order.`,
    "# Run from the root of the rendered repository. `slipway bootstrap status` tells which step the",
    "# cluster is at; `slipway bootstrap --apply` runs the steps marked so and skips those already done.",
    "",
  ];
  plan.steps.forEach((s, i) => {
    out.push(`## ${i + 1}. ${s.id} — ${s.title}`);
    const by = s.done.length === 0 ? "advice: by hand, not checked" : BY[s.by];
    out.push(`   (${by}${s.tools.length > 0 ? `; needs ${s.tools.join(", ")}` : ""})`);
    out.push(...wrap(s.why, "   "));
    for (const c of s.preconditions) out.push(`   requires: ${c.describe}`);
    out.push("");
    for (const c of s.commands) out.push(`   ${c}`);
    out.push("");
    for (const c of s.done) {
      out.push(`   done when: ${c.describe}`);
      out.push(...wrap(`if not: ${c.fix}`, "     "));
    }
    out.push("");
  });
  return `${out.join("\n").trimEnd()}\n`;
}

const MARK = { done: "✓", todo: "✗", unknown: "?", advice: "·" } as const;

/** One line per step, then where the cluster is and what to run next. */
export function formatStatus(plan: BootstrapPlan, r: StatusReport): string {
  const width = Math.max(...r.steps.map((s) => s.id.length));
  const out = r.steps.map((s) => {
    const why = s.failed ? `  — ${s.failed.describe}${s.failed.detail ? ` (${s.failed.detail})` : ""}` : "";
    return `${MARK[s.state]} ${s.id.padEnd(width)}  ${s.state.padEnd(7)}${why}`;
  });
  out.push("");
  if (r.at === undefined) {
    out.push("at: done — every checked step holds");
  } else {
    const s = plan.steps.find((x) => x.id === r.at);
    const st = r.steps.find((x) => x.id === r.at);
    out.push(`at: ${r.at} — ${s?.title ?? ""}`);
    if (st?.failed) out.push(...wrap(`next: ${st.failed.fix}`, ""));
  }
  return `${out.join("\n")}\n`;
}

export function formatApply(r: ApplyReport): string {
  if (!r.stopped) return "bootstrap: every step done\n";
  const s = r.stopped;
  const out = [`stopped at ${s.step}: ${s.message}`, ...wrap(`hint: ${s.fix}`, "  ")];
  if (s.reason === "by-hand" || s.reason === "waiting") {
    out.push("  commands:", ...s.commands.map((c) => `    ${c}`));
    out.push("  then run `slipway bootstrap --apply` again: done steps are skipped.");
  }
  return `${out.join("\n")}\n`;
}

/** Wraps prose at ~100 columns with a prefix (commands are never wrapped). */
function wrap(text: string, prefix: string): string[] {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = "";
  for (const w of words) {
    if (line !== "" && prefix.length + line.length + 1 + w.length > 100) {
      lines.push(`${prefix}${line}`);
      line = w;
    } else {
      line = line === "" ? w : `${line} ${w}`;
    }
  }
  if (line !== "") lines.push(`${prefix}${line}`);
  return lines;
}
