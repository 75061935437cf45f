import { z } from "zod";
import { defineComponent } from "../../render/component.js";

// Placeholder: renders nothing yet (see the component's issue).
export const argocd = defineComponent({
  id: "argocd",
  description: "Argo CD managing itself, the root app-of-apps and the AppProjects",
  dependsOn: [],
  after: [],
  enabledByDefault: true,
  config: z.strictObject({}),
  *contribute() {},
});
