import { createBackendModule } from "@backstage/backend-plugin-api";
import { oidcAuthenticator, oidcSignInResolvers } from "@backstage/plugin-auth-backend-module-oidc-provider";
import { authProvidersExtensionPoint, createOAuthProviderFactory } from "@backstage/plugin-auth-node";
import { PLATFORM_GROUPS_RESOLVER, platformGroupsResolver } from "./sign-in.ts";

/**
 * The `oidc` auth provider (ZITADEL or Keycloak, whichever the platform runs), registered as
 * `@backstage/plugin-auth-backend-module-oidc-provider` registers it, plus the platform's
 * groups resolver. It replaces that module: both would register provider `oidc`.
 */
export const authModuleSlipwayOidc = createBackendModule({
  pluginId: "auth",
  moduleId: "slipway-oidc",
  register(reg) {
    reg.registerInit({
      deps: { providers: authProvidersExtensionPoint },
      async init({ providers }) {
        providers.registerProvider({
          providerId: "oidc",
          factory: createOAuthProviderFactory({
            authenticator: oidcAuthenticator,
            signInResolverFactories: {
              ...oidcSignInResolvers,
              [PLATFORM_GROUPS_RESOLVER]: platformGroupsResolver,
            },
          }),
        });
      },
    });
  },
});
