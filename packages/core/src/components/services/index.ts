import { z } from "zod";
import { defineComponent } from "../../render/component.js";

// Placeholder: renders nothing yet (see the component's issue).
export const services = defineComponent({
  id: "services",
  description: "One Application per services/<name>.yaml",
  dependsOn: ["gateway"],
  after: ["external-secrets", "postgres", "observability", "cloudflare"],
  enabledByDefault: true,
  config: z.strictObject({}),
  *contribute() {},
});
