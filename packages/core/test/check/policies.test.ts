import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildCheckInput } from "../../src/check/input.js";
import { policies } from "../../src/check/policies/index.js";
import { looksLikeSecretKey } from "../../src/check/policies/no-secrets.js";
import { type Policy, policyCode } from "../../src/check/policy.js";
import type { PolicyId } from "../../src/errors.js";
import { codesOf } from "../write/helpers.js";
import { FIXTURES, loadFixture } from "./helpers.js";

/** Credential shapes, assembled here so that no secret scanner flags the repository. */
const FAKE_CREDENTIALS = {
  __GITHUB_TOKEN__: `gh${"p"}_${"a1B2c3D4e5".repeat(4)}`,
  __AWS_KEY__: `AK${"IA"}${"Q".repeat(16)}`,
  __JWT__: ["eyJhbGciOiJIUzI1NiJ9", "eyJzdWIiOiJ0ZXN0LXVzZXIifQ", "c2lnbmF0dXJlLW5vdC1yZWFs"].join("."),
  __PRIVATE_KEY__: `-----BEGIN OPENSSH ${"PRIVATE"} KEY----- AAAA -----END OPENSSH PRIVATE KEY-----`,
  __SLACK_TOKEN__: `xo${"xb"}-000000000000-${"x".repeat(24)}`,
};

const byId = new Map(policies.map((p) => [p.id, p]));
const policy = (id: string) => byId.get(id as PolicyId) as Policy;

/** Findings of one policy over a fixture tree, as `file path` strings (path joined with dots). */
function run(id: string, variant: "pass" | "fail"): string[] {
  const { files, apps } = loadFixture(join(FIXTURES, "policies", id, variant), FAKE_CREDENTIALS);
  expect(files.length).toBeGreaterThan(0);
  const findings = [...policy(id).check(buildCheckInput(files, apps))];
  for (const f of findings) expect(f.diagnostic.code).toBe(policyCode(id as PolicyId));
  return findings
    .map(
      (f) =>
        `${f.file} ${f.diagnostic.location ? `line ${f.diagnostic.location.line}` : f.diagnostic.path.join(".")}`,
    )
    .sort();
}

describe("buildCheckInput", () => {
  it("refuses a path rendered twice, naming both writers (SW_RENDER_PATH_CONFLICT)", () => {
    const files = [
      { path: "k8s/helm/values/a.yaml", content: "a: 1\n", owner: "first" },
      { path: "k8s/helm/values/a.yaml", content: "a: 2\n", owner: "second" },
    ];
    expect(() => buildCheckInput(files, [])).toThrow(/rendered by both first and second/);
    expect(codesOf(() => buildCheckInput(files, []))).toEqual(["SW_RENDER_PATH_CONFLICT"]);
  });
});

