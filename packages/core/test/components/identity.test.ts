import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { checkInput } from "../../src/check/check.js";
import { buildCheckInput } from "../../src/check/input.js";
import { identitySettings, issuerUrl, OIDC_ENV } from "../../src/components/identity/contract.js";
import { ZITADEL_WEB_APP } from "../../src/components/identity/terraform.js";
import { InputError } from "../../src/diagnostics.js";
import type { K8sObject } from "../../src/render/k8s.js";
import type { RenderedApp } from "../../src/render/render.js";
import { expectStrictlyValid, renderComponents, type ServiceSpecs } from "../helpers/component-fixture.js";
import { coreValidator, SCHEMA_DIR, validationErrors } from "../helpers/strict-schema.js";

type Spec = Record<string, unknown>;

/** A platform with identity configured and the given services, rendered in memory. */
function render(identity: Record<string, unknown> | undefined, services: ServiceSpecs = {}) {
  return renderComponents(identity === undefined ? {} : { identity }, [], services);
}

const BLOG: Spec = {
  image: "ghcr.io/example/blog:1.0.0",
  port: 8080,
  subdomain: "blog",
  runtime: "java",
  auth: "oidc",
};
const NOTES: Spec = {
  image: "ghcr.io/example/notes:1.0.0",
  port: 3000,
  subdomain: "notes",
  runtime: "node",
  auth: "oidc",
};
const PLAIN: Spec = { image: "ghcr.io/example/plain:1.0.0", port: 8080, subdomain: "plain" };
const SERVICES = { blog: BLOG, notes: NOTES, plain: PLAIN };

const wave = (apps: readonly RenderedApp[], name: string) =>
  apps.find((a) => a.spec.name === name)?.wave ?? -1;

/** Drops `$ref`s to schemas on the web (ZITADEL's values schema points at yannh/kubernetes-json-schema). */
function dropRemoteRefs(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropRemoteRefs);
  if (v === null || typeof v !== "object") return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k, x]) => !(k === "$ref" && typeof x === "string" && /^https?:/.test(x)))
      .map(([k, x]) => [k, dropRemoteRefs(x)]),
  );
}

/** `slipway check` over the render; `skipValues` leaves those charts' values to the test itself. */
async function checkErrors(
  r: ReturnType<typeof render>,
  skipValues: readonly string[] = [],
): Promise<string[]> {
  const apps = r.session.apps.map((a) => {
    if (!skipValues.includes(a.spec.name) || !a.spec.helm) return a;
    const { schemaRef: _drop, ...helm } = a.spec.helm;
    return { ...a, spec: { ...a.spec, helm } };
  });
  const result = await checkInput(buildCheckInput(r.fileList, apps), {
    schemaDir: SCHEMA_DIR,
    kubernetesVersion: "1.32",
  });
  return result.diagnostics
    .filter((d) => d.severity === "error")
    .map((d) => `${d.location?.file}:${d.location?.line} ${d.code} ${d.message}`);
}

