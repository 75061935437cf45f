import { createRequire } from "node:module";
import { coreServices, createBackendModule } from "@backstage/backend-plugin-api";
import type { Config } from "@backstage/config";
import { AuthorizeResult, type PolicyDecision } from "@backstage/plugin-permission-common";
import type { PermissionPolicy, PolicyQuery, PolicyQueryUser } from "@backstage/plugin-permission-node";
import { policyExtensionPoint } from "@backstage/plugin-permission-node/alpha";

// The `/alpha` entry points of the catalog and scaffolder common packages resolve, for `import`, to
// ES module builds that import `lodash/isEqual` without its extension, which Node refuses; their
// CommonJS builds load.
const require = createRequire(import.meta.url);
const catalog: typeof import("@backstage/plugin-catalog-common/alpha") = require("@backstage/plugin-catalog-common/alpha");
const scaffolder: typeof import("@backstage/plugin-scaffolder-common/alpha") = require("@backstage/plugin-scaffolder-common/alpha");

/**
 * Who may do what (ADR 0019), from `slipway.access` in app-config (rendered from platform.yaml's
 * `spec.access.backstage`): an `admin` group may do everything; a `developer` group reads the
 * catalog and runs templates (dry-run included); anything else is denied — registering or deleting
 * entities is the platform repository's business (Git), not the portal's. Backstage allows
 * service-to-service calls without asking the policy.
 */

/** What a developer group may do, by permission name. */
export const DEVELOPER_PERMISSIONS: ReadonlySet<string> = new Set(
  [
    catalog.catalogEntityReadPermission,
    catalog.catalogLocationReadPermission,
    scaffolder.templateParameterReadPermission,
    scaffolder.templateStepReadPermission,
    scaffolder.templateDryRunPermission,
    scaffolder.taskCreatePermission,
    scaffolder.taskReadPermission,
    scaffolder.taskCancelPermission,
    scaffolder.actionExecutePermission,
  ].map((p) => p.name),
);

export interface PlatformAccess {
  readonly admin: readonly string[];
  readonly developer: readonly string[];
}

export function readPlatformAccess(config: Config): PlatformAccess {
  return {
    admin: config.getOptionalStringArray("slipway.access.admin") ?? [],
    developer: config.getOptionalStringArray("slipway.access.developer") ?? [],
  };
}

const groupRef = (name: string) => `group:default/${name}`;

export class PlatformPermissionPolicy implements PermissionPolicy {
  readonly #admin: Set<string>;
  readonly #developer: Set<string>;

  constructor(access: PlatformAccess) {
    this.#admin = new Set(access.admin.map(groupRef));
    this.#developer = new Set(access.developer.map(groupRef));
  }

  async handle(request: PolicyQuery, user?: PolicyQueryUser): Promise<PolicyDecision> {
    const refs = user?.info.ownershipEntityRefs ?? [];
    if (refs.some((r) => this.#admin.has(r))) return { result: AuthorizeResult.ALLOW };
    if (refs.some((r) => this.#developer.has(r)) && DEVELOPER_PERMISSIONS.has(request.permission.name)) {
      return { result: AuthorizeResult.ALLOW };
    }
    return { result: AuthorizeResult.DENY };
  }
}

export const permissionModuleSlipwayPolicy = createBackendModule({
  pluginId: "permission",
  moduleId: "slipway-policy",
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        policy.setPolicy(new PlatformPermissionPolicy(readPlatformAccess(config)));
      },
    });
  },
});
