import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GROUPS_CLAIM,
  IDENTITY_TERRAFORM_DIR,
  IDENTITY_TERRAFORM_POLICY,
} from "../../src/components/identity/contract.js";
import { KEYCLOAK_CHART } from "../../src/components/identity/keycloak.js";
import { VAULT_SSO, VAULT_TERRAFORM_DIR } from "../../src/components/vault/contract.js";
import { renderFile, writePlatform } from "../helpers/component-fixture.js";
import { keycloakResources, keycloakSignIn, startKeycloak, type TestKeycloak } from "../helpers/keycloak.js";
import { startVault, type TestVault, withPolicies } from "../helpers/vault.js";
import { type Attrs, TerraformStandIn, type TfJson } from "../helpers/vault-terraform.js";

/**
 * SSO for people with Keycloak as the identity provider, all of it real (ADR 0012): Keycloak
 * 26.5.6 (the version the identity component deploys) gets the rendered realm, clients, groups and
 * `groups` mappers of identity/terraform through the Terraform stand-in; Vault gets the rendered
 * policies and the OIDC auth method pointing at that Keycloak. People created in Keycloak sign in at
 * Keycloak's own login page; the ID tokens Keycloak issues, and the Vault tokens Vault issues for
 * them, show what the platform's groups grant. What is not Keycloak's here: the people (an
 * administrator adds them and their groups in Keycloak, not platform.yaml) and the one rewritten
 * value, the issuer URL (https://auth.example.dev/realms/platform → this test's Keycloak).
 */

const ACCESS = {
  groups: [{ name: "platform-admins" }, { name: "developers", services: ["blog"] }],
  argocd: { admin: ["platform-admins"], deployer: ["developers"] },
  vault: { admin: ["platform-admins"], developer: ["developers"] },
};
const SERVICES = {
  blog: { image: "ghcr.io/example/blog:1.0.0", port: 8080, auth: "oidc", subdomain: "blog" },
  notes: { image: "ghcr.io/example/notes:1.0.0", port: 8080 },
};
const rendered = renderFile(
  writePlatform({ identity: { enabled: true, provider: "keycloak" } }, SERVICES, {}, { access: ACCESS }),
);
const roots = (dir: string): Record<string, TfJson> =>
  Object.fromEntries(
    rendered.fileList
      .filter((f) => f.path.startsWith(`${dir}/`) && f.path.endsWith(".tf.json"))
      .map((f) => [f.path, JSON.parse(f.content) as TfJson]),
  );
const identityRoot = roots(IDENTITY_TERRAFORM_DIR);
const clientOf = (name: string): Attrs =>
  identityRoot[`${IDENTITY_TERRAFORM_DIR}/clients.tf.json`]?.resource?.keycloak_openid_client?.[name] ?? {};

const PEOPLE = {
  alice: { groups: ["developers"] },
  bob: { groups: ["platform-admins"] },
  carol: { groups: [] },
} as const;
const password = (who: string) => `${who}-password-for-tests`;

