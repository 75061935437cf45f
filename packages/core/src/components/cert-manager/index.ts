import { z } from "zod";
import { defineComponent } from "../../render/component.js";

// Placeholder: renders nothing yet (issue 3).
export const certManager = defineComponent({
  id: "cert-manager",
  description: "cert-manager with a Vault PKI ClusterIssuer; the mesh trust anchor",
  dependsOn: ["vault"],
  after: ["external-secrets"],
  enabledByDefault: false,
  config: z.strictObject({}),
  *contribute() {},
});
