import { z } from "zod";
import { defineComponent } from "../../render/component.js";

// Placeholder: renders nothing yet (see the component's issue).
export const postgres = defineComponent({
  id: "postgres",
  description: "The shared PostgreSQL server, databases and owners per consumer",
  dependsOn: ["external-secrets"],
  after: [],
  enabledByDefault: true,
  config: z.strictObject({}),
  *contribute() {},
});
