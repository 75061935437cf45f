import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repo, slipway } from "./_slipway.js";

// Every `slipway …` command the user-facing guides tell a person to type must exist, with every
// option it shows: a renamed flag or a removed command fails here, not on a reader's first try.
const DOCS = ["README.md", "docs/getting-started.md", "docs/guides/bootstrap.md"];

/** `slipway <sub> [action] --flag …` lines inside the documents' shell code blocks. */
function commands(doc: string): { line: string; sub: string; flags: string[] }[] {
  const text = readFileSync(join(repo, doc), "utf8");
  const blocks = [...text.matchAll(/```(?:sh|bash|shell)?\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
  const out: { line: string; sub: string; flags: string[] }[] = [];
  for (const block of blocks) {
    for (const raw of block.split("\n")) {
      // The command itself, without its comment; several commands on a line (`&&`) each count.
      for (const part of raw.replace(/\s#.*$/, "").split(/&&|;/)) {
        const m = /^(?:\$\s*)?slipway\s+([a-z][a-z-]*)(.*)$/.exec(part.trim());
        if (!m?.[1]) continue;
        const flags = [...(m[2] ?? "").matchAll(/(?:^|\s|\[)(--[a-z][a-z-]*)/g)].map((f) => f[1] ?? "");
        out.push({ line: raw.trim(), sub: m[1], flags });
      }
    }
  }
  return out;
}

const helps = new Map<string, string>();
function help(sub: string): { code: number | null; text: string } {
  if (!helps.has(sub)) {
    const r = slipway([sub, "--help"]);
    helps.set(sub, r.code === 0 ? r.stdout + r.stderr : "");
  }
  const text = helps.get(sub) ?? "";
  return { code: text === "" ? 1 : 0, text };
}

describe("commands in the guides", () => {
  for (const doc of DOCS) {
    it(`${doc}: every slipway command and option exists`, () => {
      const found = commands(doc);
      expect(found.length, `${doc} shows no slipway command`).toBeGreaterThan(0);
      const wrong: string[] = [];
      for (const c of found) {
        const h = help(c.sub);
        if (h.code !== 0 || !h.text.includes(`slipway ${c.sub}`)) {
          wrong.push(`${c.line}: no command '${c.sub}'`);
          continue;
        }
        for (const f of c.flags) {
          if (f !== "--help" && !new RegExp(`${f}(?![a-z-])`).test(h.text))
            wrong.push(`${c.line}: no option ${f}`);
        }
      }
      expect(wrong).toEqual([]);
    });
  }

  it("catches a command or option that does not exist", () => {
    expect(help("bootsrap").code).not.toBe(0);
    expect(/--aply(?![a-z-])/.test(help("bootstrap").text)).toBe(false);
    expect(/--apply(?![a-z-])/.test(help("bootstrap").text)).toBe(true);
  });
});
