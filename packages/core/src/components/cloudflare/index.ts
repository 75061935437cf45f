import { z } from "zod";
import { defineComponent } from "../../render/component.js";

// Placeholder: renders nothing yet (see the component's issue).
export const cloudflare = defineComponent({
  id: "cloudflare",
  description: "Cloudflare Tunnel (cloudflared) and DNS records as Terraform",
  dependsOn: ["gateway", "external-secrets"],
  after: [],
  enabledByDefault: true,
  config: z.strictObject({}),
  *contribute() {},
});
