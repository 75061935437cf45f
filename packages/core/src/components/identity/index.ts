import { z } from "zod";
import { defineComponent } from "../../render/component.js";

// Placeholder: renders nothing yet (issue 3).
export const identity = defineComponent({
  id: "identity",
  description: "SSO/OIDC: ZITADEL at auth.<domain>, or Keycloak; OIDC clients for services with auth: oidc",
  dependsOn: ["postgres", "external-secrets", "gateway"],
  after: [],
  enabledByDefault: false,
  config: z.strictObject({}),
  *contribute() {},
});
