import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildCheckInput } from "../../src/check/input.js";
import { policies } from "../../src/check/policies/index.js";
import { cpu, memory, rolloutPods } from "../../src/components/services/tenancy.js";
import { renderComponents, renderFile, type TestObject } from "../helpers/component-fixture.js";
import { coreValidator, crdValidator, validationErrors } from "../helpers/strict-schema.js";
import { codesOf } from "../write/helpers.js";

/**
 * Tenant isolation of service namespaces (issue 13, part 3) on the example platform: every service
 * has its own SecretStore and Vault role, its namespace a default deny with the allows it needs,
 * and a quota that admits its rollout.
 */
const example = renderFile(join(import.meta.dirname, "../../../../examples/homelab/platform.yaml"));
const tenancy = example.objects("k8s/helm/manifests/services-tenancy/");
const find = (kind: string, namespace: string, name: string) =>
  tenancy.find(
    (o) => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name === name,
  ) as TestObject;
const TENANCY_POLICIES = [
  "service-secret-store",
  "service-vault-scope",
  "service-default-deny",
  "service-quota",
  "service-issuer-scope",
];

/** Findings of the tenancy policies over a rendered tree, as `code file path`. */
function tenancyFindings(tree: ReturnType<typeof renderFile>): string[] {
  const input = buildCheckInput(tree.fileList, tree.session.apps);
  return policies
    .filter((p) => TENANCY_POLICIES.includes(p.id))
    .flatMap((p) => [...p.check(input)])
    .map((f) => `${f.diagnostic.code} ${f.file} ${f.diagnostic.path.join(".")}`);
}

describe("service tenancy on the example platform", () => {
  it("is one platform Application, writing into the service namespaces it is allowed to", () => {
    const app = example.read("argocd/applications/services-tenancy.yaml");
    expect(app.spec.project).toBe("platform");
    const project = example.read("argocd/projects/platform.yaml");
    const destinations = project.spec.destinations.map((d: { namespace: string }) => d.namespace);
    for (const ns of ["blog", "notes", "status-api"]) expect(destinations).toContain(ns);
    expect(new Set(tenancy.map((o) => o.metadata.namespace))).toEqual(
      new Set(["blog", "notes", "status-api"]),
    );
  });

  it("gives each service a SecretStore that logs in as the service, and points every ExternalSecret of it there", () => {
    const store = find("SecretStore", "status-api", "vault-status-api");
    expect(store.spec.provider.vault.auth.kubernetes).toEqual({
      mountPath: "kubernetes",
      role: "kv-status-api",
      serviceAccountRef: { name: "status-api", audiences: ["vault"] },
    });
    for (const name of ["blog", "notes", "status-api"]) {
      for (const o of example.objects(`k8s/helm/manifests/${name}/`)) {
        if (o.kind !== "ExternalSecret" || o.spec.secretStoreRef === undefined) continue;
        expect(o.spec.secretStoreRef, `${name}/${o.metadata.name}`).toEqual({
          kind: "SecretStore",
          name: `vault-${name}`,
        });
      }
    }
    // The ones that exist: status-api's own secrets and notes' OIDC client.
    expect(
      example.read("k8s/helm/manifests/status-api/externalsecret-status-api-secrets.yaml").spec.secretStoreRef
        .name,
    ).toBe("vault-status-api");
    const v = crdValidator(
      "external-secrets/v2.9.0/external-secrets.io_secretstores.yaml",
      store.apiVersion,
      store.kind,
    );
    expect(validationErrors(v, store)).toEqual([]);
  });

  it("limits the platform's ClusterSecretStore to platform namespaces, by name", () => {
    const store = example.read(
      "k8s/helm/manifests/external-secrets-store/clustersecretstore-vault-backend.yaml",
    );
    const served: string[] = store.spec.conditions[0].namespaces;
    expect(served).toContain("database");
    expect(served).toContain("zitadel");
    for (const ns of ["blog", "notes", "status-api"]) expect(served).not.toContain(ns);
  });

  it("declares one Vault policy per service reaching only its own paths, and a role bound to its account", () => {
    const docs = example.read<any>("vault/terraform/policies.tf.json").data.vault_policy_document;
    const paths = (name: string) => docs[name].rule.map((r: { path: string }) => r.path);
    expect(paths("kv-status-api")).toEqual([
      "kv/data/services/status-api/*",
      "kv/metadata/services/status-api/*",
    ]);
    // notes has auth: oidc (its client's id and secret) and dynamic database credentials (db-notes, not KV).
    expect(paths("kv-notes")).toEqual([
      "kv/data/services/notes/*",
      "kv/metadata/services/notes/*",
      "kv/data/identity/clients/notes",
    ]);
    const role = example.read<any>("vault/terraform/roles.tf.json").resource
      .vault_kubernetes_auth_backend_role["kv-notes"];
    expect(role).toMatchObject({
      bound_service_account_names: ["notes"],
      bound_service_account_namespaces: ["notes"],
      token_policies: ["${vault_policy.kv-notes.name}"],
      audience: "vault",
    });
  });

  it("denies all traffic per namespace, then allows DNS, the gateway, declared callers, the database and the collector", () => {
    for (const ns of ["blog", "notes", "status-api"]) {
      expect(find("NetworkPolicy", ns, "default-deny").spec).toEqual({
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
      });
      expect(find("NetworkPolicy", ns, "allow-dns").spec.egress[0].ports).toEqual([
        { protocol: "UDP", port: 53 },
        { protocol: "TCP", port: 53 },
      ]);
    }
    const notes = find("NetworkPolicy", "notes", "notes").spec;
    const ns = (name: string) => ({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } },
    });
    const ports = [
      { protocol: "TCP", port: 8080 },
      { protocol: "TCP", port: 15008 },
    ];
    expect(notes.podSelector.matchLabels).toEqual({
      "app.kubernetes.io/name": "notes",
      "app.kubernetes.io/instance": "notes",
    });
    expect(notes.ingress).toEqual([
      { from: [ns("traefik")], ports },
      {
        from: [
          {
            ...ns("status-api"),
            podSelector: {
              matchLabels: {
                "app.kubernetes.io/name": "status-api",
                "app.kubernetes.io/instance": "status-api",
              },
            },
          },
        ],
        ports,
      },
      { from: [{ ipBlock: { cidr: "169.254.7.127/32" } }], ports: [{ protocol: "TCP", port: 8080 }] },
    ]);
    expect(notes.egress.slice(0, 2)).toEqual([
      {
        to: [ns("database")],
        ports: [
          { protocol: "TCP", port: 5432 },
          { protocol: "TCP", port: 15008 },
        ],
      },
      {
        to: [ns("monitoring")],
        ports: [
          { protocol: "TCP", port: 4317 },
          { protocol: "TCP", port: 4318 },
        ],
      },
    ]);
    // The internet, never a private address (another namespace, the node, the LAN).
    const internet = notes.egress[2].to[0].ipBlock;
    expect(internet.cidr).toBe("0.0.0.0/0");
    expect(internet.except).toEqual(
      expect.arrayContaining(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]),
    );
    // status-api may call notes (notes lists it): egress to notes' pods; nobody calls status-api but the gateway.
    const status = find("NetworkPolicy", "status-api", "status-api").spec;
    expect(status.egress[0].to[0].podSelector.matchLabels["app.kubernetes.io/name"]).toBe("notes");
    expect(status.ingress.map((r: any) => Object.keys(r.from[0])[0])).toEqual([
      "namespaceSelector",
      "ipBlock",
    ]);
    // blog has no database: no egress to it.
    const blog = find("NetworkPolicy", "blog", "blog").spec;
    expect(JSON.stringify(blog.egress)).not.toContain('"database"');
  });

  it("sizes each namespace's quota for its rollout: replicas + 25% surge, the Java agent's init container included", () => {
    // notes: 1 replica of 100m/384Mi (limit 512Mi) + 1 surge pod.
    expect(find("ResourceQuota", "notes", "services").spec.hard).toEqual({
      pods: "2",
      "requests.cpu": "200m",
      "requests.memory": "768Mi",
      "limits.memory": "1Gi",
    });
    expect(find("LimitRange", "notes", "services").spec.limits).toEqual([
      { type: "Container", default: { memory: "512Mi" }, defaultRequest: { cpu: "100m", memory: "384Mi" } },
    ]);
  });

  it("passes the tenancy policies, and every object validates strictly", () => {
    expect(tenancyFindings(example)).toEqual([]);
    for (const o of tenancy) {
      if (o.kind === "SecretStore") continue;
      expect(validationErrors(coreValidator(o), o), `${o.kind}/${o.metadata.name}`).toEqual([]);
    }
  });
});

