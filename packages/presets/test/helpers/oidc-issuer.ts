import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import Provider from "oidc-provider";

/*
 * A real OpenID provider (oidc-provider 9, the library the scaffold's dev login uses) standing in
 * for ZITADEL in tests: discovery, JWKS, and JWT access tokens through client_credentials with a
 * resource indicator (RFC 8707), the way an API client of a generated service gets one.
 */

export interface TestIssuer {
  readonly issuer: string;
  /** The service's own client, as the platform registers it (OIDC_CLIENT_ID / OIDC_CLIENT_SECRET). */
  readonly app: { readonly id: string; readonly secret: string };
  /** A JWT access token for an API client, its audience the service's client id. */
  accessToken(): Promise<{ token: string; subject: string }>;
  close(): Promise<void>;
}

/** `port`: listen there (a test may pick it before the issuer exists, to start it later). */
export async function startIssuer(opts: {
  port: number;
  app: { readonly id: string; readonly secret: string };
}): Promise<TestIssuer> {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, "127.0.0.1", resolve);
  });
  const issuer = `http://127.0.0.1:${opts.port}`;
  const app = opts.app;
  const caller = { id: "api-caller", secret: randomBytes(24).toString("base64url") };
  // ZITADEL puts the project's client ids in `aud`; the resource indicator only selects the API.
  const resource = `https://${app.id}.api.test`;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: app.id,
        client_secret: app.secret,
        redirect_uris: ["http://127.0.0.1/login/oauth2/code/platform"],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
      {
        client_id: caller.id,
        client_secret: caller.secret,
        redirect_uris: [],
        grant_types: ["client_credentials"],
        response_types: [],
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: "jwk" }), kid: "test-key", use: "sig" }] },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => resource,
        useGrantedResource: async () => false,
        getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
          if (indicator !== resource) throw new Error(`unknown resource ${indicator}`);
          return {
            scope: "api",
            audience: app.id,
            accessTokenFormat: "jwt",
            jwt: { sign: { alg: "RS256" } },
          };
        },
      },
    },
  });
  server.on("request", provider.callback());

  return {
    issuer,
    app,
    async accessToken() {
      const res = await fetch(`${issuer}/token`, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${caller.id}:${caller.secret}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ grant_type: "client_credentials", resource, scope: "api" }),
      });
      const body = (await res.json()) as { access_token?: string; error?: string };
      if (!res.ok || !body.access_token) throw new Error(`token request failed: ${JSON.stringify(body)}`);
      const payload = JSON.parse(Buffer.from(body.access_token.split(".")[1] ?? "", "base64url").toString());
      return { token: body.access_token, subject: String(payload.sub) };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
