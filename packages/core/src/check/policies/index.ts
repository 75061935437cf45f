import type { Policy } from "../policy.js";
import { appProject } from "./app-project.js";
import { crdOrder } from "./crd-order.js";
import { namespaceAlone } from "./namespace-alone.js";
import { noSecrets } from "./no-secrets.js";
import { routeReferenceGrant } from "./route-reference-grant.js";
import { serviceDefaultDeny } from "./service-default-deny.js";
import { serviceQuota } from "./service-quota.js";
import { serviceSecretStore } from "./service-secret-store.js";
import { serviceVaultScope } from "./service-vault-scope.js";
import { workloadResources } from "./workload-resources.js";

/** Every policy `slipway check` runs, in one explicit list (and in the order it reports them). */
export const policies: readonly Policy[] = [
  noSecrets,
  namespaceAlone,
  workloadResources,
  appProject,
  routeReferenceGrant,
  crdOrder,
  serviceSecretStore,
  serviceVaultScope,
  serviceDefaultDeny,
  serviceQuota,
];
