import { existsSync } from "node:fs";
import { createBackend } from "@backstage/backend-defaults";
import appPlugin from "@backstage/plugin-app-backend";
import authPlugin from "@backstage/plugin-auth-backend";
import catalogPlugin from "@backstage/plugin-catalog-backend";
import scaffolderEntityModel from "@backstage/plugin-catalog-backend-module-scaffolder-entity-model";
import permissionPlugin from "@backstage/plugin-permission-backend";
import scaffolderPlugin from "@backstage/plugin-scaffolder-backend";
import scaffolderGithub from "@backstage/plugin-scaffolder-backend-module-github";
import { authModuleSlipwayOidc } from "./auth.ts";
import { permissionModuleSlipwayPolicy } from "./permissions.ts";

/**
 * The platform's Backstage backend (ADR 0019), started by the chart as `node packages/backend`
 * with the rendered app-config (`--config`). Catalog and scaffolder (templates publish to GitHub),
 * sign-in through the platform's OIDC provider tied to platform.yaml's groups, and a permission
 * policy from the same groups; and the web app (packages/app) when the image carries its build.
 * Node runs this TypeScript as is (type stripping, Node >= 24).
 *
 * The plugins are CommonJS: imported from ESM, a package's default import is its `module.exports`,
 * whose `default` is the feature.
 */
const backend = createBackend();
backend.add(authPlugin.default);
backend.add(authModuleSlipwayOidc);
backend.add(catalogPlugin.default);
backend.add(scaffolderEntityModel.default);
backend.add(scaffolderPlugin.default);
backend.add(scaffolderGithub.default);
backend.add(permissionPlugin.default);
backend.add(permissionModuleSlipwayPolicy);
// The image builds packages/app and links it as package `app` (the app plugin's default); a
// checkout without that build (the tests) serves the APIs only.
if (existsSync(new URL("../../app/dist/index.html", import.meta.url))) backend.add(appPlugin.default);
await backend.start();
