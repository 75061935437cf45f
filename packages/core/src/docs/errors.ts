import type { Policy } from "../check/policy.js";
import { policyCode } from "../check/policy.js";
import {
  ERROR_AREAS,
  ERROR_KINDS,
  ERRORS,
  type ErrorArea,
  type ErrorEntry,
  type PolicyId,
} from "../errors.js";

/** A section of the reference: an area of the catalogue, with policies after `check`. */
const ORDER: readonly (ErrorArea | "policies")[] = [
  "spec",
  "components",
  "render",
  "check",
  "policies",
  "init",
  "presets",
  "onboarding",
  "scaffold",
  "registry",
];

const POLICIES_TITLE = "Policies (`slipway check`)";

/**
 * The error reference (docs/reference/errors.md), generated from the catalogue (errors.ts) and
 * the registered policies so it cannot drift: every code with its kind, exit code, summary and
 * hint, grouped by area. `npm run gen` rewrites it; a test fails when it is stale.
 */
export function errorReference(policies: readonly Policy[]): string {
  const byArea = new Map<ErrorArea, [string, ErrorEntry][]>();
  for (const [code, entry] of Object.entries(ERRORS) as [string, ErrorEntry][]) {
    byArea.set(entry.area, [...(byArea.get(entry.area) ?? []), [code, entry]]);
  }
  const title = (a: ErrorArea | "policies") => (a === "policies" ? POLICIES_TITLE : ERROR_AREAS[a].title);
  const out: string[] = [
    "# Error reference",
    "",
    "Generated from `packages/core/src/errors.ts` and the registered policies by `npm run gen`; do not",
    "edit. Every problem Slipway reports has one of these codes. The CLI prints it as",
    "`file:line:col: error CODE: message`, then the path in the YAML (`at spec.services[0].port`), an",
    "excerpt of the line with a caret, and a hint; the scaffold service answers with the code in its",
    "JSON error body. Tests assert codes, never messages: a code keeps its meaning.",
    "",
    "The kind of a code decides how a run ends:",
    "",
    "| kind | `slipway` exit code | scaffold service HTTP status |",
    "|---|---|---|",
    ...Object.values(ERROR_KINDS).map(
      (k) => `| ${k.title} | ${k.exit} | ${k.http === undefined ? "—" : String(k.http)} |`,
    ),
    "",
    "A run with several problems exits with the code of the first error it throws; warnings and info",
    "never fail a run. `slipway check` exits 1 on any finding.",
    "",
    ...ORDER.map((a) => `- [${title(a)}](#${anchor(title(a))})`),
  ];
  for (const area of ORDER) {
    out.push("", `## ${title(area)}`, "");
    if (area === "policies") {
      out.push(
        "Rules over the rendered tree, one code per policy, derived from its id (`no-secrets` →",
        "`SW_POLICY_NO_SECRETS`). A finding fails `slipway check` (exit 1) unless the policy reports",
        "it as a warning. What each rule enforces and why: [check.md](../check.md#policies).",
      );
      for (const p of [...policies].sort((a, b) => (a.id < b.id ? -1 : 1))) {
        out.push(
          "",
          `### \`${policyCode(p.id as PolicyId)}\``,
          "",
          `*${sentence(ERROR_KINDS.finding.title)}, exit 1* (policy \`${p.id}\`). ${p.description}.`,
        );
      }
      continue;
    }
    out.push(ERROR_AREAS[area].about);
    const entries = (byArea.get(area) ?? []).sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [code, e] of entries) {
      const kind = ERROR_KINDS[e.kind];
      out.push("", `### \`${code}\``, "", `*${sentence(kind.title)}, exit ${kind.exit}.* ${e.summary}`);
      if (e.hint !== undefined) out.push("", `Hint: ${e.hint}`);
    }
  }
  return `${out.join("\n")}\n`;
}

/** GitHub's anchor of a heading: lowercase, punctuation dropped, spaces to '-'. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function sentence(s: string): string {
  return `${s.charAt(0).toUpperCase()}${s.slice(1)}`;
}
