import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { ARGOCD_CHART } from "../../src/components/argocd/contract.js";
import {
  expectStrictlyValid,
  renderFile,
  type ServiceSpecs,
  writePlatform,
} from "../helpers/component-fixture.js";
import { SCHEMA_DIR } from "../helpers/strict-schema.js";
import { CHARTS_DIR, tool } from "../helpers/tools.js";

// jmespath.js, the reference JavaScript implementation of the language Grafana's role_attribute_path is in.
const jmespath = createRequire(import.meta.url)("jmespath") as {
  search(data: unknown, expr: string): unknown;
};

const ACCESS = {
  groups: [
    { name: "platform-admins", description: "Run the platform" },
    { name: "developers", services: ["blog"] },
    { name: "auditors" },
  ],
  argocd: { admin: ["platform-admins"], deployer: ["developers"], readonly: ["auditors"] },
  grafana: { admin: ["platform-admins"], editor: ["developers"], viewer: ["auditors"] },
  vault: { admin: ["platform-admins"], developer: ["developers"] },
};

const SERVICES: ServiceSpecs = {
  blog: { image: "ghcr.io/example/blog:1.0.0", port: 8080, subdomain: "blog" },
  notes: { image: "ghcr.io/example/notes:1.0.0", port: 8080, subdomain: "notes" },
};

/** A platform with `spec.access`, rendered in memory. */
function render(components: Record<string, unknown>, access: unknown = ACCESS, services = SERVICES) {
  return renderFile(writePlatform(components, services, {}, access === null ? {} : { access }));
}

const ZITADEL = { identity: { enabled: true } };
const KEYCLOAK = { identity: { enabled: true, provider: "keycloak" } };
const GRAFANA_DEPLOYED = { observability: { grafana: { mode: "deploy" } } };

