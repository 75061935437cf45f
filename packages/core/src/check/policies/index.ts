import type { Policy } from "../policy.js";
import { appProject } from "./app-project.js";
import { crdOrder } from "./crd-order.js";
import { imageUpdater } from "./image-updater.js";
import { namespaceAlone } from "./namespace-alone.js";
import { noCascadeFinalizer } from "./no-cascade-finalizer.js";
import { noExistingCollision } from "./no-existing-collision.js";
import { noSecrets } from "./no-secrets.js";
import { podSecurityLabels } from "./pod-security-labels.js";
import { podSecurityStandards } from "./pod-security-standards.js";
import { rolloutOnChange } from "./rollout-on-change.js";
import { routeReferenceGrant } from "./route-reference-grant.js";
import { serviceDefaultDeny } from "./service-default-deny.js";
import { serviceIssuerScope } from "./service-issuer-scope.js";
import { serviceQuota } from "./service-quota.js";
import { serviceSecretStore } from "./service-secret-store.js";
import { serviceVaultScope } from "./service-vault-scope.js";
import { ssoRbac } from "./sso-rbac.js";
import { statefulBackup } from "./stateful-backup.js";
import { statefulNamespaceRetained } from "./stateful-namespace-retained.js";
import { workloadResources } from "./workload-resources.js";

/** Every policy `slipway check` runs, in one explicit list (and in the order it reports them). */
export const policies = [
  noSecrets,
  namespaceAlone,
  workloadResources,
  appProject,
  routeReferenceGrant,
  crdOrder,
  statefulNamespaceRetained,
  noCascadeFinalizer,
  rolloutOnChange,
  statefulBackup,
  podSecurityLabels,
  podSecurityStandards,
  serviceSecretStore,
  serviceVaultScope,
  serviceDefaultDeny,
  serviceQuota,
  serviceIssuerScope,
  imageUpdater,
  noExistingCollision,
  ssoRbac,
] as const satisfies readonly Policy[];
