/**
 * A small HCL writer for Vault's server configuration. The Vault chart (0.34) accepts its server
 * config only as a string (`fail "structured server config is not supported"` for a map), so the
 * configuration is built as data here and serialized once, deterministically, in the order given.
 */

/** An attribute value: `name = value`. */
export type HclAttribute = string | number | boolean;

/** A block's body: attributes and nested blocks, written in insertion order. */
export interface HclBody {
  readonly [name: string]: HclAttribute | HclBlock;
}

/** A block, `name "label" { … }`; the name is the key it is stored under in the parent body. */
export interface HclBlock {
  readonly labels: readonly string[];
  readonly body: HclBody;
}

/**
 * A block with its labels.
 * @example block({ path: "/vault/data" }, "raft") // storage "raft" { path = "/vault/data" }
 */
export function block(body: HclBody, ...labels: string[]): HclBlock {
  return { labels, body };
}

const isBlock = (v: HclAttribute | HclBlock): v is HclBlock => typeof v === "object";

/**
 * HCL text of a body: top-level blocks separated by a blank line, two-space indentation, strings
 * in double quotes. `${` and `%{` are escaped so no value is read as an HCL template.
 */
export function toHcl(body: HclBody): string {
  return `${lines(body, "", true).join("\n")}\n`;
}

function lines(body: HclBody, indent: string, top: boolean): string[] {
  const out: string[] = [];
  let lastWasBlock = false;
  for (const [name, v] of Object.entries(body)) {
    if (!/^[A-Za-z_][\w-]*$/.test(name)) throw new Error(`not an HCL identifier: ${name}`);
    if (!isBlock(v)) {
      if (top && lastWasBlock) out.push("");
      out.push(`${indent}${name} = ${attribute(v)}`);
      lastWasBlock = false;
      continue;
    }
    if (top && out.length > 0) out.push("");
    const head = [name, ...v.labels.map(quote)].join(" ");
    const inner = lines(v.body, `${indent}  `, false);
    out.push(inner.length === 0 ? `${indent}${head} {}` : `${indent}${head} {`, ...inner);
    if (inner.length > 0) out.push(`${indent}}`);
    lastWasBlock = true;
  }
  return out;
}

function attribute(v: HclAttribute): string {
  if (typeof v === "string") return quote(v);
  if (typeof v === "number" && !Number.isFinite(v)) throw new Error(`not an HCL number: ${v}`);
  return String(v);
}

function quote(s: string): string {
  return JSON.stringify(s).replace(/([$%])\{/g, "$1$1{");
}
