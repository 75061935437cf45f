import { describe, expect, it } from "vitest";
import { check } from "../../src/check/index.js";
import { policyCode } from "../../src/check/policy.js";
import { CERT_MANAGER, ISTIO_CA_VALUES, ISTIO_CSR, PKI } from "../../src/components/cert-manager/contract.js";
import { CERT_MANAGER_CHART } from "../../src/components/cert-manager/index.js";
import { ISTIO_CSR_CHART } from "../../src/components/cert-manager/istio.js";
import { PKI_MESH_SIGN_PATH, PKI_SIGN_PATH } from "../../src/components/cert-manager/pki.js";
import { VAULT } from "../../src/components/vault/contract.js";
import { InputError } from "../../src/diagnostics.js";
import type { K8sObject } from "../../src/render/k8s.js";
import { type RenderedTree, renderComponents } from "../helpers/component-fixture.js";
import { diagnosticsOf } from "../helpers/diagnostics.js";
import { chartValidator, helmMerge, SCHEMA_DIR, validationErrors } from "../helpers/strict-schema.js";

type Tf = Record<string, Record<string, Record<string, unknown>>>;

const ISSUER_DIR = "k8s/helm/manifests/cert-manager-issuer/";
const withMesh = { "cert-manager": { enabled: true, testCertificate: true }, istio: { enabled: true } };

function find(objects: K8sObject[], kind: string, name?: string): K8sObject {
  const o = objects.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  if (!o) throw new Error(`no ${kind} ${name ?? ""}`);
  return o;
}

const pkiOf = (tree: RenderedTree) => tree.read<{ resource: Tf }>("vault/terraform/pki.tf.json").resource;

/** `slipway check` over the in-memory tree, strict against ../shared/upstream. */
async function checked(tree: RenderedTree) {
  const files = [...tree.files].map(([path, content]) => ({ path, content, owner: "" }));
  return check({ files, apps: tree.session.apps }, { schemaDir: SCHEMA_DIR, kubernetesVersion: "1.32" });
}

