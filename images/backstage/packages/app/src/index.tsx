import { OAuth2 } from "@backstage/core-app-api";
import { SignInPage } from "@backstage/core-components";
import type {
  BackstageIdentityApi,
  OpenIdConnectApi,
  ProfileInfoApi,
  SessionApi,
} from "@backstage/core-plugin-api";
import { createApp } from "@backstage/frontend-defaults";
import {
  ApiBlueprint,
  configApiRef,
  createApiRef,
  createFrontendModule,
  discoveryApiRef,
  oauthRequestApiRef,
} from "@backstage/frontend-plugin-api";
import { SignInPageBlueprint } from "@backstage/plugin-app-react";
import catalogPlugin from "@backstage/plugin-catalog/alpha";
import scaffolderPlugin from "@backstage/plugin-scaffolder/alpha";
import ReactDOM from "react-dom/client";

/** The platform's OIDC provider (ZITADEL or Keycloak), the backend's `oidc` auth provider. */
export const oidcAuthApiRef = createApiRef<
  OpenIdConnectApi & ProfileInfoApi & BackstageIdentityApi & SessionApi
>({ id: "auth.oidc" });

const oidcAuthApi = ApiBlueprint.make({
  name: "oidc",
  params: (defineParams) =>
    defineParams({
      api: oidcAuthApiRef,
      deps: {
        discoveryApi: discoveryApiRef,
        oauthRequestApi: oauthRequestApiRef,
        configApi: configApiRef,
      },
      factory: ({ discoveryApi, oauthRequestApi, configApi }) =>
        OAuth2.create({
          configApi,
          discoveryApi,
          oauthRequestApi,
          provider: { id: "oidc", title: "Platform sign-in", icon: () => null },
          environment: configApi.getOptionalString("auth.environment"),
          defaultScopes: ["openid", "profile", "email"],
        }),
    }),
});

const signInPage = SignInPageBlueprint.make({
  params: {
    loader: async () => (props) => (
      <SignInPage
        {...props}
        provider={{
          id: "oidc-auth-provider",
          title: "Platform sign-in",
          message: "Sign in with the platform's identity provider",
          apiRef: oidcAuthApiRef,
        }}
      />
    ),
  },
});

const app = createApp({
  features: [
    catalogPlugin,
    scaffolderPlugin,
    createFrontendModule({ pluginId: "app", extensions: [oidcAuthApi, signInPage] }),
  ],
});

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
ReactDOM.createRoot(root).render(app.createRoot());