describe("Keycloak SSO, live: the rendered realm, clients and groups claim on a real Keycloak and Vault", () => {
  let kc: TestKeycloak;
  let vault: TestVault;
  let tf: TerraformStandIn;
  let issuer: string;

  beforeAll(async () => {
    [kc, vault] = await Promise.all([startKeycloak(), startVault()]);
    issuer = `${kc.url}/realms/platform`;
  }, 180_000);
  afterAll(async () => {
    await Promise.all([kc?.stop(), vault?.stop()]);
  });

  it("runs the Keycloak version the identity component deploys", () => {
    const fetched = /^version=(\S+)$/m.exec(
      readFileSync(join(import.meta.dirname, "../../../../tools/keycloak/fetch.sh"), "utf8"),
    )?.[1];
    expect(fetched).toBe(KEYCLOAK_CHART.imageTag);
  });

  it("applies the realm, clients, groups and mappers, then Vault's auth method with an identity-terraform token", async () => {
    await new TerraformStandIn(vault).apply(roots(VAULT_TERRAFORM_DIR), (f) =>
      /\/(mounts|policies)\.tf\.json$/.test(f),
    );
    const limited = await withPolicies(vault, [IDENTITY_TERRAFORM_POLICY]);
    const clientSecrets = Object.keys(
      identityRoot[`${IDENTITY_TERRAFORM_DIR}/clients.tf.json`]?.resource?.vault_kv_secret_v2 ?? {},
    );
    tf = new TerraformStandIn(limited, {
      resources: keycloakResources(kc),
      rewrite: (address, a) =>
        address === "vault_jwt_auth_backend.oidc"
          ? { ...a, oidc_discovery_url: issuer, bound_issuer: issuer }
          : a,
      // `data_json = jsonencode({…})` is a Terraform expression, which the stand-in does not
      // evaluate; the clients' secrets are read from Keycloak's state here instead.
      skip: Object.fromEntries(
        clientSecrets.map((c) => [`vault_kv_secret_v2.${c}`, "jsonencode() expression"]),
      ),
    });
    const applied = await tf.apply(identityRoot);
    expect(applied.filter((a) => a.startsWith("keycloak_")).sort()).toEqual([
      "keycloak_group.developers",
      "keycloak_group.platform-admins",
      "keycloak_openid_client.argocd",
      "keycloak_openid_client.blog",
      "keycloak_openid_client.vault",
      "keycloak_openid_group_membership_protocol_mapper.argocd",
      "keycloak_openid_group_membership_protocol_mapper.vault",
      "keycloak_realm.platform",
    ]);
    expect(applied).toContain("vault_jwt_auth_backend_role.platform");
    // Keycloak kept what was rendered: the issuer, the callbacks, a confidential client.
    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Attrs;
    expect(discovery.issuer).toBe(issuer);
    const [argocd] = (await kc.admin("GET", "/platform/clients?clientId=argocd")).body as Attrs[];
    expect(argocd).toMatchObject({
      publicClient: false,
      redirectUris: clientOf("argocd").valid_redirect_uris,
      standardFlowEnabled: true,
      directAccessGrantsEnabled: false,
    });
  });

  it("people sign in at Keycloak's login page; the UI clients' ID tokens carry their group names", async () => {
    const groups = (await kc.admin("GET", "/platform/groups")).body as { name: string }[];
    expect(groups.map((g) => g.name).sort()).toEqual(["developers", "platform-admins"]);
    for (const [who, p] of Object.entries(PEOPLE)) {
      const res = await kc.admin("POST", "/platform/users", {
        username: who,
        enabled: true,
        email: `${who}@example.dev`,
        emailVerified: true,
        firstName: who,
        lastName: "Example",
        credentials: [{ type: "password", value: password(who), temporary: false }],
        groups: p.groups.map((g) => `/${g}`),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const idToken = async (client: string, who: string) => {
      const c = clientOf(client);
      const redirect = c.valid_redirect_uris[0] as string;
      const auth = new URL(`${issuer}/protocol/openid-connect/auth`);
      auth.search = new URLSearchParams({
        client_id: c.client_id,
        redirect_uri: redirect,
        response_type: "code",
        scope: "openid",
        state: `s-${who}`,
        nonce: `n-${who}`,
      }).toString();
      const back = await keycloakSignIn(auth.toString(), who, password(who));
      expect(`${back.origin}${back.pathname}`).toBe(redirect);
      expect(back.searchParams.get("state")).toBe(`s-${who}`);
      const state = tf.state.get(`keycloak_openid_client.${client}`) ?? {};
      const res = await fetch(`${issuer}/protocol/openid-connect/token`, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "authorization_code",
          code: back.searchParams.get("code") ?? "",
          redirect_uri: redirect,
          client_id: c.client_id,
          client_secret: state.client_secret,
        }),
      });
      const body = (await res.json()) as Attrs;
      expect(res.status, JSON.stringify(body)).toBe(200);
      return decodeJwt(body.id_token);
    };
    const alice = await idToken("argocd", "alice");
    expect(alice.aud).toBe("argocd");
    expect(alice[GROUPS_CLAIM]).toEqual(["developers"]); // plain names, not "/developers"
    expect((await idToken("argocd", "bob"))[GROUPS_CLAIM]).toEqual(["platform-admins"]);
    expect((await idToken("argocd", "carol"))[GROUPS_CLAIM] ?? []).toEqual([]);
    // A service's client gets no groups claim: the platform's groups are for the platform's UIs.
    expect((await idToken("blog", "bob"))[GROUPS_CLAIM]).toBeUndefined();
    await expect(
      keycloakSignIn(
        `${issuer}/protocol/openid-connect/auth?client_id=argocd&redirect_uri=${encodeURIComponent(clientOf("argocd").valid_redirect_uris[0])}&response_type=code&scope=openid`,
        "alice",
        "wrong",
      ),
    ).rejects.toThrow(/did not sign alice in/);
  });

  /** `vault login -method=oidc`: Vault's authorization URL, Keycloak's login page, Vault's callback. */
  async function vaultLogin(who: string) {
    const start = await vault.request("POST", `auth/${VAULT_SSO.path}/oidc/auth_url`, {
      role: VAULT_SSO.role,
      redirect_uri: "http://localhost:8250/oidc/callback",
    });
    expect(start.status, JSON.stringify(start.body)).toBe(200);
    const auth = String(start.body.data.auth_url);
    expect(auth.startsWith(`${issuer}/`)).toBe(true);
    const back = await keycloakSignIn(auth, who, password(who));
    const q = new URLSearchParams({
      state: back.searchParams.get("state") ?? "",
      code: back.searchParams.get("code") ?? "",
    });
    return vault.request("GET", `auth/${VAULT_SSO.path}/oidc/callback?${q}`, undefined, "");
  }

  it("Vault signs people in through Keycloak; their Keycloak groups decide their policies", async () => {
    const alice = await vaultLogin("alice");
    expect(alice.status, JSON.stringify(alice.body)).toBe(200);
    expect(alice.body.auth.identity_policies).toEqual(["sso-developer-developers"]);
    const bob = await vaultLogin("bob");
    expect(bob.body.auth.identity_policies).toEqual(["sso-admin"]);
    // Someone in none of Keycloak's groups gets no `groups` claim at all (Keycloak omits an empty
    // one, as ZITADEL's Action does), and Vault's role, which names the claim, refuses the login.
    const carol = await vaultLogin("carol");
    expect(carol.status).toBe(400);
    expect((carol.body.errors ?? []).join()).toMatch(/"groups" claim not found in token/);

    const as = (res: typeof alice, method: string, path: string, body?: unknown) =>
      vault.request(method, path, body, res.body.auth.client_token).then((r) => r.status);
    expect(await as(bob, "POST", "kv/data/services/notes/api", { data: { token: "n" } })).toBe(200);
    expect(await as(alice, "POST", "kv/data/services/blog/api", { data: { token: "b" } })).toBe(200);
    expect(await as(alice, "GET", "kv/data/services/notes/api")).toBe(403);
  });
});