describe("identity: ZITADEL (default provider)", () => {
  const r = render({ enabled: true, testClient: true }, SERVICES);
  const values = r.read<any>("k8s/helm/values/zitadel.yaml");
  const cfg = values.zitadel.configmapConfig;

  it("deploys the pinned chart in namespace zitadel, after postgres, secrets one step before the chart", () => {
    const a = r.read("argocd/applications/zitadel.yaml");
    const source = a.spec.sources?.[0] ?? a.spec.source;
    expect(source).toMatchObject({
      repoURL: "https://charts.zitadel.com",
      chart: "zitadel",
      targetRevision: "9.34.0",
    });
    expect(a.spec.destination.namespace).toBe("zitadel");
    expect(r.session.plan.namespaces.get("zitadel")).toMatchObject({ project: "platform" });
    expect(wave(r.session.apps, "zitadel-secrets")).toBeLessThan(wave(r.session.apps, "zitadel"));
    expect(wave(r.session.apps, "postgres")).toBeLessThan(wave(r.session.apps, "zitadel-secrets"));
    expect(values.image.tag).toBe("v4.13.0");
  });

  it("serves auth.<domain> over h2c, public, with TLS ending at Cloudflare", () => {
    expect(r.session.plan.hostnames.find((h) => h.owner === "identity")).toEqual({
      host: "auth.example.dev",
      namespace: "zitadel",
      service: "zitadel",
      port: 8080,
      public: true,
      protocol: "h2c",
      owner: "identity",
    });
    expect(cfg).toMatchObject({
      ExternalDomain: "auth.example.dev",
      ExternalPort: 443,
      ExternalSecure: true,
      TLS: { Enabled: false },
    });
    expect(values.service.appProtocol).toBe("kubernetes.io/h2c");
    expect(values.login.enabled).toBe(false);
    const dns = r.read<any>("cloudflare/terraform/dns.tf.json");
    expect(Object.values(dns.resource.cloudflare_dns_record).map((x: any) => x.name)).toContain(
      "auth.example.dev",
    );
    const route = r
      .objects("k8s/helm/manifests/")
      .find((o) => o.kind === "HTTPRoute" && o.spec.hostnames[0] === "auth.example.dev");
    expect(route?.spec.rules[0].backendRefs[0]).toMatchObject({
      name: "zitadel",
      namespace: "zitadel",
      port: 8080,
    });
  });

  it("uses the shared PostgreSQL: a zitadel database owned by zitadel, credentials from Vault", () => {
    expect(r.session.plan.databases.find((d) => d.consumer === "identity")).toEqual({
      name: "zitadel",
      owner: "zitadel",
      consumer: "identity",
      dynamic: false,
    });
    expect(cfg.Database.Postgres).toMatchObject({
      Host: "postgres.database.svc.cluster.local",
      Port: 5432,
      Database: "zitadel",
      User: { Username: "zitadel", SSL: { Mode: "disable" } },
    });
    // The postgres component created database and owner: the init Job only builds ZITADEL's schemas.
    expect(values.initJob.command).toBe("zitadel");
    expect(values.env).toEqual([
      {
        name: "ZITADEL_DATABASE_POSTGRES_USER_PASSWORD",
        valueFrom: { secretKeyRef: { name: "zitadel-database", key: "password" } },
      },
    ]);
    const es = r.objects("k8s/helm/manifests/zitadel-secrets/");
    const byName = Object.fromEntries(es.map((e) => [e.metadata.name, e.spec.data]));
    expect(byName["zitadel-database"].map((d: any) => d.remoteRef)).toEqual([
      { key: "postgres/zitadel", property: "password" },
      { key: "postgres/zitadel", property: "username" },
    ]);
    expect(byName["zitadel-masterkey"]).toEqual([
      { secretKey: "masterkey", remoteRef: { key: "identity/zitadel", property: "masterkey" } },
    ]);
    expect(values.zitadel.masterkeySecretName).toBe("zitadel-masterkey");
    expect(values.zitadel.masterkey).toBeUndefined();
  });

  it("bootstraps a machine user whose key the chart writes to an in-cluster Secret (no PAT)", () => {
    expect(cfg.FirstInstance.Org.Machine).toEqual({
      Machine: { Username: "zitadel-admin-sa", Name: "Slipway Terraform" },
      MachineKey: { ExpirationDate: "2029-01-01T00:00:00Z", Type: 1 },
      Pat: null,
    });
  });

  it("sets resources explicitly and budgets ZITADEL within the seed's ~200 MB", () => {
    expect(values.resources).toEqual({
      requests: { cpu: "100m", memory: "192Mi" },
      limits: { memory: "512Mi" },
    });
    for (const job of [values.initJob, values.setupJob, values.setupJob.machinekeyWriter, values.cleanupJob])
      expect(job.resources.limits.memory).toBeDefined();
    const budget = r.session.apps.find((a) => a.spec.name === "zitadel")?.spec.budget ?? [];
    expect(budget.map((b) => b.workload)).toEqual(["zitadel"]);
    expect(budget[0]?.requests.memoryBytes).toBeLessThanOrEqual(200 * 1024 * 1024);
  });

  it("renders no Secret anywhere", () => {
    expect(r.objects("").filter((o) => o.kind === "Secret")).toEqual([]);
  });

  it("validates strictly: manifests, and chart values against the chart's schema", async () => {
    expectStrictlyValid([
      ...r.objects("k8s/helm/manifests/zitadel-secrets/"),
      ...r
        .objects("k8s/helm/manifests/blog/")
        .filter((o) => !["HTTPRoute", "Kustomization"].includes(o.kind)),
    ]);
    // `slipway check` on everything else (ZITADEL's values schema has remote $refs it cannot load yet).
    expect(await checkErrors(r, ["zitadel"])).toEqual([]);
    const dir = join(SCHEMA_DIR, "helm-zitadel/9.34.0");
    const schema = dropRemoteRefs(JSON.parse(readFileSync(join(dir, "values.schema.json"), "utf8"))) as Spec;
    delete schema.$schema;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const { mergeHelmValues } = await import("../../src/check/schemas/helm-values.js");
    const defaults = parse(readFileSync(join(dir, "values.yaml"), "utf8"));
    expect(validate(mergeHelmValues(defaults, values)), JSON.stringify(validate.errors)).toBe(true);
    // The Kubernetes-typed values the remote refs stood for, against the strict core schema.
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "zitadel" },
      spec: {
        selector: { matchLabels: { app: "zitadel" } },
        template: {
          metadata: { labels: { app: "zitadel" } },
          spec: {
            securityContext: values.podSecurityContext,
            containers: [
              {
                name: "zitadel",
                image: "zitadel",
                env: values.env,
                resources: values.resources,
                securityContext: values.securityContext,
              },
              { name: "init", image: "zitadel", resources: values.initJob.resources },
              { name: "setup", image: "zitadel", resources: values.setupJob.resources },
              { name: "writer", image: "kubectl", resources: values.setupJob.machinekeyWriter.resources },
              { name: "cleanup", image: "kubectl", resources: values.cleanupJob.resources },
            ],
          },
        },
      },
    } as K8sObject;
    expect(validationErrors(coreValidator(deployment), deployment)).toEqual([]);
  });
});

