import { createSign, generateKeyPairSync, type KeyObject } from "node:crypto";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IDENTITY_TERRAFORM_DIR, IDENTITY_TERRAFORM_POLICY } from "../../src/components/identity/contract.js";
import { VAULT_SSO, VAULT_TERRAFORM_DIR } from "../../src/components/vault/contract.js";
import { renderFile, writePlatform } from "../helpers/component-fixture.js";
import { freePort } from "../helpers/net.js";
import { startVault, type TestVault, withPolicies } from "../helpers/vault.js";
import { type Attrs, TerraformStandIn, type TfJson } from "../helpers/vault-terraform.js";

/**
 * SSO for people on a real Vault (ADR 0012): the rendered policies (vault/terraform) and the OIDC
 * auth method with its external groups (identity/terraform/vault-sso.tf.json) applied through the
 * Terraform stand-in — the latter with a token holding only the `identity-terraform` policy, as
 * the runbook's apply runs — against an issuer this test serves (discovery + JWKS, its own RSA key).
 * Then people sign in through the rendered `oidc` role (the CLI's code flow, the test playing the
 * browser), and Vault's answers show what each group may do. ZITADEL is not run here: its client
 * is seeded into the stand-in's state.
 */

const ACCESS = {
  groups: [{ name: "platform-admins" }, { name: "developers", services: ["blog"] }, { name: "auditors" }],
  vault: { admin: ["platform-admins"], developer: ["developers"] },
};
const SERVICES = {
  blog: { image: "ghcr.io/example/blog:1.0.0", port: 8080 },
  notes: { image: "ghcr.io/example/notes:1.0.0", port: 8080 },
};
const rendered = renderFile(writePlatform({ identity: { enabled: true } }, SERVICES, {}, { access: ACCESS }));
const roots = (dir: string): Record<string, TfJson> =>
  Object.fromEntries(
    rendered.fileList
      .filter((f) => f.path.startsWith(`${dir}/`) && f.path.endsWith(".tf.json"))
      .map((f) => [f.path, JSON.parse(f.content) as TfJson]),
  );
const CLIENT = { client_id: "301234567890@platform", client_secret: "not-a-real-secret" };

/**
 * A minimal OpenID provider for Vault's authorization code flow: discovery, the JWKS of one RSA key,
 * and a token endpoint that checks the client's credentials and returns an ID token for the
 * person the code names. The test plays the browser: the code it hands Vault's callback is the
 * person (subject, groups) and the nonce Vault put in the authorization URL, base64url JSON.
 */
