import { z } from "zod";
import { defineComponent } from "../../render/component.js";

// Placeholder: renders nothing yet (issue 3).
export const otel = defineComponent({
  id: "otel",
  description: "OpenTelemetry Operator, Collector, Java instrumentation and Grafana Alloy",
  dependsOn: ["argocd"],
  after: ["observability"],
  enabledByDefault: false,
  config: z.strictObject({}),
  *contribute() {},
});
