import { describe, expect, it } from "vitest";
import {
  renderWorkload,
  type WorkloadCustomizer,
  workloadCustomizers,
  workloadModel,
} from "../../src/components/services/workload.js";
import { splitImage } from "../../src/render/image.js";
import type { K8sObject } from "../../src/render/k8s.js";
import { CRD_FILE, renderComponents, type ServiceSpecs } from "../helpers/component-fixture.js";
import { coreValidator, crdValidator, validationErrors } from "../helpers/strict-schema.js";

/** A platform with the given services (name → spec), rendered in memory. */
const render = (services: ServiceSpecs) => renderComponents({}, [], services);

describe("services component", () => {
  const { session, files, read } = render({
    api: {
      image: "ghcr.io/example/api:2.3.4",
      port: 8080,
      subdomain: "api",
      exposure: "internal",
      env: { ZED: "last", ALPHA: "first" },
      secrets: [{ env: "UPSTREAM_TOKEN", key: "upstream", property: "token" }],
      database: {},
      dependsOn: ["web"],
      resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    },
    web: { image: "registry.example.dev:5000/team/web:1.0.0", port: 3000, subdomain: "web" },
    worker: { image: "ghcr.io/example/worker:0.1.0", port: 9000 },
  });
  const deployment = read("k8s/helm/manifests/api/deployment-api.yaml");
  const container = deployment.spec.template.spec.containers[0];

  it("makes each service its own Application in project workloads, at its own absolute wave", () => {
    for (const name of ["api", "web", "worker"]) {
      const a = read(`argocd/applications/${name}.yaml`);
      expect(a.spec.project).toBe("workloads");
      expect(a.spec.destination.namespace).toBe(name);
      expect(Number(a.metadata.annotations?.["argocd.argoproj.io/sync-wave"])).toBe(
        session.graph.wave.get(`service:${name}`),
      );
    }
    const wave = (n: string) => session.apps.find((a) => a.spec.name === n)?.wave ?? -1;
    expect(wave("api")).toBeGreaterThan(wave("web"));
    expect(wave("web")).toBeGreaterThan(session.apps.find((a) => a.spec.name === "traefik")?.wave ?? 99);
  });

  it("declares a namespace (project workloads), a hostname and a database per service in the plan", () => {
    const ns = session.plan.namespaces.get("api");
    expect(ns).toMatchObject({ project: "workloads", labels: { "slipway.dev/service": "api" } });
    expect(session.plan.hostnames.find((h) => h.owner === "service:api")).toEqual({
      host: "api.example.dev",
      namespace: "api",
      service: "api",
      port: 80,
      public: false,
      protocol: "http",
      owner: "service:api",
    });
    expect(session.plan.hostnames.find((h) => h.owner === "service:web")?.public).toBe(true);
    expect(session.plan.hostnames.some((h) => h.owner === "service:worker")).toBe(false);
    expect(session.plan.databases).toContainEqual({
      name: "api",
      owner: "api",
      consumer: "service:api",
      dynamic: false,
    });
  });

  it("runs non-root with a read-only root filesystem, no privilege escalation, no capabilities", () => {
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.volumes).toEqual([{ name: "tmp", emptyDir: {} }]);
    expect(container.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(read("k8s/helm/manifests/api/serviceaccount-api.yaml").automountServiceAccountToken).toBe(false);
  });

  it("probes the health paths on the named port and sets requests and limits", () => {
    expect(container.ports).toEqual([{ name: "http", containerPort: 8080, protocol: "TCP" }]);
    expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http", scheme: "HTTP" });
    expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http", scheme: "HTTP" });
    expect(container.resources).toEqual({
      requests: { cpu: "50m", memory: "128Mi" },
      limits: { cpu: "500m", memory: "256Mi" },
    });
  });

  it("sorts env, takes secrets and database credentials from Secrets, and connects to the postgres endpoint", () => {
    const names = container.env.map((e: { name: string }) => e.name);
    expect(names).toEqual([...names].sort());
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env.ALPHA).toBe("first");
    expect(env.DATABASE_HOST).toBe("postgres.database.svc.cluster.local");
    expect(env.DATABASE_PORT).toBe("5432");
    expect(env.DATABASE_NAME).toBe("api");
    expect(env.DATABASE_USERNAME).toEqual({ secretKeyRef: { name: "api-database", key: "username" } });
    expect(env.DATABASE_PASSWORD).toEqual({ secretKeyRef: { name: "api-database", key: "password" } });
    expect(env.UPSTREAM_TOKEN).toEqual({ secretKeyRef: { name: "api-secrets", key: "UPSTREAM_TOKEN" } });
  });

  it("sets PUBLIC_URL to https://<host> for a service with a route, none without, the spec's own value wins", () => {
    const env = (name: string) =>
      read(`k8s/helm/manifests/${name}/deployment-${name}.yaml`).spec.template.spec.containers[0].env as {
        name: string;
        value?: string;
      }[];
    expect(env("api").find((e) => e.name === "PUBLIC_URL")?.value).toBe("https://api.example.dev");
    expect(env("web").find((e) => e.name === "PUBLIC_URL")?.value).toBe("https://web.example.dev");
    expect(env("worker").some((e) => e.name === "PUBLIC_URL")).toBe(false);
    const own = render({
      web: {
        image: "ghcr.io/example/web:1.0.0",
        port: 3000,
        subdomain: "web",
        env: { PUBLIC_URL: "https://www.example.org" },
      },
    }).read("k8s/helm/manifests/web/deployment-web.yaml").spec.template.spec.containers[0].env;
    expect(own).toEqual([{ name: "PUBLIC_URL", value: "https://www.example.org" }]);
  });

  it("gives an auth: oidc node service the origin of its registered redirect URI as PUBLIC_URL", () => {
    // node-service builds its redirect URI as new URL("/auth/callback", PUBLIC_URL): it must be
    // exactly the URI the identity provider registered for the client, or every login fails.
    const r = renderComponents({ identity: { enabled: true } }, [], {
      notes: {
        image: "ghcr.io/example/notes:1.0.0",
        port: 3000,
        subdomain: "notes",
        runtime: "node",
        auth: "oidc",
      },
    });
    const registered = r.session.plan.oidcClients.find((c) => c.name === "notes")?.redirectUris ?? [];
    expect(registered).toEqual(["https://notes.example.dev/auth/callback"]);
    const env = r.read("k8s/helm/manifests/notes/deployment-notes.yaml").spec.template.spec.containers[0].env;
    const publicUrl = env.find((e: { name: string }) => e.name === "PUBLIC_URL")?.value;
    expect(publicUrl).toBe(new URL(registered[0] ?? "").origin);
    expect(new URL("/auth/callback", publicUrl).href).toBe(registered[0]);
  });

  it("reads secrets through ExternalSecrets on the service's own SecretStore, owned by ESO", () => {
    const own = read("k8s/helm/manifests/api/externalsecret-api-secrets.yaml");
    expect(own.spec).toMatchObject({
      refreshInterval: "1h",
      secretStoreRef: { kind: "SecretStore", name: "vault-api" },
      target: { name: "api-secrets", creationPolicy: "Owner" },
      data: [{ secretKey: "UPSTREAM_TOKEN", remoteRef: { key: "services/api/upstream", property: "token" } }],
    });
    const db = read("k8s/helm/manifests/api/externalsecret-api-database.yaml");
    expect(db.spec.data.map((d: any) => [d.secretKey, d.remoteRef.key, d.remoteRef.property])).toEqual([
      ["password", "postgres/api", "password"],
      ["username", "postgres/api", "username"],
    ]);
    expect(db.spec.secretStoreRef).toEqual({ kind: "SecretStore", name: "vault-api" });
    for (const o of [own, db])
      expect(validationErrors(crdValidator(CRD_FILE.ExternalSecret, o.apiVersion, o.kind), o)).toEqual([]);
    // No secrets declared and no database: no ExternalSecret at all.
    expect([...files.keys()].some((p) => p.startsWith("k8s/helm/manifests/web/externalsecret"))).toBe(false);
  });

  it("pins the image only in kustomization.yaml, the one place a tag lives in the rendered tree", () => {
    expect(container.image).toBe("ghcr.io/example/api");
    const k = read<{ images: unknown[]; resources: string[] }>("k8s/helm/manifests/api/kustomization.yaml");
    expect(k.images).toEqual([{ name: "ghcr.io/example/api", newTag: "2.3.4" }]);
    expect(k.resources).toContain("deployment-api.yaml");
    const web = read<{ images: unknown[] }>("k8s/helm/manifests/web/kustomization.yaml");
    expect(web.images).toEqual([{ name: "registry.example.dev:5000/team/web", newTag: "1.0.0" }]);
  });

  it("exposes port 80 to the named container port with an appProtocol, and routes it in its own namespace", () => {
    const svc = read("k8s/helm/manifests/api/service-api.yaml");
    expect(svc.spec.type).toBe("ClusterIP");
    expect(svc.spec.ports).toEqual([
      { name: "http", port: 80, targetPort: "http", protocol: "TCP", appProtocol: "http" },
    ]);
    const route = read("k8s/helm/manifests/api/httproute-api.yaml");
    expect(route.metadata.namespace).toBe("api");
    expect(route.spec.hostnames).toEqual(["api.example.dev"]);
    expect(route.spec.parentRefs[0]).toEqual({
      group: "gateway.networking.k8s.io",
      kind: "Gateway",
      name: "platform",
      namespace: "traefik",
      sectionName: "web",
    });
    expect(route.spec.rules[0].backendRefs).toEqual([
      { group: "", kind: "Service", name: "api", namespace: "api", port: 80, weight: 1 },
    ]);
    // Same namespace: no ReferenceGrant anywhere for a service.
    expect([...files.keys()].some((p) => p.includes("referencegrant") && p.includes("api"))).toBe(false);
    // No subdomain, no route.
    expect(files.has("k8s/helm/manifests/worker/httproute-worker.yaml")).toBe(false);
  });

  it("renders objects valid against the strict Kubernetes schemas and the HTTPRoute CRD", () => {
    for (const f of ["deployment-api", "service-api", "serviceaccount-api", "deployment-web"]) {
      const o = read(`k8s/helm/manifests/${f.endsWith("web") ? "web" : "api"}/${f}.yaml`);
      expect(validationErrors(coreValidator(o), o), f).toEqual([]);
    }
    const route = read("k8s/helm/manifests/api/httproute-api.yaml");
    const crd = "gateway-api/v1.6.1/gateway.networking.k8s.io_httproutes.yaml";
    expect(validationErrors(crdValidator(crd, route.apiVersion, route.kind), route)).toEqual([]);
    const app = read("argocd/applications/api.yaml");
    expect(
      validationErrors(crdValidator("argo-cd/v3.5.1/application-crd.yaml", app.apiVersion, app.kind), app),
    ).toEqual([]);
  });
});

