import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  componentEntityV1alpha1Validator,
  DefaultNamespaceEntityPolicy,
  type Entity,
  EntityPolicies,
  FieldFormatEntityPolicy,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  systemEntityV1alpha1Validator,
} from "@backstage/catalog-model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { computeBudget } from "../../src/check/budget.js";
import { backstage } from "../../src/components/backstage/index.js";
import { components } from "../../src/components/index.js";
import { passwordEnv, provisioningSql } from "../../src/components/postgres/sql.js";
import { InputError } from "../../src/diagnostics.js";
import { toYaml } from "../../src/render/yaml.js";
import { renderPlatform } from "../../src/synth.js";
import { renderComponents, renderFile, writePlatform } from "../helpers/component-fixture.js";
import { diagnosticsOf } from "../helpers/diagnostics.js";
import { findPostgresBinDir, startPostgres, type TestPostgres } from "../helpers/postgres.js";
import { CHARTS_DIR, tool } from "../helpers/tools.js";

const ON = { backstage: { enabled: true }, identity: { enabled: true } };
const SERVICES = {
  api: {
    description: "The API",
    image: "ghcr.io/example/api:1.0.0",
    port: 8080,
    subdomain: "api",
    runtime: "java",
    preset: "spring-boot-microservice",
    owner: "team-a",
  },
  site: { image: "ghcr.io/example/site:1.0.0", port: 8080, runtime: "static", dependsOn: ["api"] },
};

/** Backstage's own validation, as the catalog backend runs it on every entity it ingests. */
const policy = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);
const KIND_VALIDATORS = [
  componentEntityV1alpha1Validator,
  systemEntityV1alpha1Validator,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
];

async function expectValidEntity(e: Entity): Promise<void> {
  const out = await policy.enforce(structuredClone(e));
  expect(out, `${e.kind}/${e.metadata.name}`).toBeDefined();
  // The kind's own schema (entityKindSchemaValidator over catalog-model's JSON schemas) accepts it.
  const results = await Promise.all(KIND_VALIDATORS.map((v) => v.check(e)));
  expect(results.filter(Boolean), `${e.kind}/${e.metadata.name}: exactly one kind validator`).toHaveLength(1);
}

