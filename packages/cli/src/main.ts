import { readFileSync } from "node:fs";
import { type ArgsDef, type CommandDef, defineCommand, renderUsage, runCommand } from "citty";
import { didYouMean, EXIT, err, out, reportError, reportUsageError, stripAnsi, useColor } from "./format.js";

const VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

export const mainCommand = defineCommand({
  meta: {
    name: "slipway",
    version: VERSION,
    description:
      "A personal internal developer platform: one platform.yaml renders the GitOps repository Argo CD deploys",
  },
  // One line per command; the order here is the order in --help. Each command's module is loaded
  // only when it runs: `serve` never pays for core's components, nor `synth` for the presets
  // (start-up time and resident memory, measured in bench/synth and bench/scaffold).
  subCommands: {
    init: () => import("./commands/init.js").then((m) => m.initCommand),
    adopt: () => import("./commands/adopt.js").then((m) => m.adoptCommand),
    synth: () => import("./commands/synth.js").then((m) => m.synthCommand),
    graph: () => import("./commands/graph.js").then((m) => m.graphCommand),
    bootstrap: () => import("./commands/bootstrap.js").then((m) => m.bootstrapCommand),
    check: () => import("./commands/check.js").then((m) => m.checkCommand),
    budget: () => import("./commands/budget.js").then((m) => m.budgetCommand),
    schemas: () => import("./commands/schemas.js").then((m) => m.schemasCommand),
    new: () => import("./commands/new.js").then((m) => m.newCommand),
    template: () => import("./commands/template.js").then((m) => m.templateCommand),
    serve: () => import("./commands/serve.js").then((m) => m.serveCommand),
  },
});

const ROOT_FOOTER = `
EXIT CODES

  0   ok
  1   check failed, tree stale, or a write conflict
  2   invalid input (config, arguments)
  70  internal error (a bug in slipway)

ENVIRONMENT

  NO_COLOR=1               never colour the output
  SLIPWAY_DEBUG=1          print the stack trace of an internal error
  SLIPWAY_SCHEMA_DIR=DIR   upstream schemas for 'slipway check' (or --schemas; else the cache
                           'slipway schemas pull' fills)
  SLIPWAY_SCHEMA_CACHE=DIR where 'slipway schemas pull' keeps them (default ~/.cache/slipway/schemas)
  SLIPWAY_SCHEMA_MIRROR=URL  base URL 'slipway schemas pull' downloads from (or --from)
  SLIPWAY_CHARTS_DIR=DIR   unpacked charts for 'slipway check --render-charts' (or --charts)
  SLIPWAY_HELM=PATH        helm binary for 'slipway check --render-charts' (or --helm)
  SLIPWAY_TOFU=PATH        tofu or terraform binary for 'slipway check --terraform' (or --tofu)
  SLIPWAY_TFREFS=PATH      slipway-tfrefs for 'slipway check --terraform' (or --tfrefs; tools/build.sh)
  SLIPWAY_GIT_TOKEN=TOKEN  HTTPS token for 'slipway new' to clone and push (never give it in argv)
  GIT_AUTHOR_NAME, GIT_AUTHOR_EMAIL, SOURCE_DATE_EPOCH
                           author and date of the first commit 'slipway new' makes
`;

const HELP = new Set(["--help", "-h"]);
const VERSION_FLAGS = new Set(["--version", "-v", "-V"]);

/**
 * Runs the CLI and returns the exit code. citty defines the commands and their help; this
 * frame adds what it leaves out: unknown commands, unknown options, stray or missing arguments
 * and bad enum values are usage errors (exit 2), and a command's returned number is the exit code.
 */
