import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/**
 * The directory `tools/build.sh` builds the real tools into (Helm, etcd, kube-apiserver, OpenTofu,
 * Vault), from their Go modules at pinned versions. `npm test` runs the build first.
 * @default ~/.cache/slipway/tools/bin
 */
const toolsBin = join(process.env.SLIPWAY_TOOLS ?? join(homedir(), ".cache/slipway/tools"), "bin");

/**
 * The path of one built tool. Throws when it is missing rather than letting a test skip: a tier
 * that silently skips proves nothing, and CI must fail if the build step did not run.
 *
 * @example const helm = tool("helm");
 */
export function tool(name: string): string {
  const path = join(toolsBin, name);
  if (!existsSync(path)) {
    throw new Error(
      `${name} is not built (${path} missing): run \`bash tools/build.sh\` (npm test does it first)`,
    );
  }
  return path;
}

/**
 * The upstream chart sources at their pinned versions, `<chart>/<version>/`, that `helm template`
 * renders offline (no chart repository is reachable here). CI and development: ../shared/charts.
 */
export const CHARTS_DIR =
  process.env.SLIPWAY_CHARTS_DIR ?? join(import.meta.dirname, "../../../../../shared/charts");
