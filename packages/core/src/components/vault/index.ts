import { z } from "zod";
import { defineComponent } from "../../render/component.js";

// Placeholder: renders nothing yet (see the component's issue).
export const vault = defineComponent({
  id: "vault",
  description: "HashiCorp Vault and its configuration as code",
  dependsOn: ["argocd"],
  after: [],
  enabledByDefault: true,
  config: z.strictObject({}),
  *contribute() {},
});
