import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Provider, { type ProviderAccount } from "oidc-provider";
import type { AuthPlugin } from "./contract.js";
import { devPages } from "./dev-pages.js";
import { LOOPBACK_NETWORKS } from "./networks.js";
import { oidcAuth } from "./oidc.js";

/** The one local user of the development provider. */
export const DEV_USER = { login: "dev", name: "Slipway Developer", email: "dev@slipway.localhost" } as const;
export const DEV_CLIENT_ID = "slipway-scaffold";

export interface DevProviderOptions {
  /** Loopback port of the provider. @default 0 (any free port) */
  readonly port?: number;
  /** Exact redirect URIs of the scaffold client. */
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris?: readonly string[];
  /** Resource indicators for which client_credentials issues JWT access tokens (RFC 8707). */
  readonly resources?: readonly string[];
  /** Access-token lifetime in seconds. @default 3600 */
  readonly accessTokenTtl?: number;
}

export interface DevProvider {
  readonly issuer: string;
  readonly clientId: string;
  /** Random per start, never printed. */
  readonly clientSecret: string;
  close(): Promise<void>;
}

/**
 * A development OpenID provider on 127.0.0.1: oidc-provider with sign-in, consent and sign-out pages
 * of its own (dev-pages.ts: the scaffold's look, nothing loaded from elsewhere; the `dev` login is
 * the only account that exists and the password is not checked, which is why it only ever listens
 * on loopback), one confidential client with PKCE required.
 */
export async function startDevProvider(options: DevProviderOptions): Promise<DevProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientSecret = randomBytes(32).toString("base64url");
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const signingKey = {
    ...privateKey.export({ format: "jwk" }),
    kid: randomBytes(8).toString("hex"),
    use: "sig",
  };
  const resources = new Set(options.resources ?? []);
  const pages = devPages({
    login: DEV_USER.login,
    appName: "Slipway scaffold",
    appOrigins: [
      ...new Set(
        [...options.redirectUris, ...(options.postLogoutRedirectUris ?? [])].map((u) => new URL(u).origin),
      ),
    ],
  });

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: DEV_CLIENT_ID,
        client_secret: clientSecret,
        redirect_uris: [...options.redirectUris],
        post_logout_redirect_uris: [...(options.postLogoutRedirectUris ?? [])],
        grant_types: ["authorization_code", "client_credentials"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    jwks: { keys: [signingKey] },
    // The pages at /interaction/<uid> are served below, before the provider sees the request.
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    renderError: pages.renderError,
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    claims: { openid: ["sub"], profile: ["name"], email: ["email", "email_verified"] },
    async findAccount(_ctx: unknown, id: string): Promise<ProviderAccount | undefined> {
      if (id !== DEV_USER.login) return undefined;
      return {
        accountId: id,
        claims: () => ({ sub: id, name: DEV_USER.name, email: DEV_USER.email, email_verified: true }),
      };
    },
    pkce: { required: () => true },
    ttl: {
      AccessToken: options.accessTokenTtl ?? 3600,
      ClientCredentials: options.accessTokenTtl ?? 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Grant: 8 * 3600,
      Session: 8 * 3600,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // Only the scaffold (the resource server here) may introspect.
        allowedPolicy: async (_ctx: unknown, client: { clientId: string }) =>
          client.clientId === DEV_CLIENT_ID,
      },
      revocation: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: pages.logoutSource,
        postLogoutSuccessSource: pages.postLogoutSuccessSource,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: string) => oneOf,
        useGrantedResource: async () => false,
        getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
          if (!resources.has(indicator)) throw new Error(`unknown resource ${indicator}`);
          return {
            scope: "api",
            audience: indicator,
            accessTokenFormat: "jwt",
            jwt: { sign: { alg: "RS256" } },
          };
        },
      },
    },
  });
  const callback = provider.callback();
  server.on("request", (req, res) => {
    pages.handle(provider as unknown as Parameters<typeof pages.handle>[0], req, res).then(
      (handled) => {
        if (!handled) callback(req, res);
      },
      () => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end("internal error");
      },
    );
  });

  return {
    issuer,
    clientId: DEV_CLIENT_ID,
    clientSecret,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export interface DevAuthOptions {
  /** Port of the development provider. @default 0 (any free port) */
  readonly port?: number;
  /** Base URL the scaffold listens on. @default "http://127.0.0.1:3000" */
  readonly appUrl?: string;
}

export interface DevAuth extends AuthPlugin {
  readonly provider: DevProvider;
}

/**
 * What `slipway serve --dev` uses: the development provider plus `oidcAuth` against it, with
 * cookies usable over plain http on loopback and anonymous API access from loopback only.
 * Sign in with the login `dev` (any password).
 */
export async function devAuth(options: DevAuthOptions = {}): Promise<DevAuth> {
  const appUrl = new URL(options.appUrl ?? "http://127.0.0.1:3000");
  const redirectUri = new URL("/auth/callback", appUrl).href;
  const provider = await startDevProvider({
    ...(options.port !== undefined ? { port: options.port } : {}),
    redirectUris: [redirectUri],
    postLogoutRedirectUris: [new URL("/", appUrl).href],
    resources: [appUrl.origin],
  });
  let plugin: AuthPlugin;
  try {
    plugin = devOidc(provider, appUrl, redirectUri);
  } catch (e) {
    // A listening provider would keep the process alive after the error is reported.
    await provider.close();
    throw e;
  }
  return { ...plugin, provider };
}

function devOidc(provider: DevProvider, appUrl: URL, redirectUri: string): AuthPlugin {
  return oidcAuth({
    issuerUrl: provider.issuer,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    redirectUri,
    // Per process: a dev restart logs the browser out, which is fine and avoids a secret on disk.
    cookieSecret: randomBytes(32).toString("base64url"),
    secureCookies: appUrl.protocol === "https:",
    anonymousNetworks: LOOPBACK_NETWORKS,
    audiences: [provider.clientId, appUrl.origin],
  });
}