/** `helm template` of a chart at its pinned version with the rendered values. */
function helmTemplate(chartDir: string, release: string, namespace: string, values: string): any[] {
  const dir = mkdtempSync(join(tmpdir(), "slipway-sso-helm-"));
  try {
    writeFileSync(join(dir, "values.yaml"), values);
    const out = execFileSync(
      tool("helm"),
      ["template", release, chartDir, "--namespace", namespace, "-f", join(dir, "values.yaml")],
      { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
    );
    return parseAllDocuments(out)
      .map((d) => d.toJS())
      .filter(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("SSO for people: Argo CD", () => {
  const tree = render(ZITADEL);
  const values = tree.read<any>("k8s/helm/values/argocd.yaml");

  it("signs in against the platform issuer with the client from Vault, asking for the groups claim", () => {
    const oidc = parse(values.configs.cm["oidc.config"]);
    expect(oidc).toEqual({
      name: "ZITADEL",
      issuer: "https://auth.example.dev",
      clientID: "$argocd-oidc:client_id",
      clientSecret: "$argocd-oidc:client_secret",
      requestedScopes: ["openid", "profile", "email"],
      requestedIDTokenClaims: { groups: { essential: true } },
    });
    // The client is declared like a service's, with Argo CD's callback.
    const clients = tree.read<any>("identity/terraform/clients.tf.json").resource;
    expect(clients.zitadel_application_oidc.argocd.redirect_uris).toEqual([
      "https://argocd.example.dev/auth/callback",
    ]);
    expect(clients.vault_kv_secret_v2.argocd.name).toBe("identity/clients/argocd");
  });

  it("maps groups to roles with a deny default; deployers sync only their services", () => {
    const rbac = values.configs.rbac;
    expect(rbac["policy.default"]).toBe("");
    expect(rbac.scopes).toBe("[groups]");
    const lines: string[] = rbac["policy.csv"].trim().split("\n");
    expect(lines).toContain("g, platform-admins, role:admin");
    expect(lines).toContain("g, auditors, role:readonly");
    expect(lines).toContain("g, developers, role:deployer-developers");
    expect(lines).toContain("p, role:deployer-developers, applications, sync, workloads/blog, allow");
    expect(lines).toContain("p, role:deployer-developers, applications, get, platform/*, allow");
    // Nothing on notes but reading it; nothing but reading the platform; nobody else is admin.
    expect(lines.filter((l) => l.includes("workloads/notes"))).toEqual([]);
    expect(lines.filter((l) => /, platform(\/|$|,)/.test(l) && !l.includes(", get, "))).toEqual([]);
    expect(lines.filter((l) => l.endsWith("role:admin"))).toEqual(["g, platform-admins, role:admin"]);
  });

  it("sets only keys the argo-cd chart defines, and the chart renders them into its ConfigMaps", () => {
    const defaults = parse(readFileSync(join(SCHEMA_DIR, "helm-argo-cd/10.1.1/values.yaml"), "utf8"));
    for (const k of Object.keys(values.configs.rbac)) expect(defaults.configs.rbac, k).toHaveProperty([k]);
    const objs = helmTemplate(
      join(CHARTS_DIR, ARGOCD_CHART.chart, ARGOCD_CHART.version),
      "argocd",
      "argocd",
      tree.files.get("k8s/helm/values/argocd.yaml") ?? "",
    );
    const cm = (name: string) => objs.find((o) => o.kind === "ConfigMap" && o.metadata.name === name);
    expect(cm("argocd-rbac-cm")?.data).toMatchObject({
      "policy.csv": values.configs.rbac["policy.csv"],
      "policy.default": "",
      scopes: "[groups]",
    });
    expect(cm("argocd-cm")?.data["oidc.config"]).toBe(values.configs.cm["oidc.config"]);
    expect(cm("argocd-cm")?.data.url).toBe("https://argocd.example.dev");
  });

  it("gets the client secret from Vault through an ExternalSecret labelled for Argo CD", () => {
    const objs = tree.objects("k8s/helm/manifests/argocd-oidc/");
    expect(objs).toHaveLength(1);
    const es = objs[0] as any;
    expect(es).toMatchObject({
      kind: "ExternalSecret",
      metadata: { name: "argocd-oidc", namespace: "argocd" },
    });
    expect(es.spec.target.template.metadata.labels).toEqual({ "app.kubernetes.io/part-of": "argocd" });
    expect(es.spec.data.map((d: any) => [d.secretKey, d.remoteRef.key, d.remoteRef.property])).toEqual([
      ["client_id", "identity/clients/argocd", "client_id"],
      ["client_secret", "identity/clients/argocd", "client_secret"],
    ]);
    expectStrictlyValid(objs);
    // It syncs with the identity component (after ESO), not in Argo CD's own first wave.
    const app = tree.session.apps.find((a) => a.spec.name === "argocd-oidc");
    const argocd = tree.session.apps.find((a) => a.spec.name === "argocd");
    const eso = tree.session.apps.find((a) => a.spec.name === "external-secrets");
    expect(app?.wave).toBeGreaterThan(argocd?.wave ?? 99);
    expect(app?.wave).toBeGreaterThan(eso?.wave ?? 99);
  });

  it("renders nothing of SSO without spec.access", () => {
    const plain = render(ZITADEL, null);
    const v = plain.read<any>("k8s/helm/values/argocd.yaml");
    expect(v.configs.rbac).toBeUndefined();
    expect(v.configs.cm["oidc.config"]).toBeUndefined();
    expect(plain.files.has("identity/terraform/groups.tf.json")).toBe(false);
    expect(plain.session.apps.some((a) => a.spec.name === "argocd-oidc")).toBe(false);
  });
});

describe("SSO for people: groups in the identity provider", () => {
  it("ZITADEL: a project role per group, and an Action writing the platform project's roles as `groups`", () => {
    const r = render(ZITADEL).read<any>("identity/terraform/groups.tf.json").resource;
    expect(Object.keys(r.zitadel_project_role).sort()).toEqual(["auditors", "developers", "platform-admins"]);
    expect(r.zitadel_project_role["platform-admins"]).toEqual({
      project_id: "${zitadel_project.platform.id}",
      role_key: "platform-admins",
      display_name: "Run the platform",
    });
    const action = r.zitadel_action.groups_claim;
    expect(action.allowed_to_fail).toBe(true);
    expect(
      Object.values(r.zitadel_trigger_actions).map((t: any) => [t.flow_type, t.trigger_type, t.action_ids]),
    ).toEqual([
      [
        "FLOW_TYPE_CUSTOMISE_TOKEN",
        "TRIGGER_TYPE_PRE_ACCESS_TOKEN_CREATION",
        ["${zitadel_action.groups_claim.id}"],
      ],
      [
        "FLOW_TYPE_CUSTOMISE_TOKEN",
        "TRIGGER_TYPE_PRE_USERINFO_CREATION",
        ["${zitadel_action.groups_claim.id}"],
      ],
    ]);
    // Run the script as ZITADEL would (after Terraform filled in the project id): roles of the
    // platform project become `groups`, another project's roles do not.
    const script = (action.script as string).replace("${zitadel_project.platform.id}", "p-1");
    const claims: Record<string, unknown> = {};
    const grants = {
      count: 2,
      grants: [
        { projectId: "p-1", roles: ["developers", "auditors"] },
        { projectId: "p-2", roles: ["platform-admins"] },
      ],
    };
    new Function("ctx", "api", `${script}\ngroupsClaim(ctx, api);`)(
      { v1: { user: { grants } } },
      { v1: { claims: { setClaim: (k: string, v: unknown) => (claims[k] = v) } } },
    );
    expect(claims).toEqual({ groups: ["developers", "auditors"] });
  });

  it("Keycloak: a realm group per group, and a `groups` mapper (plain names) on each UI's client", () => {
    const tree = render({ ...KEYCLOAK, ...GRAFANA_DEPLOYED });
    const r = tree.read<any>("identity/terraform/groups.tf.json").resource;
    expect(Object.keys(r.keycloak_group).sort()).toEqual(["auditors", "developers", "platform-admins"]);
    expect(r.keycloak_group.developers).toEqual({
      realm_id: "${keycloak_realm.platform.id}",
      name: "developers",
    });
    const mappers = r.keycloak_openid_group_membership_protocol_mapper;
    expect(Object.keys(mappers).sort()).toEqual(["argocd", "grafana", "vault"]);
    expect(mappers.argocd).toMatchObject({
      client_id: "${keycloak_openid_client.argocd.id}",
      claim_name: "groups",
      full_path: false,
      add_to_id_token: true,
    });
    // Argo CD and Vault talk to the realm's issuer.
    const oidc = parse(tree.read<any>("k8s/helm/values/argocd.yaml").configs.cm["oidc.config"]);
    expect(oidc.issuer).toBe("https://auth.example.dev/realms/platform");
    const vault = tree.read<any>("identity/terraform/vault-sso.tf.json").resource;
    expect(vault.vault_jwt_auth_backend.oidc.oidc_discovery_url).toBe(
      "https://auth.example.dev/realms/platform",
    );
    expect(vault.vault_jwt_auth_backend.oidc.oidc_client_id).toBe(
      "${keycloak_openid_client.vault.client_id}",
    );
  });
});

describe("SSO for people: Grafana", () => {
  it("deploy mode: generic OAuth against the provider, role from the groups claim, secret from Vault", () => {
    const tree = render({ ...ZITADEL, ...GRAFANA_DEPLOYED });
    const values = tree.read<any>("k8s/helm/values/grafana.yaml");
    const oauth = values["grafana.ini"]["auth.generic_oauth"];
    expect(oauth).toMatchObject({
      enabled: true,
      auth_url: "https://auth.example.dev/oauth/v2/authorize",
      token_url: "https://auth.example.dev/oauth/v2/token",
      api_url: "https://auth.example.dev/oidc/v1/userinfo",
      allow_sign_up: true,
      role_attribute_strict: true,
      use_pkce: true,
    });
    expect(oauth.client_secret).toBeUndefined();
    expect(values["grafana.ini"].server.root_url).toBe("https://grafana.example.dev");
    expect(values.envFromSecret).toBe("grafana-oidc");
    const role = (claims: unknown) => jmespath.search(claims, oauth.role_attribute_path);
    expect(role({ groups: ["platform-admins"] })).toBe("Admin");
    expect(role({ groups: ["developers"] })).toBe("Editor");
    expect(role({ groups: ["auditors", "developers"] })).toBe("Editor");
    expect(role({ groups: ["developers", "platform-admins"] })).toBe("Admin");
    expect(role({ groups: ["auditors"] })).toBe("Viewer");
    // No mapped group, or no claim at all: no role, which role_attribute_strict refuses.
    expect(role({ groups: ["someone-else"] })).toBeNull();
    expect(role({ sub: "1" })).toBeNull();

    const es = tree
      .objects("k8s/helm/manifests/grafana/")
      .find((o) => o.metadata.name === "grafana-oidc") as any;
    expect(es.spec.data.map((d: any) => d.secretKey)).toEqual([
      "GF_AUTH_GENERIC_OAUTH_CLIENT_ID",
      "GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET",
    ]);
    expectStrictlyValid([es]);
    // A route for people to come back to, and the client with Grafana's callback.
    const clients = tree.read<any>("identity/terraform/clients.tf.json").resource;
    expect(clients.zitadel_application_oidc.grafana.redirect_uris).toEqual([
      "https://grafana.example.dev/login/generic_oauth",
    ]);
    expect(
      tree.session.spec && [...tree.files.keys()].some((p) => p.includes("grafana") && p.includes("route")),
    ).toBe(true);

    // The real chart puts it in grafana.ini and the env of the Deployment.
    const objs = helmTemplate(
      join(CHARTS_DIR, "grafana", "11.6.1"),
      "grafana",
      "monitoring",
      tree.files.get("k8s/helm/values/grafana.yaml") ?? "",
    );
    const ini = objs.find((o) => o.kind === "ConfigMap" && o.metadata.name === "grafana")?.data[
      "grafana.ini"
    ];
    expect(ini).toContain("[auth.generic_oauth]");
    expect(ini).toContain("role_attribute_strict = true");
    const deploy = objs.find((o) => o.kind === "Deployment" && o.metadata.name === "grafana");
    const envFrom = deploy.spec.template.spec.containers.find((c: any) => c.name === "grafana").envFrom;
    expect(envFrom).toContainEqual({ secretRef: { name: "grafana-oidc" } });
  });

  it("existing Grafana: nothing rendered for it (configured by hand, docs/guides/sso.md)", () => {
    const tree = render(ZITADEL);
    const clients = tree.read<any>("identity/terraform/clients.tf.json").resource;
    expect(clients.zitadel_application_oidc.grafana).toBeUndefined();
    expect([...tree.files.keys()].filter((p) => p.includes("grafana"))).toEqual([]);
  });
});

describe("SSO for people: Vault policies", () => {
  const tree = render(ZITADEL);
  const policies = tree.read<any>("vault/terraform/policies.tf.json");

  it("admins get everything; a developer group only its services' secrets", () => {
    const doc = policies.data.vault_policy_document;
    expect(doc["sso-admin"].rule).toEqual([
      { path: "*", capabilities: ["create", "read", "update", "patch", "delete", "list", "sudo"] },
    ]);
    const paths = doc["sso-developer-developers"].rule.map((r: any) => r.path);
    expect(paths).toEqual([
      "kv/metadata/services/",
      "kv/data/services/blog/*",
      "kv/metadata/services/blog/*",
      "kv/metadata/services/blog/",
    ]);
  });

  it("the auth method maps each group's claim value to an external group carrying its policies", () => {
    const r = tree.read<any>("identity/terraform/vault-sso.tf.json").resource;
    expect(r.vault_jwt_auth_backend_role.platform).toMatchObject({
      role_type: "oidc",
      groups_claim: "groups",
      allowed_redirect_uris: [
        "https://vault.example.dev/ui/vault/auth/oidc/oidc/callback",
        "http://localhost:8250/oidc/callback",
      ],
    });
    expect(r.vault_identity_group.developers).toEqual({
      name: "sso-developers",
      type: "external",
      policies: ["sso-developer-developers"],
    });
    // auditors hold no Vault role: no group for them.
    expect(Object.keys(r.vault_identity_group).sort()).toEqual(["developers", "platform-admins"]);
    expect(r.vault_identity_group_alias["platform-admins"].name).toBe("platform-admins");
  });
});
