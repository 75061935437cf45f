import { componentConfig } from "../../render/component.js";
import type { WorkloadCustomizer } from "../../render/workload.js";
import { externalSecret } from "../external-secrets/contract.js";
import {
  issuerUrl,
  OIDC_CLIENT_PROPERTIES,
  OIDC_ENV,
  oidcClientSecretPath,
  oidcSecretName,
} from "./contract.js";

/** Labels of a service's objects, as the workload model starts with them (workload.ts `serviceLabels`). */
const SERVICE_LABEL_KEYS = [
  "app.kubernetes.io/name",
  "app.kubernetes.io/instance",
  "app.kubernetes.io/managed-by",
  "app.kubernetes.io/part-of",
  "slipway.dev/service",
] as const;

/**
 * A service with `auth: oidc` gets OIDC_ISSUER_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET: the
 * issuer as a literal, the client's id and secret from an ExternalSecret over the client's Vault
 * path (written by the identity Terraform). Env names, Secret name and keys are the same under
 * ZITADEL and Keycloak; only the issuer URL's value differs. The component's `plan()` pushes it
 * into the plan.
 */
export const oidcCustomizer: WorkloadCustomizer = {
  id: "identity",
  applies: (service, platform) => service.auth === "oidc" && platform.components.identity?.enabled === true,
  customize(m) {
    const s = m.service;
    const name = oidcSecretName(s.name);
    const path = oidcClientSecretPath(s.name);
    const labels: Record<string, string> = {};
    for (const k of SERVICE_LABEL_KEYS) {
      const v = m.podLabels[k];
      if (v !== undefined) labels[k] = v;
    }
    m.extraObjects.push(
      externalSecret({
        name,
        namespace: s.namespace,
        labels,
        data: [
          { secretKey: OIDC_ENV.clientId, key: path, property: OIDC_CLIENT_PROPERTIES.id },
          { secretKey: OIDC_ENV.clientSecret, key: path, property: OIDC_CLIENT_PROPERTIES.secret },
        ],
      }),
    );
    m.env.set(OIDC_ENV.issuer, {
      value: issuerUrl(componentConfig(m.platform, "identity"), m.platform.domain),
    });
    m.env.set(OIDC_ENV.clientId, { secret: { name, key: OIDC_ENV.clientId } });
    m.env.set(OIDC_ENV.clientSecret, { secret: { name, key: OIDC_ENV.clientSecret } });
  },
};