describe("cert-manager component", () => {
  const tree = renderComponents(withMesh);
  const issuerObjects = tree.objects(ISSUER_DIR);

  it("deploys the pinned chart with its CRDs, kept on uninstall, and a budget", () => {
    const app = tree.session.apps.find((a) => a.spec.name === "cert-manager");
    expect(app?.spec.helm).toMatchObject({
      repoURL: "https://charts.jetstack.io",
      chart: "cert-manager",
      version: "v1.21.1",
      schemaRef: "helm-cert-manager/v1.21.1",
    });
    expect(app?.spec.crds).toEqual(["cert-manager.io", "acme.cert-manager.io"]);
    const values = tree.read<Record<string, any>>("k8s/helm/values/cert-manager.yaml");
    expect(values.crds).toEqual({ enabled: true, keep: true });
    // Leases in its own namespace: the platform AppProject does not allow kube-system.
    expect(values.global.leaderElection.namespace).toBe(CERT_MANAGER.namespace);
    for (const v of [values, values.webhook, values.cainjector]) {
      expect(v.resources.requests.memory).toBeDefined();
      expect(v.resources.limits.memory).toBeDefined();
    }
    const mib = (app?.spec.budget ?? []).reduce((n, b) => n + b.requests.memoryBytes, 0) / 2 ** 20;
    expect(app?.spec.budget?.map((b) => b.workload)).toEqual([
      "cert-manager",
      "cert-manager-webhook",
      "cert-manager-cainjector",
    ]);
    expect(mib).toBeLessThanOrEqual(80);
    expect(tree.session.plan.sourceRepos.has(CERT_MANAGER_CHART.repoURL)).toBe(true);
    expect(tree.session.plan.namespaces.get(CERT_MANAGER.namespace)?.project).toBe("platform");
  });

  it("chart values validate against both charts' schemas merged over their defaults", () => {
    for (const [ref, file] of [
      [CERT_MANAGER_CHART.schemaRef, "cert-manager"],
      [ISTIO_CSR_CHART.schemaRef, "cert-manager-istio-csr"],
    ] as const) {
      const { validate, defaults } = chartValidator(ref);
      const values = tree.read(`k8s/helm/values/${file}.yaml`);
      expect(validationErrors(validate, helmMerge(defaults, values)), ref).toEqual([]);
    }
  });

  it("syncs the issuer (custom resources) after the chart that installs their CRDs", () => {
    const wave = (name: string) => tree.session.apps.find((a) => a.spec.name === name)?.wave ?? -1;
    expect(wave("cert-manager-issuer")).toBeGreaterThan(wave("cert-manager"));
    expect(wave(ISTIO_CSR.release)).toBeGreaterThan(wave("cert-manager-issuer"));
    expect(wave("cert-manager")).toBeGreaterThan(wave("vault"));
    expect(wave("cert-manager")).toBeGreaterThan(wave("external-secrets-store"));
  });

  it("renders namespaced Vault Issuers, no ClusterIssuer, with Kubernetes auth through a bound service account token", () => {
    expect(issuerObjects.filter((o) => o.kind === "ClusterIssuer")).toEqual([]);
    const issuer = find(issuerObjects, "Issuer", CERT_MANAGER.issuer);
    expect(issuer.apiVersion).toBe("cert-manager.io/v1");
    expect(issuer.metadata.namespace).toBe(CERT_MANAGER.namespace);
    expect(issuer.spec).toEqual({
      vault: {
        server: VAULT.address,
        path: `${PKI.intermediateMount}/sign/${PKI.role}`,
        auth: {
          kubernetes: {
            mountPath: "/v1/auth/kubernetes",
            role: CERT_MANAGER.vaultRole,
            serviceAccountRef: { name: "vault-issuer", audiences: [VAULT.kubernetesAuthAudience] },
          },
        },
      },
    });
    // Plain HTTP inside the cluster: no CA bundle, and never a static token or token Secret.
    const text = JSON.stringify(issuer);
    expect(text).not.toMatch(/caBundle|tokenSecretRef|secretRef/);
    // The mesh's Issuer: in istio-system, where istio-csr creates its requests, on the mesh role.
    const mesh = find(issuerObjects, "Issuer", CERT_MANAGER.meshIssuer);
    expect(mesh.metadata.namespace).toBe("istio-system");
    expect((mesh.spec as any).vault.path).toBe(PKI_MESH_SIGN_PATH);
    expect((mesh.spec as any).vault.auth.kubernetes.role).toBe(CERT_MANAGER.meshVaultRole);
    // Without the mesh, only the platform Issuer.
    const off = renderComponents({ "cert-manager": { enabled: true } }).objects(ISSUER_DIR);
    expect(off.filter((o) => o.kind === "Issuer").map((o) => o.metadata.name)).toEqual([CERT_MANAGER.issuer]);
  });

  it("lets the controller mint tokens for the issuer's service account only", () => {
    const sa = find(issuerObjects, "ServiceAccount", CERT_MANAGER.issuerServiceAccount);
    expect(sa.automountServiceAccountToken).toBe(false);
    // One account, Role and RoleBinding per Issuer namespace.
    expect(
      issuerObjects
        .filter((o) => o.kind === "Role")
        .map((o) => o.metadata.namespace)
        .sort(),
    ).toEqual(["cert-manager", "istio-system"]);
    const role = find(
      issuerObjects.filter((o) => o.metadata.namespace === CERT_MANAGER.namespace),
      "Role",
    );
    expect(role.metadata.namespace).toBe(CERT_MANAGER.namespace);
    expect(role.rules).toEqual([
      {
        apiGroups: [""],
        resources: ["serviceaccounts/token"],
        resourceNames: [CERT_MANAGER.issuerServiceAccount],
        verbs: ["create"],
      },
    ]);
    const binding = find(
      issuerObjects.filter((o) => o.metadata.namespace === CERT_MANAGER.namespace),
      "RoleBinding",
    );
    expect(binding.roleRef).toEqual({
      apiGroup: "rbac.authorization.k8s.io",
      kind: "Role",
      name: role.metadata.name,
    });
    expect(binding.subjects).toEqual([
      { kind: "ServiceAccount", name: "cert-manager", namespace: CERT_MANAGER.namespace },
    ]);
  });

  it("renders the test Certificate from the platform Issuer when asked", () => {
    const cert = find(issuerObjects, "Certificate");
    expect(cert.spec).toMatchObject({
      secretName: "vault-issuer-test-tls",
      issuerRef: { group: "cert-manager.io", kind: "Issuer", name: CERT_MANAGER.issuer },
      dnsNames: ["vault-issuer-test.cert-manager.svc", "vault-issuer-test.cert-manager.svc.cluster.local"],
    });
    const off = renderComponents({ "cert-manager": { enabled: true } }).objects(ISSUER_DIR);
    expect(off.filter((o) => o.kind === "Certificate")).toEqual([]);
  });

  it("declares a least-privilege Vault policy and Kubernetes auth role for the issuer", () => {
    const policy = tree.session.plan.vaultPolicies.find((p) => p.name === CERT_MANAGER.vaultRole);
    expect(policy?.rules).toEqual([{ path: PKI_SIGN_PATH, capabilities: ["create", "update"] }]);
    const roles = tree.read<{ resource: { vault_kubernetes_auth_backend_role: Record<string, any> } }>(
      "vault/terraform/roles.tf.json",
    ).resource.vault_kubernetes_auth_backend_role;
    expect(roles["cert-manager"]).toMatchObject({
      bound_service_account_names: ["vault-issuer"],
      bound_service_account_namespaces: ["cert-manager"],
      token_policies: ["${vault_policy.cert-manager.name}"],
      audience: VAULT.kubernetesAuthAudience,
    });
    const mesh = tree.session.plan.vaultPolicies.find((p) => p.name === CERT_MANAGER.meshVaultRole);
    expect(mesh?.rules).toEqual([{ path: PKI_MESH_SIGN_PATH, capabilities: ["create", "update"] }]);
    expect(roles["cert-manager-mesh"]).toMatchObject({
      bound_service_account_names: ["vault-issuer"],
      bound_service_account_namespaces: ["istio-system"],
      token_policies: ["${vault_policy.cert-manager-mesh.name}"],
    });
  });

  it("declares Vault PKI as Terraform: root → signed intermediate → role", () => {
    const r = pkiOf(tree);
    expect(r.vault_mount).toMatchObject({
      pki_root: { path: "pki", type: "pki" },
      pki_int: { path: "pki_int", type: "pki" },
    });
    // The vault component's own files keep their resources; ours are distinct names in our file.
    const mounts = tree.read<{ resource: Tf }>("vault/terraform/mounts.tf.json").resource;
    expect(Object.keys(mounts.vault_mount ?? {})).toEqual(["kv"]);

    expect(r.vault_pki_secret_backend_root_cert?.root).toMatchObject({
      backend: "${vault_mount.pki_root.path}",
      type: "internal",
      common_name: "example.dev Root CA",
    });
    expect(r.vault_pki_secret_backend_intermediate_cert_request?.intermediate).toMatchObject({
      backend: "${vault_mount.pki_int.path}",
      type: "internal",
    });
    expect(r.vault_pki_secret_backend_root_sign_intermediate?.intermediate).toMatchObject({
      backend: "${vault_pki_secret_backend_root_cert.root.backend}",
      csr: "${vault_pki_secret_backend_intermediate_cert_request.intermediate.csr}",
      format: "pem",
      max_path_length: 0,
    });
    expect(r.vault_pki_secret_backend_intermediate_set_signed?.intermediate).toEqual({
      backend: "${vault_mount.pki_int.path}",
      certificate: "${vault_pki_secret_backend_root_sign_intermediate.intermediate.certificate_bundle}",
    });
    const role = r.vault_pki_secret_backend_role?.["cert-manager"];
    expect(role).toMatchObject({
      backend: "${vault_pki_secret_backend_intermediate_set_signed.intermediate.backend}",
      name: PKI.role,
      allowed_domains: ["example.dev", "svc", "cluster.local"],
      allow_subdomains: true,
      require_cn: false,
      key_type: "any",
      max_ttl: 720 * 3600,
    });
    // SPIFFE identities only through the mesh role (istio-csr's Issuer), never the platform one.
    expect(role?.allowed_uri_sans).toBeUndefined();
    expect(r.vault_pki_secret_backend_role?.mesh).toMatchObject({
      backend: "${vault_pki_secret_backend_intermediate_set_signed.intermediate.backend}",
      name: PKI.meshRole,
      allowed_domains: ["svc"],
      allowed_uri_sans: ["spiffe://cluster.local/*"],
      max_ttl: 720 * 3600,
    });
    const noMesh = pkiOf(renderComponents({ "cert-manager": { enabled: true } }));
    expect(Object.keys(noMesh.vault_pki_secret_backend_role ?? {})).toEqual(["cert-manager"]);
    expect(Object.keys(r.vault_pki_secret_backend_config_urls ?? {}).sort()).toEqual(["pki_int", "pki_root"]);
    expect(r.vault_pki_secret_backend_config_urls?.pki_int).toMatchObject({
      issuing_certificates: [`${VAULT.address}/v1/pki_int/ca`],
      crl_distribution_points: [`${VAULT.address}/v1/pki_int/crl`],
    });
  });

  it("every Terraform reference in pki.tf.json names a resource declared in vault/terraform", () => {
    const declared = new Set<string>();
    for (const [path, content] of tree.files) {
      if (!path.startsWith("vault/terraform/")) continue;
      const doc = JSON.parse(content) as { resource?: Tf; data?: Tf };
      for (const [type, byName] of Object.entries(doc.resource ?? {}))
        for (const name of Object.keys(byName)) declared.add(`${type}.${name}`);
    }
    const refs = [
      ...(tree.files.get("vault/terraform/pki.tf.json") ?? "").matchAll(
        /(vault_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\./g,
      ),
    ];
    expect(refs.length).toBeGreaterThan(5);
    for (const [, type, name] of refs) expect(declared, `${type}.${name}`).toContain(`${type}.${name}`);
  });

  it("honours maxTtl and refuses a malformed one", () => {
    const t = renderComponents({ "cert-manager": { enabled: true, maxTtl: "90d" } });
    expect(pkiOf(t).vault_pki_secret_backend_role?.["cert-manager"]?.max_ttl).toBe(90 * 86400);
    expect(() => renderComponents({ "cert-manager": { enabled: true, maxTtl: "1 week" } })).toThrow(
      InputError,
    );
    expect(
      diagnosticsOf(() => renderComponents({ "cert-manager": { enabled: true, maxTtl: "1 week" } })),
    ).toEqual([["SW_SPEC_FORMAT", ["spec", "components", "cert-manager", "maxTtl"]]]);
  });

  it("with the mesh on, runs istio-csr on the Vault issuer with the root pinned from Vault", () => {
    const app = tree.session.apps.find((a) => a.spec.name === ISTIO_CSR.release);
    expect(app?.spec.helm).toMatchObject({ chart: "cert-manager-istio-csr", version: "v0.17.0" });
    const values = tree.read<Record<string, any>>("k8s/helm/values/cert-manager-istio-csr.yaml");
    expect(values.app.certmanager.issuer).toEqual({
      enabled: true,
      name: CERT_MANAGER.meshIssuer,
      kind: "Issuer",
      group: "cert-manager.io",
    });
    expect(values.app.server.caTrustedNodeAccounts).toBe("istio-system/ztunnel");
    expect(values.app.tls.trustDomain).toBe(PKI.trustDomain);
    expect(values.app.tls.certificateDNSNames).toEqual(["cert-manager-istio-csr.cert-manager.svc"]);
    expect(values.app.tls.rootCAFile).toBe("/var/run/secrets/istio-csr/ca.pem");
    expect(values.volumes[0].secret.secretName).toBe("istio-csr-root-ca");

    const es = find(tree.objects("k8s/helm/manifests/cert-manager-istio-csr/"), "ExternalSecret");
    expect((es.spec as any).data).toEqual([
      { secretKey: "ca.pem", remoteRef: { key: PKI.rootCaKvPath, property: "certificate" } },
    ]);
    expect(pkiOf(tree).vault_kv_secret_v2?.pki_root_ca).toMatchObject({
      mount: "${vault_mount.kv.path}",
      name: PKI.rootCaKvPath,
    });
    // istio-csr writes into istio-system: the platform project must allow it.
    expect(tree.session.plan.namespaces.get("istio-system")?.project).toBe("platform");
    // The contract the istio component consumes.
    expect(ISTIO_CSR.address).toBe("cert-manager-istio-csr.cert-manager.svc:443");
    expect(ISTIO_CA_VALUES.istiod.env.ENABLE_CA_SERVER).toBe("false");
    expect(ISTIO_CA_VALUES.ztunnel.caAddress).toBe(ISTIO_CSR.address);
  });

  it("without the mesh, renders no istio-csr, no istio-system and no root CA copy", () => {
    const t = renderComponents({ "cert-manager": { enabled: true } });
    expect(t.session.apps.map((a) => a.spec.name)).not.toContain(ISTIO_CSR.release);
    expect(t.session.plan.namespaces.has("istio-system")).toBe(false);
    expect(pkiOf(t).vault_kv_secret_v2).toBeUndefined();
  });

  it("everything it renders validates strictly, and the crd-order policy passes", async () => {
    const { diagnostics, stats } = await checked(tree);
    const ours = diagnostics.filter((d) => {
      const f = d.location?.file ?? "";
      return /cert-manager|pki\.tf\.json/.test(f);
    });
    expect(ours).toEqual([]);
    expect(diagnostics.filter((d) => d.code === policyCode("crd-order"))).toEqual([]);
    expect(stats.policies).toContain("crd-order");
    expect(stats.unvalidatedKinds.filter((k) => /cert-manager|ExternalSecret/.test(k))).toEqual([]);
  });

  it("renders no Secret objects", () => {
    expect(tree.objects("k8s/").filter((o) => o.kind === "Secret")).toEqual([]);
  });
});
