import type { AuthPlugin } from "./auth/contract.js";

/** What `slipway serve` needs to set up authentication. */
export interface AuthFactoryInput {
  /** The URL the service is reached at (redirect URIs). */
  readonly baseUrl: string;
  /** `OIDC_ISSUER_URL`, `OIDC_CLIENT_ID`, `OIDC_CLIENT_SECRET`, `SCAFFOLD_COOKIE_SECRET`, … */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Authentication could not be set up (missing configuration): `serve` reports it and exits. */
export class AuthUnavailableError extends Error {
  override readonly name = "AuthUnavailableError";
}

export interface LoadedAuth {
  readonly auth: AuthPlugin;
  /** Stops what the auth started (the development provider). */
  readonly close: () => Promise<void>;
  /** Where to sign in, for the startup message. */
  readonly issuer?: string;
}

/**
 * `--dev`: the built-in development provider (`devAuth`); otherwise OIDC from the environment the
 * platform injects (`oidcAuthFromEnv`). Loaded on demand: openid-client and oidc-provider are only
 * paid for by `serve`, never by the tests of the routes or by other commands.
 */
export async function loadAuth(mode: "dev" | "oidc", input: AuthFactoryInput): Promise<LoadedAuth> {
  // Each mode loads only its own modules: the deployed service must not carry oidc-provider (the
  // dev issuer) in its resident memory (bench/README.md, "Idle memory").
  if (mode === "dev") {
    const { devAuth } = await import("./auth/dev.js");
    const dev = await devAuth({ appUrl: input.baseUrl });
    return { auth: dev, close: () => dev.provider.close(), issuer: dev.provider.issuer };
  }
  const networks = (input.env.SCAFFOLD_ANONYMOUS_NETWORKS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const { oidcAuthFromEnv } = await import("./auth/oidc.js");
  try {
    const plugin = oidcAuthFromEnv(input.env as NodeJS.ProcessEnv, {
      redirectUri: `${input.baseUrl}/auth/callback`,
      anonymousNetworks: networks,
    });
    return {
      auth: plugin,
      close: async () => {},
      ...(input.env.OIDC_ISSUER_URL ? { issuer: input.env.OIDC_ISSUER_URL } : {}),
    };
  } catch (e) {
    throw new AuthUnavailableError(`OIDC is not configured: ${(e as Error).message} (or run with --dev)`);
  }
}
