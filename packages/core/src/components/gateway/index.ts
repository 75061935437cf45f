import { z } from "zod";
import { defineComponent } from "../../render/component.js";

// Placeholder: renders nothing yet (see the component's issue).
export const gateway = defineComponent({
  id: "gateway",
  description: "Traefik with the Gateway API provider, GatewayClass and Gateway",
  dependsOn: ["argocd"],
  after: [],
  enabledByDefault: true,
  config: z.strictObject({}),
  *contribute() {},
});
