import { componentConfig } from "../../render/component.js";
import type { WorkloadCustomizer } from "../../render/workload.js";
import { postgresEndpoint } from "../postgres/contract.js";
import { RELOADER_ANNOTATION } from "../reloader/contract.js";
import { databaseRoleName, dynamicSecretName, generatorVaultRole } from "./contract.js";
import { dynamicExternalSecret, vaultDynamicSecret } from "./objects.js";

/**
 * `database: {dynamic: true}` gets credentials from a VaultDynamicSecret instead of static ones:
 * the generator and its ExternalSecret go into the service's own Application, and the container
 * gets DATABASE_USERNAME, DATABASE_PASSWORD and DATABASE_URL from the Secret ESO writes
 * (DATABASE_HOST/PORT/NAME come from the database customizer, which skips dynamic databases).
 * The component's `plan()` pushes it into the plan; it needs nothing from the services folder,
 * hence the labels built here.
 */
export const dynamicDbCustomizer: WorkloadCustomizer = {
  id: "dynamic-db",
  applies: (service, platform) =>
    platform.components["dynamic-db"]?.enabled === true &&
    service.database !== false &&
    service.database.dynamic,
  customize(m) {
    const s = m.service;
    if (s.database === false) return;
    const config = componentConfig(m.platform, "dynamic-db");
    const name = dynamicSecretName(s.name);
    const spec = {
      service: s.name,
      namespace: s.namespace,
      name,
      credsPath: `${config.mount}/creds/${databaseRoleName(`service:${s.name}`)}`,
      vaultRole: generatorVaultRole(s.name),
      database: s.database.name,
      endpoint: postgresEndpoint(m.platform),
      refreshInterval: config.refreshInterval,
      // Same as serviceLabels() in services/workload.ts.
      labels: {
        "app.kubernetes.io/name": s.name,
        "app.kubernetes.io/instance": s.name,
        "app.kubernetes.io/managed-by": "slipway",
        "app.kubernetes.io/part-of": "services",
        "slipway.dev/service": s.name,
      },
    };
    m.extraObjects.push(vaultDynamicSecret(spec), dynamicExternalSecret(spec));
    m.env.set("DATABASE_USERNAME", { secret: { name, key: "username" } });
    m.env.set("DATABASE_PASSWORD", { secret: { name, key: "password" } });
    m.env.set("DATABASE_URL", { secret: { name, key: "url" } });
    if (config.restartOnRotation === "reloader") m.podAnnotations[RELOADER_ANNOTATION] = name;
  },
};
