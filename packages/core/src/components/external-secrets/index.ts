import { z } from "zod";
import { defineComponent } from "../../render/component.js";

// Placeholder: renders nothing yet (see the component's issue).
export const externalSecrets = defineComponent({
  id: "external-secrets",
  description: "External Secrets Operator and the vault-backend ClusterSecretStore",
  dependsOn: ["vault"],
  after: [],
  enabledByDefault: true,
  config: z.strictObject({}),
  *contribute() {},
});