describe("service tenancy, other shapes", () => {
  it("sums services sharing a namespace into one quota, one default deny", () => {
    const tree = renderComponents({}, [], {
      api: {
        image: "ghcr.io/example/api:1.0.0",
        port: 8080,
        namespace: "shop",
        replicas: 4,
        resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
      },
      worker: {
        image: "ghcr.io/example/worker:1.0.0",
        port: 9000,
        namespace: "shop",
        replicas: 2,
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
      },
    });
    const objs = tree.objects("k8s/helm/manifests/services-tenancy/");
    const quota = objs.find((o) => o.kind === "ResourceQuota") as TestObject;
    // api 4 + 1 surge = 5 pods, worker 2 + 1 = 3.
    expect(quota.spec.hard).toEqual({
      pods: "8",
      "requests.cpu": "1550m",
      "requests.memory": "1664Mi",
      "limits.cpu": "6500m",
      "limits.memory": "3328Mi",
    });
    expect(objs.filter((o) => o.metadata.name === "default-deny")).toHaveLength(1);
    expect(objs.filter((o) => o.kind === "SecretStore").map((o) => o.metadata.name)).toEqual([
      "vault-api",
      "vault-worker",
    ]);
    expect(tenancyFindings(tree)).toEqual([]);
  });

  it("refuses a database named like the PostgreSQL superuser's secret (postgres/admin)", () => {
    expect(
      codesOf(() =>
        renderComponents({ postgres: { enabled: true } }, [], {
          api: { image: "ghcr.io/example/api:1.0.0", port: 8080, database: { name: "admin" } },
        }),
      ),
    ).toEqual(["SW_SERVICE_DATABASE_RESERVED"]);
  });

  it("writes quantities as the API server stores them", () => {
    expect([cpu(0), cpu(1000), cpu(1500), cpu(20)]).toEqual(["0", "1", "1500m", "20m"]);
    expect([memory(0), memory(1024 ** 3), memory(1536 * 1024 ** 2), memory(1000)]).toEqual([
      "0",
      "1Gi",
      "1536Mi",
      "1000",
    ]);
    expect([0, 1, 2, 4, 5, 8].map(rolloutPods)).toEqual([0, 2, 3, 5, 7, 10]);
  });
});