export async function main(argv: readonly string[]): Promise<number> {
  ignoreClosedPipes();
  const [first, ...rest] = argv;
  const commands = mainCommand.subCommands as Record<string, () => Promise<CommandDef<ArgsDef>>>;
  if (first === undefined) {
    err(await usage(mainCommand, undefined, process.stderr));
    return EXIT.invalid;
  }
  if (HELP.has(first)) {
    out(await usage(mainCommand, undefined, process.stdout));
    return EXIT.ok;
  }
  if (VERSION_FLAGS.has(first)) {
    out(`${VERSION}\n`);
    return EXIT.ok;
  }
  if (first.startsWith("-")) {
    return reportUsageError(
      "slipway",
      `unknown option ${first}${didYouMean(first, ["--help", "--version"])}`,
    );
  }
  const load = Object.hasOwn(commands, first) ? commands[first] : undefined;
  if (load === undefined) {
    return reportUsageError(
      "slipway",
      `unknown command '${first}'${didYouMean(first, Object.keys(commands))}`,
    );
  }
  const command = await load();
  const name = `slipway ${first}`;
  const beforeDashes = rest.indexOf("--") === -1 ? rest : rest.slice(0, rest.indexOf("--"));
  if (beforeDashes.some((a) => HELP.has(a))) {
    out(await usage(command, mainCommand, process.stdout));
    return EXIT.ok;
  }
  const args = typeof command.args === "function" ? await command.args() : await command.args;
  const problem = validateArgs(args ?? {}, rest);
  if (problem !== undefined) return reportUsageError(name, problem);
  try {
    const { result } = await runCommand(command, { rawArgs: [...rest] });
    return typeof result === "number" ? result : EXIT.ok;
  } catch (e) {
    // citty's own argument errors, should one get past validateArgs, are usage errors too.
    if (e instanceof Error && e.name === "CLIError") return reportUsageError(name, stripAnsi(e.message));
    return reportError(e);
  }
}

let pipesGuarded = false;
/** `slipway graph | head`: a reader that stops early is not an error (no EPIPE stack trace). */
function ignoreClosedPipes(): void {
  if (pipesGuarded) return;
  pipesGuarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code !== "EPIPE") throw e;
    });
  }
}

async function usage(
  cmd: CommandDef<ArgsDef>,
  parent: CommandDef<ArgsDef> | undefined,
  stream: NodeJS.WriteStream,
): Promise<string> {
  const rendered = await renderUsage(cmd, parent);
  const text = `${useColor(stream) ? rendered : stripAnsi(rendered)}\n${parent === undefined ? ROOT_FOOTER : ""}`;
  return text.replace(/[ \t]+$/gm, "");
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Checks raw arguments against a command's declared args, strictly (citty itself accepts any
 * option): returns the first problem as a message, or undefined when the arguments are valid.
 */
export function validateArgs(def: ArgsDef, raw: readonly string[]): string | undefined {
  const options = new Map<string, { name: string; type: "boolean" | "string" | "enum"; values?: string[] }>();
  const positionals: { name: string; required: boolean }[] = [];
  for (const [name, a] of Object.entries(def)) {
    if (a.type === "positional") {
      positionals.push({ name, required: a.required !== false && a.default === undefined });
      continue;
    }
    const type = a.type === "enum" ? "enum" : a.type === "string" ? "string" : "boolean";
    const spec = { name, type, ...(a.type === "enum" && a.options ? { values: a.options } : {}) } as const;
    const aliases = a.type !== undefined && "alias" in a && a.alias !== undefined ? [a.alias].flat() : [];
    for (const n of new Set([name, kebab(name), ...aliases])) {
      options.set(n.length === 1 ? `-${n}` : `--${n}`, spec);
    }
  }
  const required = Object.entries(def)
    .filter(([, a]) => a.type !== "positional" && a.required === true && a.default === undefined)
    .map(([name]) => name);
  const seen = new Set<string>();
  const given: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const arg = raw[i] as string;
    if (arg === "--") {
      given.push(...raw.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      given.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    let opt = options.get(flag);
    if (opt === undefined && flag.startsWith("--no-")) {
      const negated = options.get(`--${flag.slice(5)}`);
      if (negated?.type === "boolean") opt = negated;
    }
    if (opt === undefined) {
      const longNames = [...options.keys()].filter((k) => k.startsWith("--"));
      return `unknown option ${flag}${didYouMean(flag, [...longNames, "--help"])}`;
    }
    seen.add(opt.name);
    if (opt.type === "boolean") {
      if (inline !== undefined) return `option ${flag} does not take a value`;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const nextArg = raw[i + 1];
      if (nextArg === undefined || (nextArg.startsWith("-") && nextArg !== "-")) {
        return `option ${flag} needs a value`;
      }
      value = nextArg;
      i++;
    }
    if (opt.type === "enum" && opt.values && !opt.values.includes(value)) {
      return `invalid value '${value}' for ${flag}: expected one of ${opt.values.join(", ")}${didYouMean(value, opt.values)}`;
    }
  }
  const missing = required.find((name) => !seen.has(name));
  if (missing !== undefined) return `missing required option --${kebab(missing)}`;
  if (given.length > positionals.length) {
    return `unexpected argument '${given[positionals.length]}'`;
  }
  for (let i = given.length; i < positionals.length; i++) {
    const p = positionals[i];
    if (p?.required) return `missing argument <${p.name.toUpperCase()}>`;
  }
  return undefined;
}
