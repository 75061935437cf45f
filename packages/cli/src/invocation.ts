import { accessSync, constants, realpathSync } from "node:fs";
import { delimiter, join } from "node:path";

/** The CLI's package name: `npx @slipway/cli <command>` runs it without installing. */
export const PACKAGE_NAME = "@slipway/cli";

/**
 * How the user can run slipway again from a shell, as this process was started: `slipway` when
 * that name on PATH is this CLI (a global install), `npx @slipway/cli` under npx,
 * `npm run slipway --` in this repository's checkout, else `node <path of the bin>`. Next-step
 * messages (`init`) print it so the command they suggest works where it is typed.
 */
export function selfCommand(env: NodeJS.ProcessEnv = process.env, bin = process.argv[1]): string {
  if (env.npm_lifecycle_event === "slipway") return "npm run slipway --";
  const self = bin ? real(bin) : undefined;
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, process.platform === "win32" ? "slipway.cmd" : "slipway");
    try {
      accessSync(candidate, constants.X_OK);
    } catch {
      continue;
    }
    // The first `slipway` on PATH is what the shell runs: this CLI, or another one.
    if (self !== undefined && real(candidate) === self) return "slipway";
    break;
  }
  if (env.npm_command === "exec") return `npx ${PACKAGE_NAME}`;
  return bin ? `node ${bin}` : `npx ${PACKAGE_NAME}`;
}

function real(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}