async function startIssuer(): Promise<{ url: string; close(): Promise<void> }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const { privateKey: forger } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const discovery = {
    issuer: url,
    authorization_endpoint: `${url}/authorize`,
    token_endpoint: `${url}/token`,
    jwks_uri: `${url}/jwks`,
    response_types_supported: ["code"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
  };
  const jwks = { keys: [{ ...publicKey.export({ format: "jwk" }), kid: "k1", use: "sig", alg: "RS256" }] };
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const sign = (claims: Attrs, key: KeyObject) => {
    const now = Math.floor(Date.now() / 1000);
    const input = `${b64({ alg: "RS256", kid: "k1", typ: "JWT" })}.${b64({ iss: url, aud: CLIENT.client_id, iat: now, exp: now + 300, ...claims })}`;
    return `${input}.${createSign("RSA-SHA256").update(input).sign(key).toString("base64url")}`;
  };
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.url === "/.well-known/openid-configuration") return reply(200, discovery);
    if (req.url === "/jwks") return reply(200, jwks);
    if (req.url !== "/token" || req.method !== "POST") return reply(404, {});
    let raw = "";
    req.on("data", (d: Buffer) => {
      raw += d.toString();
    });
    req.on("end", () => {
      const form = new URLSearchParams(raw);
      const basic = Buffer.from(
        (req.headers.authorization ?? "").replace(/^Basic /, ""),
        "base64",
      ).toString();
      const [id, secret] = basic.includes(":")
        ? basic.split(":").map(decodeURIComponent)
        : [form.get("client_id"), form.get("client_secret")];
      if (id !== CLIENT.client_id || secret !== CLIENT.client_secret)
        return reply(401, { error: "invalid_client" });
      const who = JSON.parse(Buffer.from(form.get("code") ?? "", "base64url").toString()) as Attrs;
      const { forged, ...claims } = who;
      reply(200, {
        access_token: "opaque",
        token_type: "Bearer",
        expires_in: 300,
        id_token: sign(claims, forged ? forger : privateKey),
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("Vault SSO on a real Vault: groups from the ID token, policies from platform.yaml", () => {
  let vault: TestVault;
  let issuer: Awaited<ReturnType<typeof startIssuer>>;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    [vault, issuer] = await Promise.all([startVault(), startIssuer()]);
  }, 60_000);
  afterAll(async () => {
    await vault?.stop();
    await issuer?.close();
  });

  it("applies the policies, then the auth method with a token holding only identity-terraform", async () => {
    const vaultTf = new TerraformStandIn(vault);
    const applied = await vaultTf.apply(roots(VAULT_TERRAFORM_DIR), (f) =>
      /\/(mounts|policies)\.tf\.json$/.test(f),
    );
    expect(applied).toContain("vault_policy.sso-admin");
    expect(applied).toContain("vault_policy.sso-developer-developers");
    expect(applied).not.toContain("vault_policy.sso-developer-auditors");

    const limited = await withPolicies(vault, [IDENTITY_TERRAFORM_POLICY]);
    // The only value changed: the issuer is this test's, not https://auth.example.dev.
    const toTestIssuer = (address: string, a: Attrs): Attrs =>
      address === "vault_jwt_auth_backend.oidc"
        ? { ...a, oidc_discovery_url: issuer.url, bound_issuer: issuer.url }
        : a;
    const tf = new TerraformStandIn(limited, { rewrite: toTestIssuer });
    tf.state.set("zitadel_application_oidc.vault", { ...CLIENT });
    const sso = await tf.apply(roots(IDENTITY_TERRAFORM_DIR), (f) => f.endsWith("/vault-sso.tf.json"));
    expect([...sso].sort()).toEqual([
      "vault_identity_group.developers",
      "vault_identity_group.platform-admins",
      "vault_identity_group_alias.developers",
      "vault_identity_group_alias.platform-admins",
      "vault_jwt_auth_backend.oidc",
      "vault_jwt_auth_backend_role.platform",
    ]);
    const role = await vault.request("GET", `auth/${VAULT_SSO.path}/role/${VAULT_SSO.role}`);
    expect(role.body.data).toMatchObject({ role_type: "oidc", groups_claim: "groups", user_claim: "sub" });
  });

  it("the UI's OIDC login starts at the issuer for allowed callbacks only", async () => {
    const start = (redirect_uri: string) =>
      vault.request("POST", `auth/${VAULT_SSO.path}/oidc/auth_url`, { role: VAULT_SSO.role, redirect_uri });
    const cli = await start("http://localhost:8250/oidc/callback");
    expect(cli.status).toBe(200);
    const url = new URL(cli.body.data.auth_url);
    expect(`${url.origin}${url.pathname}`).toBe(`${issuer.url}/authorize`);
    expect(url.searchParams.get("client_id")).toBe(CLIENT.client_id);
    const ui = await start("https://vault.example.dev/ui/vault/auth/oidc/oidc/callback");
    expect(ui.body.data.auth_url).toMatch(/^http:\/\/127\.0\.0\.1/);
    // Vault answers an unlisted callback with an empty URL: it never sends the code elsewhere.
    const evil = await start("https://evil.example/callback");
    expect(evil.body.data?.auth_url ?? "").toBe("");
  });

  /**
   * The CLI's login (`vault login -method=oidc`): ask Vault for the authorization URL, "sign in" at
   * the issuer (the code names the person), hand code and state to Vault's callback.
   */
  /** `groups` undefined: the ID token carries no groups claim (what Keycloak and ZITADEL send for a person in no group). */
  async function login(sub: string, groups: string[] | undefined, forged = false) {
    const start = await vault.request("POST", `auth/${VAULT_SSO.path}/oidc/auth_url`, {
      role: VAULT_SSO.role,
      redirect_uri: "http://localhost:8250/oidc/callback",
    });
    const auth = new URL(start.body.data.auth_url);
    const code = Buffer.from(
      JSON.stringify({ sub, groups, nonce: auth.searchParams.get("nonce"), forged }),
    ).toString("base64url");
    const q = new URLSearchParams({ state: auth.searchParams.get("state") ?? "", code });
    return vault.request("GET", `auth/${VAULT_SSO.path}/oidc/callback?${q}`, undefined, "");
  }

  it("people sign in through the rendered oidc role; their groups become Vault identity groups", async () => {
    for (const [who, groups] of [
      ["admin", ["platform-admins"]],
      ["dev", ["developers"]],
      ["auditor", ["auditors"]],
    ] as const) {
      const res = await login(who, [...groups]);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      tokens[who] = res.body.auth.client_token;
    }
    const admin = await login("admin2", ["platform-admins"]);
    expect(admin.body.auth.identity_policies).toEqual(["sso-admin"]);
    const dev = await login("dev2", ["developers", "auditors"]);
    expect(dev.body.auth.identity_policies).toEqual(["sso-developer-developers"]);
    const outsider = await login("eve", []);
    expect(outsider.body.auth.identity_policies ?? []).toEqual([]);
    expect(outsider.body.auth.policies).toEqual(["default"]);
    // A real identity provider leaves the claim out for a person in no group: Vault refuses the
    // login outright (docs/guides/sso.md), it does not hand out a default-only token.
    const groupless = await login("frank", undefined);
    expect(groupless.status).toBe(400);
    expect(JSON.stringify(groupless.body)).toContain("failed to fetch groups");
    // An ID token signed by another key is refused.
    const forged = await login("mallory", ["platform-admins"], true);
    expect(forged.status).toBe(400);
  });

  it("an admin manages platform secrets and policies; a developer only its services' secrets", async () => {
    const as = (who: string, method: string, path: string, body?: unknown) =>
      vault.request(method, path, body, tokens[who]).then((r) => r.status);
    // Admin: the PostgreSQL superuser's secret, another service's secret, the policies.
    expect(
      await as("admin", "POST", "kv/data/postgres/admin", { data: { username: "postgres", password: "x" } }),
    ).toBe(200);
    expect(await as("admin", "POST", "kv/data/services/notes/api", { data: { token: "n" } })).toBe(200);
    expect(await as("admin", "GET", "sys/policies/acl?list=true")).toBe(200);
    // Developer of blog: writes and reads blog's secrets, lists service names...
    expect(await as("dev", "POST", "kv/data/services/blog/api", { data: { token: "b" } })).toBe(200);
    expect(await as("dev", "GET", "kv/data/services/blog/api")).toBe(200);
    expect(await as("dev", "GET", "kv/metadata/services?list=true")).toBe(200);
    // ...but not notes', nor the platform's, nor policies or auth methods.
    expect(await as("dev", "GET", "kv/data/services/notes/api")).toBe(403);
    expect(await as("dev", "POST", "kv/data/services/notes/api", { data: { token: "x" } })).toBe(403);
    expect(await as("dev", "GET", "kv/data/postgres/admin")).toBe(403);
    expect(await as("dev", "GET", "kv/data/identity/clients/vault")).toBe(403);
    expect(
      await as("dev", "PUT", "sys/policies/acl/mine", { policy: 'path "*" { capabilities = ["sudo"] }' }),
    ).toBe(403);
    // A group holding no Vault role gets only `default`.
    expect(await as("auditor", "GET", "kv/data/services/blog/api")).toBe(403);
  });
});
