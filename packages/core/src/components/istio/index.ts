import { z } from "zod";
import { defineComponent } from "../../render/component.js";

// Placeholder: renders nothing yet (issue 3).
export const istio = defineComponent({
  id: "istio",
  description: "Istio ambient: base, istiod, cni, ztunnel; namespace enrolment, waypoints, mTLS STRICT",
  dependsOn: ["cert-manager"],
  after: ["otel"],
  enabledByDefault: false,
  config: z.strictObject({}),
  *contribute() {},
});
