import { z } from "zod";
import { defineComponent } from "../../render/component.js";

// Placeholder: renders nothing yet (issue 3).
export const dynamicDb = defineComponent({
  id: "dynamic-db",
  description: "Vault dynamic PostgreSQL credentials per service, delivered by ESO VaultDynamicSecret",
  dependsOn: ["postgres", "vault", "external-secrets"],
  after: ["cert-manager"],
  enabledByDefault: false,
  config: z.strictObject({}),
  *contribute() {},
});