describe("policies", () => {
  it("is one explicit list of unique ids, each with a passing and a failing fixture", () => {
    expect(new Set(policies.map((p) => p.id)).size).toBe(policies.length);
    expect(policies.map((p) => p.id)).toEqual([
      "no-secrets",
      "namespace-alone",
      "workload-resources",
      "app-project",
      "route-reference-grant",
      "crd-order",
      "stateful-namespace-retained",
      "no-cascade-finalizer",
      "rollout-on-change",
      "stateful-backup",
      "pod-security-labels",
      "pod-security-standards",
      "service-secret-store",
      "service-vault-scope",
      "service-default-deny",
      "service-quota",
      "service-issuer-scope",
      "image-updater",
      "no-existing-collision",
      "sso-rbac",
    ]);
    for (const p of policies) {
      expect(existsSync(join(FIXTURES, "policies", p.id, "pass")), p.id).toBe(true);
      expect(existsSync(join(FIXTURES, "policies", p.id, "fail")), p.id).toBe(true);
    }
  });

  it.each(policies.map((p) => p.id))("%s passes its passing fixture", (id) => {
    expect(run(id, "pass")).toEqual([]);
  });

  it("no-secrets: Secret objects and credential-looking literals, wherever they are", () => {
    expect(run("no-secrets", "fail")).toEqual([
      "cloudflare/terraform/provider.tf line 2",
      "k8s/helm/manifests/blog/configmap-blog.yaml data.aws",
      "k8s/helm/manifests/blog/configmap-blog.yaml data.github",
      "k8s/helm/manifests/blog/configmap-blog.yaml data.session",
      "k8s/helm/manifests/blog/configmap-blog.yaml data.tls.key",
      "k8s/helm/manifests/blog/deployment-blog.yaml spec.template.spec.containers.0.env.0.value",
      "k8s/helm/manifests/blog/secret-blog.yaml kind",
      "k8s/helm/values/argocd.yaml configs.secret.argocdServerAdminPassword",
      "k8s/helm/values/argocd.yaml notifications.slack.webhook",
    ]);
  });

  it("no-secrets: keys that name where a secret lives are not secrets", () => {
    for (const k of [
      "password",
      "adminPassword",
      "client_secret",
      "apiKey",
      "api_token",
      "DB_PASSWORD",
      "clientSecret",
    ]) {
      expect(looksLikeSecretKey(k), k).toBe(true);
    }
    for (const k of [
      "existingSecret",
      "secretKeyRef",
      "secretName",
      "passwordSecretName",
      "tokenSecretRef",
      "secretKey",
      "TOKEN_PATH",
    ]) {
      expect(looksLikeSecretKey(k), k).toBe(false);
    }
  });

  it("no-existing-collision: objects over existing ones, an Argo CD install, a foreign record, a dropped wildcard", () => {
    expect(run("no-existing-collision", "fail")).toEqual([
      "argocd/applications/argocd.yaml spec",
      "argocd/applications/grafana.yaml metadata.name",
      "cloudflare/terraform/dns.tf.json resource.cloudflare_dns_record.legacy_example_dev",
      "cloudflare/terraform/tunnel.tf.json resource.cloudflare_zero_trust_tunnel_cloudflared_config.homelab.config.ingress",
      "k8s/helm/manifests/namespaces/namespace-monitoring.yaml metadata.name",
      "k8s/helm/manifests/otel/customresourcedefinition-applications.argoproj.io.yaml spec.group",
      // The operator would make Deployment and Service otel-collector from it.
      "k8s/helm/manifests/otel/opentelemetrycollector-otel.yaml metadata.name",
      "k8s/helm/manifests/otel/opentelemetrycollector-otel.yaml metadata.name",
    ]);
  });

  it("namespace-alone: a Namespace or CRD sharing its file", () => {
    expect(run("namespace-alone", "fail")).toEqual([
      "k8s/helm/manifests/blog/crds.yaml kind",
      "k8s/helm/manifests/blog/namespace-blog.yaml kind",
    ]);
  });

  it("workload-resources: missing requests/limits, latest and untagged images", () => {
    expect(run("workload-resources", "fail")).toEqual([
      "k8s/helm/manifests/blog/cronjob-backup.yaml spec.jobTemplate.spec.template.spec.containers.0",
      "k8s/helm/manifests/blog/cronjob-backup.yaml spec.jobTemplate.spec.template.spec.containers.0.image",
      "k8s/helm/manifests/blog/deployment-blog.yaml spec.template.spec.containers.0.image",
      "k8s/helm/manifests/blog/deployment-blog.yaml spec.template.spec.containers.0.resources",
      "k8s/helm/manifests/blog/deployment-blog.yaml spec.template.spec.initContainers.0.resources",
    ]);
  });

  it("app-project: unknown project, default outside the root, destination, source and kinds not allowed", () => {
    expect(run("app-project", "fail")).toEqual([
      "argocd/applications/blog.yaml spec.project",
      "argocd/applications/coredns.yaml spec.destination",
      "argocd/applications/gateway.yaml spec.sources.0.repoURL",
      "argocd/applications/stray.yaml spec.project",
      "k8s/helm/manifests/namespaces/namespace-blog.yaml kind",
      "k8s/helm/manifests/namespaces/resourcequota-default.yaml kind",
    ]);
  });

  it("route-reference-grant: cross-namespace backends without a matching grant", () => {
    expect(run("route-reference-grant", "fail")).toEqual([
      "k8s/helm/manifests/gateway-routes/httproute-blog.yaml spec.rules.1.backendRefs.0.namespace",
      "k8s/helm/manifests/gateway-routes/httproute-blog.yaml spec.rules.1.backendRefs.1.namespace",
    ]);
  });

  it("crd-order: custom resources not after the Application installing their CRD", () => {
    expect(run("crd-order", "fail")).toEqual([
      "k8s/helm/manifests/foos/foo-one.yaml apiVersion",
      "k8s/helm/manifests/issuers/clusterissuer-vault.yaml apiVersion",
      "k8s/helm/manifests/vault-config/certificate-vault.yaml apiVersion",
    ]);
  });

  it("service-secret-store: cluster stores serving service namespaces, services reading through them or a missing store", () => {
    expect(run("service-secret-store", "fail")).toEqual([
      "k8s/helm/manifests/api/externalsecret-api-other.yaml spec.secretStoreRef.name",
      "k8s/helm/manifests/api/externalsecret-api-secrets.yaml spec.data.1.sourceRef.storeRef.kind",
      "k8s/helm/manifests/api/externalsecret-api-secrets.yaml spec.secretStoreRef.kind",
      "k8s/helm/manifests/external-secrets-store/clustersecretstore-open.yaml spec",
      "k8s/helm/manifests/external-secrets-store/clustersecretstore-vault-backend.yaml spec.conditions.0.namespaces.1",
      "k8s/helm/manifests/external-secrets-store/clustersecretstore-vault-backend.yaml spec.conditions.1.namespaceSelector",
    ]);
  });

  it("service-vault-scope: a store's role shared across namespaces, undeclared, or reaching platform paths", () => {
    const store =
      "k8s/helm/manifests/tenancy/secretstore-api-vault-api.yaml spec.provider.vault.auth.kubernetes.role";
    expect(run("service-vault-scope", "fail")).toEqual([
      ...Array(6).fill(store),
      "k8s/helm/manifests/tenancy/secretstore-web-vault-web.yaml spec.provider.vault.auth.kubernetes.role",
    ]);
    // The six on api's store: bound to two namespaces, an undeclared policy, and four paths not its own.
    const { files, apps } = loadFixture(join(FIXTURES, "policies", "service-vault-scope", "fail"));
    const reached = [...policy("service-vault-scope").check(buildCheckInput(files, apps))]
      .map((f) => / reaches (\S+),/.exec(f.diagnostic.message)?.[1])
      .filter((p) => p !== undefined)
      .sort();
    expect(reached).toEqual([
      "kv/data/*",
      "kv/data/postgres/admin",
      "kv/data/postgres/zitadel",
      "kv/data/services/web/*",
    ]);
  });

  it("service-default-deny: a namespace whose policies select only some pods, leave egress open or allow everything", () => {
    expect(run("service-default-deny", "fail")).toEqual([
      "argocd/applications/api.yaml spec.destination.namespace",
      "argocd/applications/jobs.yaml spec.destination.namespace",
      "argocd/applications/web.yaml spec.destination.namespace",
      "argocd/applications/worker.yaml spec.destination.namespace",
    ]);
  });

  it("service-quota: no quota or LimitRange, a quota without the rollout's surge, a limit some container lacks", () => {
    expect(run("service-quota", "fail")).toEqual([
      // jobs: neither a ResourceQuota nor a LimitRange.
      "argocd/applications/jobs.yaml spec.destination.namespace",
      "argocd/applications/jobs.yaml spec.destination.namespace",
      // api: 2 replicas + 1 surge pod, each reserving its 256Mi init container.
      "k8s/helm/manifests/tenancy/resourcequota-api-services.yaml spec.hard.pods",
      "k8s/helm/manifests/tenancy/resourcequota-api-services.yaml spec.hard.requests.cpu",
      "k8s/helm/manifests/tenancy/resourcequota-api-services.yaml spec.hard.requests.memory",
      // cache: requests default to the container's own limits, not the LimitRange's defaultRequest.
      "k8s/helm/manifests/tenancy/resourcequota-cache-services.yaml spec.hard.requests.cpu",
      "k8s/helm/manifests/tenancy/resourcequota-cache-services.yaml spec.hard.requests.memory",
      // web: limits.cpu is in the quota, on no container and in no LimitRange default.
      "k8s/helm/manifests/web/deployment-web.yaml spec.template.spec.containers",
    ]);
  });

  it("service-issuer-scope: ClusterIssuers signing with the platform's Vault PKI or CA key pair", () => {
    expect(run("service-issuer-scope", "fail")).toEqual([
      "k8s/helm/manifests/cert-manager-issuer/clusterissuer-mesh-ca.yaml spec.ca",
      "k8s/helm/manifests/cert-manager-issuer/clusterissuer-vault-issuer.yaml spec.vault",
    ]);
  });

  it("sso-rbac: a UI with SSO lacking its client, its group mapping or its secret reference, or with a default role", () => {
    expect(run("sso-rbac", "fail")).toEqual([
      // Argo CD: clientID names a Secret nothing writes; clientSecret is a literal; no client argocd.
      "identity/terraform/vault-sso.tf.json resource.vault_jwt_auth_backend.oidc.oidc_client_secret",
      "identity/terraform/vault-sso.tf.json resource.vault_jwt_auth_backend_role.platform",
      "k8s/helm/values/argocd.yaml configs.cm.oidc.config",
      "k8s/helm/values/argocd.yaml configs.cm.oidc.config",
      "k8s/helm/values/argocd.yaml configs.cm.oidc.config",
      "k8s/helm/values/argocd.yaml configs.rbac",
      "k8s/helm/values/argocd.yaml configs.rbac.policy.default",
      // Backstage: no client slipway-backstage; a literal secret; two resolvers admitting anyone.
      "k8s/helm/values/backstage.yaml backstage.appConfig.auth.providers.oidc.production",
      "k8s/helm/values/backstage.yaml backstage.appConfig.auth.providers.oidc.production.clientSecret",
      "k8s/helm/values/backstage.yaml backstage.appConfig.auth.providers.oidc.production.signIn.resolvers.0",
      "k8s/helm/values/backstage.yaml backstage.appConfig.auth.providers.oidc.production.signIn.resolvers.1",
      "k8s/helm/values/grafana.yaml grafana.ini.auth.generic_oauth",
      "k8s/helm/values/grafana.yaml grafana.ini.auth.generic_oauth.client_secret",
    ]);
  });
});
