import { diag } from "../../diagnostics.js";
import { ARGOCD_NAMESPACE } from "../../render/apps.js";
import { app, type ConfigOf, defineComponent, file } from "../../render/component.js";
import { ARGOCD_OIDC_KEYS, ARGOCD_SECRET_LABELS } from "../argocd/contract.js";
import { postgresEndpoint } from "../postgres/contract.js";
import { kvPolicyPaths, VAULT_SSO, vaultSso } from "../vault/contract.js";
import { serviceOidcClients, testOidcClient } from "./clients.js";
import {
  IDENTITY_NAMESPACE,
  IDENTITY_TERRAFORM_POLICY,
  identityConfig,
  identityHost,
  oidcClientSecretPath,
  SSO_CLIENT,
  ssoAccess,
  ssoExternalSecret,
} from "./contract.js";
import { oidcCustomizer } from "./customizer.js";
import {
  KEYCLOAK_ADMIN_PATH,
  KEYCLOAK_CHART,
  KEYCLOAK_DATABASE,
  KEYCLOAK_SERVICE,
  keycloakBudget,
  keycloakSecrets,
  keycloakValues,
} from "./keycloak.js";
import { identityTerraformFiles } from "./terraform.js";
import {
  ZITADEL_ADMIN_KEY_PATH,
  ZITADEL_CHART,
  ZITADEL_DATABASE,
  ZITADEL_RELEASE,
  ZITADEL_SERVICE,
  zitadelBudget,
  zitadelSecrets,
  zitadelValues,
} from "./zitadel.js";

/** What `terraform apply` in identity/terraform needs to manage Vault's OIDC auth method for people. */
const VAULT_SSO_TERRAFORM_RULES = [
  // Enabling, tuning and reading auth methods (the provider reads the mount's accessor).
  { path: "sys/auth", capabilities: ["read"] },
  { path: `sys/auth/${VAULT_SSO.path}`, capabilities: ["create", "read", "update", "delete", "sudo"] },
  { path: `sys/mounts/auth/${VAULT_SSO.path}/tune`, capabilities: ["read", "update"] },
  { path: `auth/${VAULT_SSO.path}/*`, capabilities: ["create", "read", "update", "delete", "list"] },
  { path: "identity/group", capabilities: ["create", "update"] },
  { path: "identity/group/*", capabilities: ["create", "read", "update", "delete"] },
  { path: "identity/group-alias", capabilities: ["create", "update"] },
  { path: "identity/group-alias/*", capabilities: ["create", "read", "update", "delete"] },
];

/**
 * SSO at `auth.<domain>`: ZITADEL (default) or Keycloak from their charts on the shared
 * PostgreSQL, secrets from Vault through ESO, and every declared OIDC client as Terraform under
 * `identity/terraform/` (ADR 0005). Services with `auth: oidc` declare a client here and get the
 * stable OIDC_* env from the workload customizer (customizer.ts). docs/components/identity.md.
 */
