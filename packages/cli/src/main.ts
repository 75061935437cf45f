import { defineCommand, runCommand, runMain, showUsage } from "citty";
import { synthCommand } from "./commands/synth.js";
import { EXIT, reportError } from "./format.js";

export const mainCommand = defineCommand({
  meta: {
    name: "slipway",
    version: "0.1.0",
    description:
      "A personal internal developer platform: one platform.yaml renders the GitOps repository Argo CD deploys",
  },
  subCommands: {
    synth: synthCommand,
  },
});

/** Runs the CLI and returns the exit code; commands return theirs, errors map to 1 or 2. */
export async function main(argv: readonly string[]): Promise<number> {
  void runMain;
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h") {
    await showUsage(mainCommand);
    return argv.length === 0 ? EXIT.invalid : EXIT.ok;
  }
  try {
    const { result } = await runCommand(mainCommand, { rawArgs: [...argv] });
    return typeof result === "number" ? result : EXIT.ok;
  } catch (e) {
    if (e instanceof Error && e.name === "CLIError") {
      process.stderr.write(`slipway: ${e.message}\nRun 'slipway --help' for usage.\n`);
      return EXIT.invalid;
    }
    return reportError(e);
  }
}
