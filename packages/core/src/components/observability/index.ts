import { z } from "zod";
import { defineComponent } from "../../render/component.js";

// Placeholder: renders nothing yet (see the component's issue).
export const observability = defineComponent({
  id: "observability",
  description: "Loki, Tempo, Prometheus and Grafana: referenced or deployed",
  dependsOn: ["argocd"],
  after: [],
  enabledByDefault: true,
  config: z.strictObject({}),
  *contribute() {},
});