describe("identity: OIDC clients as Terraform (ZITADEL)", () => {
  const r = render({ enabled: true, testClient: true }, SERVICES);
  const providers = r.read<any>("identity/terraform/providers.tf.json");
  const clients = r.read<any>("identity/terraform/clients.tf.json").resource;

  it("declares one client per auth: oidc service plus the test client, redirect URIs from the host", () => {
    expect(r.session.plan.oidcClients.map((c) => c.name).sort()).toEqual(["blog", "notes", "slipway-test"]);
    const blog = r.session.plan.oidcClients.find((c) => c.name === "blog");
    expect(blog).toEqual({
      name: "blog",
      namespace: "blog",
      redirectUris: ["https://blog.example.dev/login/oauth2/code/platform"],
      postLogoutRedirectUris: ["https://blog.example.dev/"],
      vaultPath: "identity/clients/blog",
      owner: "identity",
    });
    expect(r.session.plan.oidcClients.find((c) => c.name === "notes")?.redirectUris).toEqual([
      "https://notes.example.dev/auth/callback",
    ]);
  });

  it("pins providers and reads the admin key from Vault (only VAULT_ADDR/VAULT_TOKEN needed)", () => {
    expect(providers.terraform.required_providers).toEqual({
      zitadel: { source: "zitadel/zitadel", version: "~> 2.0" },
      vault: { source: "hashicorp/vault", version: "~> 5.0" },
    });
    expect(providers.provider.vault).toEqual({});
    expect(providers.provider.zitadel).toEqual({
      domain: "auth.example.dev",
      port: "443",
      insecure: false,
      jwt_profile_json: '${data.vault_kv_secret_v2.zitadel_admin.data["key"]}',
    });
    expect(providers.data.vault_kv_secret_v2.zitadel_admin).toEqual({
      mount: "kv",
      name: "identity/zitadel-admin-sa",
    });
  });

  it("declares the least-privilege Vault policy `terraform apply` runs with", () => {
    const policy = r.session.plan.vaultPolicies.find((p) => p.owner === "identity");
    expect(policy).toEqual({
      name: "identity-terraform",
      rules: [
        { path: "kv/data/identity/zitadel-admin-sa", capabilities: ["read"] },
        { path: "kv/data/identity/clients/*", capabilities: ["create", "read", "update", "delete"] },
        { path: "kv/metadata/identity/clients/*", capabilities: ["read", "delete", "list"] },
        { path: "auth/token/create", capabilities: ["create", "update"] },
      ],
      owner: "identity",
    });
    expect(r.files.get("vault/terraform/policies.tf.json")).toContain('"identity-terraform"');
  });

  it("renders a project, an OIDC application and a Vault secret per client", () => {
    expect(clients.zitadel_project).toEqual({ platform: { name: "test" } });
    expect(Object.keys(clients.zitadel_application_oidc)).toEqual(["blog", "notes", "slipway-test"]);
    const blog = clients.zitadel_application_oidc.blog;
    expect(blog).toMatchObject({
      project_id: "${zitadel_project.platform.id}",
      name: "blog",
      redirect_uris: ["https://blog.example.dev/login/oauth2/code/platform"],
      app_type: "OIDC_APP_TYPE_WEB",
      auth_method_type: "OIDC_AUTH_METHOD_TYPE_BASIC",
      dev_mode: false,
    });
    // Only the loopback test client needs development mode (http:// redirect).
    expect(clients.zitadel_application_oidc["slipway-test"].dev_mode).toBe(true);
    expect(clients.vault_kv_secret_v2.blog).toEqual({
      mount: "kv",
      name: "identity/clients/blog",
      data_json:
        "${jsonencode({ client_id = zitadel_application_oidc.blog.client_id, client_secret = zitadel_application_oidc.blog.client_secret })}",
    });
  });

  it("uses ZITADEL's own field and enum names (CreateApplication OIDC schema)", () => {
    const api = JSON.parse(
      readFileSync(
        join(SCHEMA_DIR, "zitadel-api/application-v2/create-oidc-application.schema.json"),
        "utf8",
      ),
    );
    delete api.$schema;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(api);
    for (const [name, app] of Object.entries<any>(clients.zitadel_application_oidc)) {
      const request = {
        projectId: "123456789012345678",
        name: app.name,
        oidcConfiguration: {
          redirectUris: app.redirect_uris,
          postLogoutRedirectUris: app.post_logout_redirect_uris,
          responseTypes: app.response_types,
          grantTypes: app.grant_types,
          applicationType: app.app_type,
          authMethodType: app.auth_method_type,
          version: app.version,
          developmentMode: app.dev_mode,
          accessTokenType: app.access_token_type,
          idTokenUserinfoAssertion: app.id_token_userinfo_assertion,
          clockSkew: app.clock_skew,
        },
      };
      expect(validate(request), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    // Every shared setting was mapped above: a new one must be mapped (and checked) too.
    expect(Object.keys(ZITADEL_WEB_APP).sort()).toEqual([
      "access_token_type",
      "app_type",
      "auth_method_type",
      "clock_skew",
      "grant_types",
      "id_token_userinfo_assertion",
      "response_types",
      "version",
    ]);
  });

  it("renders the provider config alone when no client is declared", () => {
    const bare = render({ enabled: true });
    const res = bare.read<any>("identity/terraform/clients.tf.json").resource;
    expect(Object.keys(res)).toEqual(["zitadel_project"]);
    expect(bare.session.plan.oidcClients).toEqual([]);
  });
});

describe("identity: Keycloak", () => {
  const r = render({ enabled: true, provider: "keycloak", testClient: true }, SERVICES);
  const values = r.read<any>("k8s/helm/values/keycloak.yaml");

  it("deploys the pinned keycloakx chart on the shared PostgreSQL at the same hostname", () => {
    const a = r.read("argocd/applications/keycloak.yaml");
    const source = a.spec.sources?.[0] ?? a.spec.source;
    expect(source).toMatchObject({
      repoURL: "https://codecentric.github.io/helm-charts",
      chart: "keycloakx",
      targetRevision: "7.1.11",
    });
    expect(r.files.has("argocd/applications/zitadel.yaml")).toBe(false);
    expect(r.session.plan.hostnames.find((h) => h.owner === "identity")).toMatchObject({
      host: "auth.example.dev",
      namespace: "keycloak",
      service: "keycloak-http",
      port: 80,
      public: true,
    });
    expect(values.database).toMatchObject({
      vendor: "postgres",
      hostname: "postgres.database.svc.cluster.local",
      port: 5432,
      database: "keycloak",
      username: "keycloak",
      existingSecret: "keycloak-database",
    });
    expect(r.session.plan.databases.find((d) => d.consumer === "identity")?.name).toBe("keycloak");
    expect(values.http.relativePath).toBe("/");
    const env = parse(values.extraEnv) as { name: string; value?: string; valueFrom?: unknown }[];
    expect(env.find((e) => e.name === "KC_HOSTNAME")?.value).toBe("https://auth.example.dev");
    expect(env.find((e) => e.name === "KC_BOOTSTRAP_ADMIN_PASSWORD")?.valueFrom).toEqual({
      secretKeyRef: { name: "keycloak-admin", key: "password" },
    });
    expect(values.resources.limits.memory).toBe("1Gi");
  });

  it("renders the realm and confidential clients writing to the same Vault paths", () => {
    const providers = r.read<any>("identity/terraform/providers.tf.json");
    expect(providers.terraform.required_providers.keycloak).toEqual({
      source: "keycloak/keycloak",
      version: "~> 5.0",
    });
    expect(providers.provider.keycloak).toMatchObject({
      url: "https://auth.example.dev",
      realm: "master",
      base_path: "",
    });
    const res = r.read<any>("identity/terraform/clients.tf.json").resource;
    expect(res.keycloak_realm).toEqual({ platform: { realm: "platform", enabled: true } });
    expect(res.keycloak_openid_client.blog).toMatchObject({
      realm_id: "${keycloak_realm.platform.id}",
      client_id: "blog",
      access_type: "CONFIDENTIAL",
      standard_flow_enabled: true,
      valid_redirect_uris: ["https://blog.example.dev/login/oauth2/code/platform"],
      valid_post_logout_redirect_uris: ["https://blog.example.dev/"],
    });
    expect(res.vault_kv_secret_v2.blog.name).toBe("identity/clients/blog");
  });

  it("passes slipway check (strict CRDs, core schemas, chart values, policies) and renders no Secret", async () => {
    expect(await checkErrors(r)).toEqual([]);
    expect(r.objects("").filter((o) => o.kind === "Secret")).toEqual([]);
    expectStrictlyValid(r.objects("k8s/helm/manifests/keycloak-secrets/"));
  });
});

describe("identity: the service contract", () => {
  const envOf = (r: ReturnType<typeof render>, svc: string) => {
    const d = r.read(`k8s/helm/manifests/${svc}/deployment-${svc}.yaml`);
    return d.spec.template.spec.containers[0].env as { name: string; value?: string; valueFrom?: any }[];
  };
  const zitadel = render({ enabled: true }, { blog: BLOG });
  const keycloak = render({ enabled: true, provider: "keycloak", realm: "home" }, { blog: BLOG });

  it("gives a service the same env names and secret keys under both providers", () => {
    const shape = (r: ReturnType<typeof render>) =>
      envOf(r, "blog")
        .filter((e) => e.name.startsWith("OIDC_"))
        .map((e) => [e.name, e.valueFrom?.secretKeyRef ?? "literal"]);
    expect(shape(zitadel)).toEqual(shape(keycloak));
    expect(shape(zitadel)).toEqual([
      [OIDC_ENV.clientId, { name: "blog-oidc", key: "OIDC_CLIENT_ID" }],
      [OIDC_ENV.clientSecret, { name: "blog-oidc", key: "OIDC_CLIENT_SECRET" }],
      [OIDC_ENV.issuer, "literal"],
    ]);
    const es = (r: ReturnType<typeof render>) =>
      r.read("k8s/helm/manifests/blog/externalsecret-blog-oidc.yaml");
    expect(es(zitadel).spec).toEqual(es(keycloak).spec);
  });

  it("points OIDC_ISSUER_URL at the provider's issuer", () => {
    const issuer = (r: ReturnType<typeof render>) =>
      envOf(r, "blog").find((e) => e.name === OIDC_ENV.issuer)?.value;
    expect(issuer(zitadel)).toBe("https://auth.example.dev");
    expect(issuer(keycloak)).toBe("https://auth.example.dev/realms/home");
  });

  it("leaves services without auth: oidc alone", () => {
    const r = render({ enabled: true }, { plain: PLAIN });
    expect(envOf(r, "plain").some((e) => e.name.startsWith("OIDC_"))).toBe(false);
    expect(r.files.has("k8s/helm/manifests/plain/externalsecret-plain-oidc.yaml")).toBe(false);
  });

  it("rejects auth: oidc when identity is disabled", () => {
    try {
      render({ enabled: false }, { blog: BLOG });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).diagnostics.map((d) => [d.code, d.path])).toEqual([
        ["SW_SPEC_CAPABILITY_DISABLED", ["spec", "auth"]],
      ]);
    }
  });

  it("rejects auth: oidc on a service without a subdomain (no callback URL)", () => {
    const { subdomain: _none, ...noHost } = BLOG;
    try {
      render({ enabled: true }, { blog: noHost });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).diagnostics.map((d) => [d.code, d.path])).toEqual([
        ["SW_IDENTITY_OIDC_NEEDS_HOST", ["spec", "auth"]],
      ]);
    }
  });
});

describe("identity: config", () => {
  it("has a default for every field", () => {
    expect(identitySettings(undefined)).toEqual({
      provider: "zitadel",
      subdomain: "auth",
      realm: "platform",
      testClient: false,
    });
    expect(issuerUrl(identitySettings({ provider: "keycloak" }), "example.dev")).toBe(
      "https://auth.example.dev/realms/platform",
    );
  });

  it("is off by default and renders nothing then", () => {
    const r = render(undefined);
    expect([...r.files.keys()].some((p) => p.startsWith("identity/") || p.includes("zitadel"))).toBe(false);
  });

  it("declares the test client only when asked", () => {
    expect(render({ enabled: true }).session.plan.oidcClients).toEqual([]);
    expect(render({ enabled: true, testClient: true }).session.plan.oidcClients.map((c) => c.name)).toEqual([
      "slipway-test",
    ]);
  });
});
