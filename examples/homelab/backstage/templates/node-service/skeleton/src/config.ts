/** Configuration from the environment the platform injects; defaults are for local development. */
export interface Config {
  readonly serviceName: string;
  readonly port: number;
  /** Base URL users reach the service at; the OIDC redirect URI is derived from it. */
  readonly publicUrl: string;
  /** Absent when OIDC_ISSUER_URL is unset: login is disabled (local development). */
  readonly oidc?: OidcSettings;
}

export interface OidcSettings {
  readonly issuer: URL;
  readonly clientId: string;
  readonly clientSecret: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? ${{ values.port }});
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`PORT must be a port number, got ${env.PORT}`);
  }
  const publicUrl = env.PUBLIC_URL ?? `http://localhost:${port}`;
  const serviceName = env.OTEL_SERVICE_NAME ?? "${{ values.name }}";
  if (!env.OIDC_ISSUER_URL) return { serviceName, port, publicUrl };
  // The redirect URI and the cookies' Secure flag come from PUBLIC_URL: the localhost default would
  // make every login fail (unregistered redirect URI) and send session cookies without Secure.
  if (!env.PUBLIC_URL && env.NODE_ENV === "production") {
    throw new Error("OIDC_ISSUER_URL is set, so PUBLIC_URL must be too: the https URL users reach the service at");
  }
  const clientId = env.OIDC_CLIENT_ID;
  const clientSecret = env.OIDC_CLIENT_SECRET;
  if (!clientId || !clientSecret) {
    throw new Error("OIDC_ISSUER_URL is set, so OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be too");
  }
  return { serviceName, port, publicUrl, oidc: { issuer: new URL(env.OIDC_ISSUER_URL), clientId, clientSecret } };
}
