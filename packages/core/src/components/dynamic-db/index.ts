import { diag, InputError } from "../../diagnostics.js";
import { type ConfigOf, defineComponent, file } from "../../render/component.js";
import { terraformJson } from "../../render/terraform-json.js";
import { postgresEndpoint } from "../postgres/contract.js";
import { vaultProviders } from "../vault/contract.js";
import {
  type DynamicDbConfig,
  databaseRoleName,
  durationSeconds,
  dynamicDbConfig,
  generatorVaultRole,
} from "./contract.js";
import { dynamicDbCustomizer } from "./customizer.js";
import { DATABASE_PROVIDERS_PATH, DATABASE_TF_PATH, databaseTerraform } from "./terraform.js";

const CONFIG_PATH = ["spec", "components", "dynamic-db"] as const;

function checkConfig(c: DynamicDbConfig): void {
  if (durationSeconds(c.defaultTtl) > durationSeconds(c.maxTtl)) {
    throw new InputError([
      diag("SW_DYNAMIC_DB_TTL", `defaultTtl ${c.defaultTtl} is longer than maxTtl ${c.maxTtl}`, {
        path: [...CONFIG_PATH, "defaultTtl"],
        hint: "Vault caps every lease at maxTtl; make defaultTtl at most maxTtl.",
      }),
    ]);
  }
  if (2 * durationSeconds(c.refreshInterval) > durationSeconds(c.defaultTtl)) {
    throw new InputError([
      diag(
        "SW_DYNAMIC_DB_REFRESH_TOO_LONG",
        `refreshInterval ${c.refreshInterval} is more than half of defaultTtl ${c.defaultTtl}`,
        {
          path: [...CONFIG_PATH, "refreshInterval"],
          hint: "Refresh well inside the lease (e.g. a third of defaultTtl), so pods roll onto new credentials before the old ones are revoked.",
        },
      ),
    ]);
  }
}

/**
 * Vault's database secrets engine for the shared PostgreSQL, one role per service with
 * `database: {dynamic: true}`. This component renders the Vault side (Terraform, beside the vault
 * component's files) and declares each service's Vault policy and Kubernetes auth role; the
 * service's own Application carries its generator and ExternalSecret (./customizer.ts).
 */
export const dynamicDb = defineComponent({
  id: "dynamic-db",
  description: "Vault dynamic PostgreSQL credentials per service, delivered by ESO VaultDynamicSecret",
  dependsOn: ["postgres", "vault", "external-secrets"],
  after: ["cert-manager", "reloader"],
  enabledByDefault: false,
  before: ["services"],
  capabilities: [
    {
      feature: "dynamic database credentials",
      path: (s) => (s.database !== false && s.database.dynamic ? ["spec", "database", "dynamic"] : undefined),
    },
  ],
  config: dynamicDbConfig,
  rules(ctx) {
    // Rotated credentials reach running pods only through Reloader's rolling restart.
    if (!ctx.isEnabled("dynamic-db") || ctx.config.restartOnRotation !== "reloader") return [];
    if (ctx.isEnabled("reloader") || !ctx.isRegistered("reloader")) return [];
    const path = ["spec", "components", "dynamic-db", "restartOnRotation"];
    const location = ctx.locate(path) ?? ctx.locate(["spec", "components", "dynamic-db"]);
    return [
      diag(
        "SW_SPEC_RELOADER_DISABLED",
        "dynamic-db restarts pods on credential rotation through Reloader, but component 'reloader' is disabled",
        {
          path,
          ...(location ? { location } : {}),
          hint: "Enable it (spec.components.reloader.enabled: true), or set spec.components.dynamic-db.restartOnRotation: none and restart pods yourself.",
        },
      ),
    ];
  },
  plan(ctx) {
    checkConfig(ctx.config);
    ctx.plan.workloadCustomizers.push(dynamicDbCustomizer);
    for (const s of ctx.services) {
      if (s.database === false || !s.database.dynamic) continue;
      const role = generatorVaultRole(s.name);
      ctx.plan.vaultPolicies.push({
        name: role,
        // The service's own credentials and nothing else: no list, no lease or config paths.
        rules: [
          {
            path: `${ctx.config.mount}/creds/${databaseRoleName(`service:${s.name}`)}`,
            capabilities: ["read"],
          },
        ],
        owner: ctx.id,
      });
      ctx.plan.vaultKubernetesRoles.push({
        name: role,
        serviceAccounts: [s.name],
        namespaces: [s.namespace],
        policies: [role],
        // Only long enough for ESO to read one credential.
        ttl: "10m",
        owner: ctx.id,
      });
    }
  },
  *contribute(ctx) {
    yield file(DATABASE_PROVIDERS_PATH, terraformJson(vaultProviders()));
    yield file(
      DATABASE_TF_PATH,
      databaseTerraform(ctx.config, ctx.plan.databases, postgresEndpoint(ctx.platform)),
    );
  },
});

declare module "../../render/component.js" {
  interface ComponentConfigs {
    "dynamic-db": ConfigOf<typeof dynamicDbConfig>;
  }
}