describe("backstage component", () => {
  const tree = renderComponents(ON, [], SERVICES);
  const catalog = [...tree.files.entries()].filter(([p]) => p.startsWith("backstage/catalog/"));
  const entities = catalog.flatMap(([, c]) => parseAllDocuments(c).map((d) => d.toJS() as Entity));
  const values = tree.read<any>("k8s/helm/values/backstage.yaml");
  const appConfig = values.backstage.appConfig;

  it("is off by default and needs the gateway, identity, postgres and external-secrets", () => {
    expect(backstage.enabledByDefault).toBe(false);
    expect(backstage.dependsOn).toEqual(["gateway", "identity", "postgres", "external-secrets"]);
    expect(renderComponents({}).session.apps.some((a) => a.owner === "backstage")).toBe(false);
  });

  it("deploys the upstream chart at its pinned version, values valid against the chart's schema", () => {
    const apps = tree.session.apps.filter((a) => a.owner === "backstage");
    expect(apps.map((a) => [a.spec.name, a.spec.project, a.spec.namespace])).toEqual([
      ["backstage", "platform", "backstage"],
    ]);
    expect(apps[0]?.spec.helm).toMatchObject({
      repoURL: "https://backstage.github.io/charts",
      chart: "backstage",
      version: "2.8.2",
      schemaRef: "helm-backstage/2.8.2",
    });
    expect(tree.session.plan.sourceRepos.has("https://backstage.github.io/charts")).toBe(true);
    const ns = tree.read<any>("k8s/helm/manifests/namespaces/namespace-backstage.yaml");
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it("signs in through the platform's issuer with its own OIDC client (identity's Terraform)", () => {
    const client = tree.session.plan.oidcClients.find((c) => c.name === "slipway-backstage");
    expect(client).toMatchObject({
      namespace: "backstage",
      redirectUris: ["https://backstage.example.dev/api/auth/oidc/handler/frame"],
      vaultPath: "identity/clients/slipway-backstage",
    });
    const tf = tree.read<any>("identity/terraform/clients.tf.json");
    expect(tf.resource.zitadel_application_oidc["slipway-backstage"].redirect_uris).toEqual(
      client?.redirectUris,
    );
    const oidc = appConfig.auth.providers.oidc.production;
    expect(oidc.metadataUrl).toBe("https://auth.example.dev/.well-known/openid-configuration");
    expect([oidc.clientId, oidc.clientSecret]).toEqual([
      "${AUTH_OIDC_CLIENT_ID}",
      "${AUTH_OIDC_CLIENT_SECRET}",
    ]);
    expect(oidc.signIn.resolvers).toHaveLength(1);
    // @backstage/plugin-auth-backend-module-oidc-provider 0.4.21 throws at start-up on `scope`.
    expect(oidc).not.toHaveProperty("scope");
    const keycloak = renderComponents({ ...ON, identity: { enabled: true, provider: "keycloak" } });
    expect(
      keycloak.read<any>("k8s/helm/values/backstage.yaml").backstage.appConfig.auth.providers.oidc.production
        .metadataUrl,
    ).toBe("https://auth.example.dev/realms/platform/.well-known/openid-configuration");
  });

  it("ties sign-in to platform.yaml's groups: the image's resolver, the permission policy, a Group per declared group", async () => {
    // Without spec.access.backstage no group holds a Backstage role: the resolver refuses everyone.
    expect(appConfig.auth.providers.oidc.production.signIn.resolvers).toEqual([
      { resolver: "platformGroups", claim: "groups", groups: [] },
    ]);
    const access = {
      groups: [
        { name: "platform-admins", description: "Run the platform" },
        { name: "developers" },
        { name: "auditors", description: "Read the audit logs" },
      ],
      backstage: { admin: ["platform-admins"], developer: ["developers"] },
    };
    for (const provider of ["zitadel", "keycloak"] as const) {
      const t = renderFile(
        writePlatform({ ...ON, identity: { enabled: true, provider } }, SERVICES, {}, { access }),
      );
      const config = t.read<any>("k8s/helm/values/backstage.yaml").backstage.appConfig;
      // Only the groups holding a Backstage role may sign in; nobody is looked up in the catalog.
      expect(config.auth.providers.oidc.production.signIn.resolvers).toEqual([
        { resolver: "platformGroups", claim: "groups", groups: ["platform-admins", "developers"] },
      ]);
      expect(JSON.stringify(config)).not.toContain("dangerouslyAllowSignInWithoutUserInCatalog");
      expect(config.permission).toEqual({ enabled: true });
      expect(config.slipway).toEqual({ access: { admin: ["platform-admins"], developer: ["developers"] } });
      // Every declared group is a catalog Group (the token's ownership refs exist), valid for Backstage.
      const groups = parseAllDocuments(t.files.get("backstage/catalog/platform.yaml") ?? "")
        .map((d) => d.toJS() as Entity)
        .filter((e) => e.kind === "Group");
      expect(groups.map((g) => [g.metadata.name, g.metadata.description])).toEqual([
        ["auditors", "Read the audit logs"],
        ["developers", "People of the test platform (spec.access)"],
        ["example", "Owner of services on the test platform"],
        ["platform-admins", "Run the platform"],
        ["team-a", "Owner of services on the test platform"],
      ]);
      for (const g of groups) await expectValidEntity(g);
      if (provider === "keycloak") {
        // Keycloak emits `groups` only through a mapper on the client: Backstage's gets one too.
        const mappers = t.read<any>("identity/terraform/groups.tf.json").resource
          .keycloak_openid_group_membership_protocol_mapper;
        expect(mappers["slipway-backstage"]).toMatchObject({
          client_id: "${keycloak_openid_client.slipway-backstage.id}",
          claim_name: "groups",
          full_path: false,
          add_to_id_token: true,
        });
      }
    }
  });

  it("keeps its database on the shared PostgreSQL, credentials from Vault through one ExternalSecret", () => {
    expect(tree.session.plan.databases).toContainEqual({
      name: "backstage",
      owner: "backstage",
      consumer: "backstage",
      dynamic: false,
    });
    const provision = tree.objects("k8s/helm/manifests/postgres/").find((o) => o.kind === "ConfigMap");
    expect(provision?.data["provision.sql"]).toContain("backstage");
    expect(appConfig.backend.database).toEqual({
      client: "pg",
      pluginDivisionMode: "schema",
      ensureExists: false,
      ensureSchemaExists: true,
      connection: {
        host: "postgres.database.svc.cluster.local",
        port: 5432,
        user: "${POSTGRES_USER}",
        password: "${POSTGRES_PASSWORD}",
        database: "backstage",
      },
    });
    expect(values.postgresql).toEqual({ enabled: false });
    const es = tree.objects("k8s/helm/manifests/backstage/").find((o) => o.kind === "ExternalSecret");
    expect(es?.spec.data.map((d: any) => [d.secretKey, d.remoteRef.key, d.remoteRef.property])).toEqual([
      ["AUTH_OIDC_CLIENT_ID", "identity/clients/slipway-backstage", "client_id"],
      ["AUTH_OIDC_CLIENT_SECRET", "identity/clients/slipway-backstage", "client_secret"],
      ["AUTH_SESSION_SECRET", "backstage/session", "secret"],
      ["GITHUB_TOKEN", "backstage/github", "token"],
      ["POSTGRES_PASSWORD", "postgres/backstage", "password"],
      ["POSTGRES_USER", "postgres/backstage", "username"],
    ]);
    expect(es?.spec.secretStoreRef).toEqual({ kind: "ClusterSecretStore", name: "vault-backend" });
    // The platform store serves the backstage namespace by name.
    const store = tree.objects("k8s/helm/manifests/external-secrets-store/")[0];
    expect(store?.spec.conditions[0].namespaces).toContain("backstage");
  });

  it("is routed at backstage.<domain> by the gateway and gets public DNS", () => {
    expect(tree.session.plan.hostnames).toContainEqual({
      host: "backstage.example.dev",
      namespace: "backstage",
      service: "backstage",
      port: 7007,
      public: true,
      protocol: "http",
      owner: "backstage",
    });
    const route = tree
      .objects("k8s/helm/manifests/")
      .find((o) => o.kind === "HTTPRoute" && o.spec.hostnames?.includes("backstage.example.dev"));
    expect(route?.spec.rules[0].backendRefs[0]).toMatchObject({
      name: "backstage",
      namespace: "backstage",
      port: 7007,
    });
    const withDns = renderComponents({ ...ON, cloudflare: { enabled: true } }, [], SERVICES);
    expect(withDns.files.get("cloudflare/terraform/dns.tf.json")).toContain("backstage");
  });

  it("the real chart renders a restricted, resourced Deployment reading the Secret and the app-config", () => {
    const dir = mkdtempSync(join(tmpdir(), "slipway-backstage-"));
    writeFileSync(join(dir, "values.yaml"), toYaml(values));
    const out = execFileSync(
      tool("helm"),
      [
        "template",
        "backstage",
        join(CHARTS_DIR, "backstage/2.8.2"),
        "--namespace",
        "backstage",
        "-f",
        join(dir, "values.yaml"),
      ],
      { encoding: "utf8" },
    );
    const objs = parseAllDocuments(out)
      .map((d) => d.toJS())
      .filter(Boolean) as any[];
    expect(objs.map((o) => o.kind).sort()).toEqual(["ConfigMap", "Deployment", "Service", "ServiceAccount"]);
    const svc = objs.find((o) => o.kind === "Service");
    expect(svc.metadata.name).toBe("backstage");
    expect(svc.spec.ports[0].port).toBe(7007);
    const pod = objs.find((o) => o.kind === "Deployment").spec.template.spec;
    const c = pod.containers[0];
    expect(c.image).toBe("ghcr.io/example/slipway-backstage:0.1.0");
    expect(c.envFrom).toEqual([{ secretRef: { name: "backstage" } }]);
    expect(c.args).toEqual(["--config", "/app/app-config-from-configmap.yaml"]);
    expect(c.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(c.resources).toEqual({ requests: { cpu: "100m", memory: "384Mi" }, limits: { memory: "768Mi" } });
    expect(c.volumeMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
    const sa = objs.find((o) => o.kind === "ServiceAccount");
    expect(sa.automountServiceAccountToken).toBe(false);
    const cm = objs.find((o) => o.kind === "ConfigMap");
    expect(cm.data["app-config.yaml"]).toContain(
      "metadataUrl: https://auth.example.dev/.well-known/openid-configuration",
    );
  });

  it("counts its workload in the budget", () => {
    // A fresh session: the budget iterates the session's file stream, which the fixture consumed.
    const session = renderPlatform(writePlatform(ON, SERVICES), components);
    const line = computeBudget(session).components.find((c) => c.component === "backstage");
    expect(line?.requests).toEqual({ cpuMillis: 100, memoryBytes: 384 * 1024 * 1024 });
  });

  it("renders the catalog from the platform repository: one Component per service, all valid for Backstage", async () => {
    expect(catalog.map(([p]) => p).sort()).toEqual([
      "backstage/catalog/all.yaml",
      "backstage/catalog/components/api.yaml",
      "backstage/catalog/components/site.yaml",
      "backstage/catalog/platform.yaml",
    ]);
    for (const e of entities) await expectValidEntity(e);
    const api = entities.find((e) => e.kind === "Component" && e.metadata.name === "api") as any;
    expect(api.spec).toEqual({
      type: "service",
      lifecycle: "production",
      owner: "group:default/team-a",
      system: "test",
    });
    expect(api.metadata.annotations["argocd/app-name"]).toBe("api");
    expect(api.metadata.links.map((l: any) => l.url)).toEqual([
      "https://api.example.dev",
      "https://argocd.example.dev/applications/argocd/api",
      "http://grafana.monitoring.svc.cluster.local/dashboards?tag=api",
    ]);
    const site = entities.find((e) => e.metadata.name === "site") as any;
    expect(site.spec).toMatchObject({
      type: "website",
      owner: "group:default/example",
      dependsOn: ["component:default/api"],
    });
    expect(entities.filter((e) => e.kind === "Group").map((e) => e.metadata.name)).toEqual([
      "example",
      "team-a",
    ]);
    const location = entities.find((e) => e.kind === "Location") as any;
    expect(location.spec.targets).toEqual([
      "./platform.yaml",
      "./components/api.yaml",
      "./components/site.yaml",
      "../templates/all.yaml",
    ]);
    expect(appConfig.catalog.locations).toEqual([
      { type: "url", target: "https://github.com/example/platform/blob/main/backstage/catalog/all.yaml" },
    ]);
  });

  it("Backstage's validators refuse what the catalog must never contain (the test would catch a bad entity)", async () => {
    const api = entities.find((e) => e.metadata.name === "api") as Entity;
    await expect(
      policy.enforce({ ...api, metadata: { ...api.metadata, name: "not a name" } }),
    ).rejects.toThrow();
    const { owner: _owner, ...noOwner } = api.spec as NonNullable<Entity["spec"]>;
    expect(await componentEntityV1alpha1Validator.check({ ...api, spec: noOwner }).catch(() => false)).toBe(
      false,
    );
  });

  it("links Grafana where the config says and refuses a floating image tag", () => {
    const custom = renderComponents(
      {
        ...ON,
        backstage: { enabled: true, grafanaUrl: "https://grafana.example.dev/", image: { tag: "1.2.3" } },
      },
      [],
      SERVICES,
    );
    const api = custom.read<any>("backstage/catalog/components/api.yaml");
    expect(api.metadata.links[2].url).toBe("https://grafana.example.dev/dashboards?tag=api");
    expect(custom.read<any>("k8s/helm/values/backstage.yaml").backstage.image.tag).toBe("1.2.3");
    expect(
      diagnosticsOf(() =>
        renderComponents({ ...ON, backstage: { enabled: true, image: { tag: "latest" } } }),
      ),
    ).toEqual([["SW_SPEC_VALUE", ["spec", "components", "backstage", "image", "tag"]]]);
  });

  it("refuses a service owner Backstage would not accept as a reference, at the owner's line", () => {
    const fn = () =>
      renderComponents(ON, [], { x: { image: "ghcr.io/example/x:1.0.0", port: 8080, owner: "Team A" } });
    expect(diagnosticsOf(fn)).toEqual([["SW_BACKSTAGE_INVALID_OWNER", ["spec", "owner"]]]);
    try {
      fn();
    } catch (e) {
      const d = (e as InputError).diagnostics[0];
      expect(d?.location?.file).toMatch(/services\/x\.yaml$/);
      expect(d?.location?.line).toBeGreaterThan(1);
    }
    // References with a kind or namespace pass through as they are.
    const ok = renderComponents(ON, [], {
      x: { image: "ghcr.io/example/x:1.0.0", port: 8080, owner: "user:default/jane" },
    });
    expect(ok.read<any>("backstage/catalog/components/x.yaml").spec.owner).toBe("user:default/jane");
  });

  it("refuses a service in its namespace (a reserved platform namespace, located in the service file)", () => {
    const fn = () =>
      renderComponents(ON, [], {
        x: { image: "ghcr.io/example/x:1.0.0", port: 8080, namespace: "backstage" },
      });
    expect(fn).toThrow(InputError);
    expect(diagnosticsOf(fn)).toEqual([["SW_SPEC_RESERVED_NAMESPACE", ["spec", "namespace"]]]);
  });
});

// Why `pluginDivisionMode: schema`: Backstage's default gives each plugin its own database
// (`backstage_plugin_<id>`), which the owner the postgres component provisions may not create.
// Needs the server binaries (CI: postgresql), as the postgres component's live test does.
describe.skipIf(process.env.SLIPWAY_SKIP_POSTGRES === "1")(
  "backstage's database as the postgres component provisions it, on a real PostgreSQL",
  () => {
    let pg: TestPostgres;
    const tree = renderComponents(ON);
    const databases = tree.session.plan.databases;
    const env = Object.fromEntries(databases.map((d) => [passwordEnv(d), `${d.name}-pw`]));
    const asOwner = (sql: string) =>
      pg.psql(["-tAc", sql], { user: "backstage", password: "backstage-pw", database: "backstage" });

    beforeAll(async () => {
      expect(
        findPostgresBinDir(),
        "PostgreSQL server binaries (apt-get install -y postgresql)",
      ).toBeDefined();
      pg = await startPostgres();
      const r = pg.psql([], { input: provisioningSql(databases), env });
      expect(r.status, r.stderr).toBe(0);
    });
    afterAll(() => pg?.stop());

    it("lets the owner create a schema per plugin in its database, and no database", () => {
      for (const plugin of ["catalog", "scaffolder", "auth"]) {
        const r = asOwner(`CREATE SCHEMA ${plugin}; CREATE TABLE ${plugin}.t (x int); SELECT 'ok'`);
        expect(r.status, r.stderr).toBe(0);
      }
      const denied = asOwner("CREATE DATABASE backstage_plugin_catalog");
      expect(denied.status).not.toBe(0);
      expect(denied.stderr).toMatch(/permission denied to create database/);
    });
  },
);
