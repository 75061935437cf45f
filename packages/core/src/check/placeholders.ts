import { relative } from "node:path";
import type { PlatformSpec } from "../config/schema.js";
import { locateInFile } from "../config/source.js";
import { type Diagnostic, diag } from "../diagnostics.js";
import { INIT_PLACEHOLDERS } from "../init/init.js";

/** Domains reserved for documentation (RFC 2606): nothing can be served there. */
const RESERVED_DOMAIN = /(^|\.)(example\.(com|net|org)|example|test|invalid)$/;

/**
 * Warnings for the placeholders `slipway init` writes when no --owner, --repo or --domain is
 * given: the GitHub owner `example`, a repository under github.com/example/, a reserved domain.
 * They render and validate (so `init`, `synth`, `check` work on a first try), but Argo CD would
 * sync from a repository the user does not own, images would come from someone else's ghcr.io
 * namespace, and no DNS name could be routed. Warnings, not errors: a first `check` of a fresh
 * `init` should show what is left to fill in rather than fail; `bootstrap`, which would point a
 * cluster at the repository, is where they must stop.
 */
export function placeholderDiagnostics(platform: PlatformSpec, configFile: string): Diagnostic[] {
  const file = relative(process.cwd(), configFile) || configFile;
  const out: Diagnostic[] = [];
  const warn = (path: string[], message: string, hint: string) => {
    const location = locateInFile(file, path);
    out.push(
      diag("SW_CHECK_PLACEHOLDER", message, {
        severity: "warning",
        path,
        ...(location ? { location } : {}),
        hint,
      }),
    );
  };
  const owner = platform.github.owner;
  if (owner.toLowerCase() === INIT_PLACEHOLDERS.owner) {
    warn(
      ["spec", "github", "owner"],
      `github.owner is '${owner}', the placeholder 'slipway init' writes`,
      "Set your GitHub user or organisation (the owner of the service repositories and their ghcr.io images), or run 'slipway init --owner <login>'.",
    );
  }
  let repoOwner: string | undefined;
  try {
    const u = new URL(platform.git.repoURL);
    if (u.hostname === "github.com") repoOwner = u.pathname.split("/")[1];
  } catch {
    // The schema already validated the URL.
  }
  if (repoOwner?.toLowerCase() === INIT_PLACEHOLDERS.owner) {
    warn(
      ["spec", "git", "repoURL"],
      `git.repoURL ${platform.git.repoURL} is the placeholder 'slipway init' writes: Argo CD would sync from a repository you do not own`,
      "Set the URL of this repository as you push it (https://github.com/<you>/<repo>.git), or run 'slipway init --repo <url>'.",
    );
  }
  if (RESERVED_DOMAIN.test(platform.domain)) {
    warn(
      ["spec", "domain"],
      `domain ${platform.domain} is reserved for documentation (RFC 2606): no service can be reached there`,
      "Set a domain you control (its DNS on Cloudflare when the cloudflare component is on), or run 'slipway init --domain <domain>'.",
    );
  }
  return out;
}
