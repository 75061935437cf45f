import { describe, expect, it } from "vitest";
import { ESO } from "../../src/components/external-secrets/contract.js";
import { VAULT } from "../../src/components/vault/contract.js";
import type { K8sObject } from "../../src/render/k8s.js";
import { renderComponents } from "../helpers/component-fixture.js";
import { chartValidator, crdValidator, helmMerge, validationErrors } from "../helpers/strict-schema.js";

const CSS_CRD = "external-secrets/v2.9.0/external-secrets.io_clustersecretstores.yaml";

describe("external-secrets component", () => {
  const tree = renderComponents({});
  const apps = tree.session.apps;
  const chart = apps.find((a) => a.spec.name === "external-secrets");
  // The Application whose rendered manifests hold the ClusterSecretStore (apps keep no objects).
  const store = apps.find((a) =>
    tree.objects(`k8s/helm/manifests/${a.spec.name}/`).some((o) => o.kind === "ClusterSecretStore"),
  );

  it("installs the pinned chart with its CRDs, server-side applied", () => {
    expect(chart?.spec.helm).toMatchObject({
      chart: "external-secrets",
      version: "2.9.0",
      schemaRef: "helm-external-secrets/2.9.0",
    });
    expect(chart?.spec.helm?.values).toMatchObject({
      installCRDs: true,
      serviceAccount: { name: ESO.serviceAccount },
    });
    expect(chart?.spec.crds).toContain("external-secrets.io");
    expect(chart?.spec.syncOptions).toContain("ServerSideApply=true");
    expect(tree.session.plan.sourceRepos.has("https://charts.external-secrets.io")).toBe(true);
    expect(chart?.spec.budget?.length).toBe(3);
  });

  it("chart values validate against the chart's schema merged over its defaults", () => {
    const { validate, defaults } = chartValidator("helm-external-secrets/2.9.0");
    expect(validationErrors(validate, helmMerge(defaults, chart?.spec.helm?.values))).toEqual([]);
  });

  it("renders the vault-backend ClusterSecretStore with Kubernetes auth as ESO's service account", () => {
    const [css] = tree.objects(`k8s/helm/manifests/${store?.spec.name}/`) as [K8sObject & { spec: any }];
    expect(css.apiVersion).toBe("external-secrets.io/v1");
    expect(css.metadata.name).toBe(VAULT.clusterSecretStore);
    expect(css.spec.provider.vault).toEqual({
      server: VAULT.address,
      path: VAULT.kvMount,
      version: "v2",
      auth: {
        kubernetes: {
          mountPath: VAULT.kubernetesAuthPath,
          role: ESO.vaultRole,
          serviceAccountRef: {
            name: ESO.serviceAccount,
            namespace: ESO.namespace,
            audiences: [VAULT.kubernetesAuthAudience],
          },
        },
      },
    });
    expect(validationErrors(crdValidator(CSS_CRD, css.apiVersion, css.kind), css)).toEqual([]);
  });

  // The test above mirrors clusterSecretStore(); this one ties the store to what Vault's Terraform
  // and the chart actually render, so a wrong constant on either side fails.
  it("logs in where Vault's Terraform mounts Kubernetes auth, as the role it binds to ESO's service account", () => {
    const [css] = tree.objects(`k8s/helm/manifests/${store?.spec.name}/`) as [K8sObject & { spec: any }];
    const auth = css.spec.provider.vault.auth.kubernetes;
    type Tf = { resource: Record<string, Record<string, any>> };
    const mounts = tree.read<Tf>("vault/terraform/mounts.tf.json").resource;
    expect(mounts.vault_auth_backend?.kubernetes).toMatchObject({ type: "kubernetes", path: auth.mountPath });
    expect(mounts.vault_mount?.kv).toMatchObject({ type: "kv", path: css.spec.provider.vault.path });
    expect(mounts.vault_mount?.kv?.options).toEqual({ version: "2" });
    const role = tree.read<Tf>("vault/terraform/roles.tf.json").resource.vault_kubernetes_auth_backend_role?.[
      auth.role
    ];
    expect(role).toMatchObject({
      role_name: auth.role,
      audience: auth.serviceAccountRef.audiences[0],
      bound_service_account_names: [auth.serviceAccountRef.name],
      bound_service_account_namespaces: [auth.serviceAccountRef.namespace],
    });
    expect(chart?.spec.namespace).toBe(auth.serviceAccountRef.namespace);
    expect(chart?.spec.helm?.values).toMatchObject({ serviceAccount: { name: auth.serviceAccountRef.name } });
    expect(css.spec.provider.vault.server).toBe("http://vault.vault.svc.cluster.local:8200");
  });

  it("syncs the store in a later wave than the chart that installs its CRD", () => {
    expect(store && chart).toBeTruthy();
    expect(store?.wave).toBeGreaterThan(chart?.wave ?? Number.POSITIVE_INFINITY);
    const application = tree.read<K8sObject>(`argocd/applications/${store?.spec.name}.yaml`);
    expect(Number(application.metadata.annotations?.["argocd.argoproj.io/sync-wave"])).toBe(store?.wave);
  });

  it("declares a read-only policy on the KV mount and a role bound to ESO's service account", () => {
    const policy = tree.session.plan.vaultPolicies.find((p) => p.name === ESO.vaultRole);
    expect(policy?.rules).toEqual([
      { path: "kv/data/*", capabilities: ["read"] },
      { path: "kv/metadata/*", capabilities: ["read", "list"] },
    ]);
    const role = tree.session.plan.vaultKubernetesRoles.find((r) => r.name === ESO.vaultRole);
    expect(role).toMatchObject({
      serviceAccounts: [ESO.serviceAccount],
      namespaces: [ESO.namespace],
      policies: [ESO.vaultRole],
    });
  });

  it("renders no Secret objects", () => {
    expect(tree.objects("k8s/").filter((o) => o.kind === "Secret")).toEqual([]);
  });
});
