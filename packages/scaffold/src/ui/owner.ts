import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** Where the server's platform is: a working tree (`platformConfig`) or a repository (`platformRepo`). */
export interface PlatformSource {
  readonly platformConfig: string | undefined;
  readonly platformRepo: string | undefined;
  readonly platformConfigPath: string | undefined;
}

/**
 * The platform's GitHub owner (`spec.github.owner` of platform.yaml), which the form's Owner field
 * starts with: from the working tree, or from the platform repository when it is on this machine
 * (`serve --dev`'s local one). A remote repository is not cloned for it: deployed, the platform
 * renders the same owner into `SCAFFOLD_DEFAULT_OWNER`. Undefined when there is no platform or its
 * file has no owner; a file that does not parse is left to Create repository to report.
 */
export async function platformOwner(source: PlatformSource): Promise<string | undefined> {
  const text = platformText(source);
  if (text === undefined) return undefined;
  // The root export loads the spec code (bench/new/README.md): only servers with a platform pay, once.
  const { parseSource } = await import("@slipway/core");
  const data = parseSource(text, "platform.yaml").data as
    | { spec?: { github?: { owner?: unknown } } }
    | undefined;
  const owner = data?.spec?.github?.owner;
  return typeof owner === "string" && owner !== "" ? owner : undefined;
}

function platformText(source: PlatformSource): string | undefined {
  try {
    if (source.platformConfig !== undefined) {
      const file = statSync(source.platformConfig).isDirectory()
        ? join(source.platformConfig, "platform.yaml")
        : source.platformConfig;
      return readFileSync(file, "utf8");
    }
    const repo = source.platformRepo?.replace(/^file:\/\//, "");
    if (repo === undefined || !existsSync(repo)) return undefined;
    return execFileSync(
      "git",
      ["--git-dir", gitDir(repo), "show", `HEAD:${source.platformConfigPath ?? "platform.yaml"}`],
      { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 4 * 1024 * 1024 },
    );
  } catch {
    return undefined;
  }
}

/** A bare repository is its own Git directory; a working tree has `.git`. */
function gitDir(repo: string): string {
  const dotGit = join(repo, ".git");
  return existsSync(dotGit) ? dotGit : repo;
}