export const identity = defineComponent({
  id: "identity",
  description: "SSO/OIDC: ZITADEL at auth.<domain>, or Keycloak; OIDC clients for services with auth: oidc",
  dependsOn: ["postgres", "external-secrets", "gateway"],
  after: [],
  enabledByDefault: false,
  before: ["services"],
  namespaces: Object.values(IDENTITY_NAMESPACE),
  capabilities: [{ feature: "auth: oidc", path: (s) => (s.auth === "oidc" ? ["spec", "auth"] : undefined) }],
  config: identityConfig,
  rules(ctx) {
    // spec.access's groups live in the identity provider.
    if (!ctx.platform.access || ctx.isEnabled("identity")) return [];
    const location = ctx.locate(["spec", "access"], true);
    return [
      diag(
        "SW_ACCESS_NEEDS_IDENTITY",
        "spec.access declares SSO groups, but component 'identity' is disabled",
        {
          path: ["spec", "access"],
          ...(location ? { location } : {}),
          hint: "Enable it (spec.components.identity.enabled: true): the groups live in its identity provider. Or remove spec.access.",
        },
      ),
    ];
  },
  plan(ctx) {
    const c = ctx.config;
    const namespace = IDENTITY_NAMESPACE[c.provider];
    const zitadel = c.provider === "zitadel";
    ctx.plan.namespace({ name: namespace, project: "platform", owner: ctx.id });
    ctx.plan.sourceRepos.add(zitadel ? ZITADEL_CHART.repoURL : KEYCLOAK_CHART.repoURL);
    ctx.plan.workloadCustomizers.push(oidcCustomizer);
    ctx.plan.hostnames.push({
      host: identityHost(c, ctx.platform.domain),
      namespace,
      service: zitadel ? ZITADEL_SERVICE.name : KEYCLOAK_SERVICE.name,
      port: zitadel ? ZITADEL_SERVICE.port : KEYCLOAK_SERVICE.port,
      public: true,
      // ZITADEL's console speaks gRPC-web: the route must carry HTTP/2 cleartext end to end.
      protocol: zitadel ? "h2c" : "http",
      owner: ctx.id,
    });
    const database = zitadel ? ZITADEL_DATABASE : KEYCLOAK_DATABASE;
    ctx.plan.databases.push({ name: database, owner: database, consumer: ctx.id, dynamic: false });
    ctx.plan.oidcClients.push(...serviceOidcClients(ctx.services, ctx.id));
    if (c.testClient) ctx.plan.oidcClients.push(testOidcClient(c, ctx.id));
    // What `terraform apply` in identity/terraform needs, and nothing more: read the provider's
    // admin credential, manage the clients' entries. A person mints a token with this policy.
    const admin = kvPolicyPaths(zitadel ? ZITADEL_ADMIN_KEY_PATH : KEYCLOAK_ADMIN_PATH);
    const clients = kvPolicyPaths(oidcClientSecretPath("*"));
    ctx.plan.vaultPolicies.push({
      name: IDENTITY_TERRAFORM_POLICY,
      rules: [
        { path: admin.data, capabilities: ["read"] },
        { path: clients.data, capabilities: ["create", "read", "update", "delete"] },
        { path: clients.metadata, capabilities: ["read", "delete", "list"] },
        // The Vault provider runs with a short-lived child of the given token.
        { path: "auth/token/create", capabilities: ["create", "update"] },
        // Vault's OIDC auth method for people lives beside its client (ADR 0012).
        ...(ssoAccess(ctx.platform, "vault") ? VAULT_SSO_TERRAFORM_RULES : []),
      ],
      owner: ctx.id,
    });
  },
  *contribute(ctx) {
    const c = ctx.config;
    const namespace = IDENTITY_NAMESPACE[c.provider];
    const host = identityHost(c, ctx.platform.domain);
    const db = postgresEndpoint(ctx.platform);
    const zitadel = c.provider === "zitadel";
    const chart = zitadel ? ZITADEL_CHART : KEYCLOAK_CHART;
    const name = zitadel ? "zitadel" : "keycloak";
    // The chart's pre-install hooks (Argo CD PreSync) read these Secrets: they sync one step earlier.
    yield app({
      name: `${name}-secrets`,
      project: "platform",
      namespace,
      order: 0,
      manifests: zitadel ? zitadelSecrets(namespace) : keycloakSecrets(namespace),
    });
    yield app({
      name,
      project: "platform",
      namespace,
      order: 1,
      helm: {
        repoURL: chart.repoURL,
        chart: chart.chart,
        version: chart.version,
        releaseName: zitadel ? ZITADEL_RELEASE : name,
        values: zitadel ? zitadelValues(host, db) : keycloakValues(host, db),
        schemaRef: chart.schemaRef,
      },
      budget: zitadel ? zitadelBudget() : keycloakBudget(),
    });
    // SSO for people (ADR 0012): Argo CD's client secret reaches it through ESO, in an Application
    // of its own that syncs with this component (after ESO), not with Argo CD's first wave.
    if (ssoAccess(ctx.platform, "argocd")) {
      yield app({
        name: "argocd-oidc",
        project: "platform",
        namespace: ARGOCD_NAMESPACE,
        order: 0,
        manifests: [
          ssoExternalSecret("argocd", ARGOCD_NAMESPACE, ARGOCD_OIDC_KEYS, {
            // Argo CD resolves `$secret:key` only in Secrets labelled as its own.
            template: { metadata: { labels: { ...ARGOCD_SECRET_LABELS } } },
          }),
        ],
      });
    }
    const uiClients = new Set<string>(Object.values(SSO_CLIENT));
    const access = ctx.platform.access;
    const vaultAccess = ssoAccess(ctx.platform, "vault");
    const sso = access
      ? {
          access,
          uiClients: ctx.plan.oidcClients
            .filter((o) => uiClients.has(o.name) && o.owner !== ctx.id)
            .map((o) => o.name),
          ...(vaultAccess
            ? {
                vault: vaultSso(
                  vaultAccess,
                  ctx.services.map((s) => s.name),
                  "vault",
                ),
              }
            : {}),
        }
      : undefined;
    for (const f of identityTerraformFiles(
      c,
      ctx.platform.domain,
      ctx.platform.name,
      ctx.plan.oidcClients,
      sso,
    )) {
      yield file(f.path, f.content);
    }
  },
});

declare module "../../render/component.js" {
  interface ComponentConfigs {
    identity: ConfigOf<typeof identityConfig>;
  }
}