describe("service workload model", () => {
  const service = render({ svc: { image: "ghcr.io/example/svc:1.0.0", port: 8080, runtime: "java" } }).session
    .spec.services[0];
  if (!service) throw new Error("no service");

  it("lets ordered customizers adjust env, pod annotations and extra objects before one render", () => {
    const java: WorkloadCustomizer = {
      id: "java-agent",
      applies: (s) => s.runtime === "java",
      customize(m) {
        m.podAnnotations["instrumentation.opentelemetry.io/inject-java"] = "monitoring/java";
        m.env.set("OTEL_SERVICE_NAME", { value: m.service.name });
      },
    };
    const later: WorkloadCustomizer = {
      id: "override",
      applies: () => true,
      customize(m) {
        m.env.set("OTEL_SERVICE_NAME", { value: "overridden" });
      },
    };
    const [, deployment] = renderWorkload(
      workloadModel(service, { components: {} } as never, [...workloadCustomizers, java, later]),
    );
    const tpl = (deployment as K8sObject & { spec: any }).spec.template;
    expect(tpl.metadata.annotations).toEqual({
      "instrumentation.opentelemetry.io/inject-java": "monitoring/java",
    });
    expect(tpl.spec.containers[0].env).toEqual([{ name: "OTEL_SERVICE_NAME", value: "overridden" }]);
  });

  it("splits image references for kustomize (registry ports, digests)", () => {
    expect(splitImage("ghcr.io/o/app:1.2.3")).toEqual({ name: "ghcr.io/o/app", newTag: "1.2.3" });
    expect(splitImage("localhost:5000/app:v1")).toEqual({ name: "localhost:5000/app", newTag: "v1" });
    const digest = `sha256:${"a".repeat(64)}`;
    expect(splitImage(`ghcr.io/o/app:1.2.3@${digest}`)).toEqual({
      name: "ghcr.io/o/app",
      newTag: "1.2.3",
      digest,
    });
    expect(splitImage(`ghcr.io/o/app@${digest}`)).toEqual({ name: "ghcr.io/o/app", digest });
  });
});
