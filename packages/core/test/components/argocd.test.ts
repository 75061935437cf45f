import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { ARGOCD_CHART } from "../../src/components/argocd/contract.js";
import { updateSettings } from "../../src/components/argocd/image-updater.js";
import { APPLICATION_HEALTH_LUA } from "../../src/components/argocd/values.js";
import { type AnyComponent, defineComponent } from "../../src/render/component.js";
import type { K8sObject } from "../../src/render/k8s.js";
import { renderComponents, type ServiceSpecs } from "../helpers/component-fixture.js";
import { coreValidator, crdValidator, SCHEMA_DIR, validationErrors } from "../helpers/strict-schema.js";

/** A platform with the given component configs and services (name → spec), rendered in memory. */
const render = (
  config: Record<string, unknown> = {},
  services: ServiceSpecs = {},
  extra: readonly AnyComponent[] = [],
) => renderComponents(config, extra, services);

const APP_CRD = "argo-cd/v3.5.1/application-crd.yaml";
const PROJECT_CRD = "argo-cd/v3.5.1/appproject-crd.yaml";
const wave = (o: K8sObject) => Number(o.metadata.annotations?.["argocd.argoproj.io/sync-wave"]);

/** A later capability enrolling namespaces through a customizer, as the mesh will. */
const meshLike = defineComponent({
  id: "test-mesh",
  description: "adds a label to workload namespaces",
  dependsOn: [],
  enabledByDefault: true,
  config: z.strictObject({}),
  plan(ctx) {
    ctx.plan.namespaceCustomizers.push((ns) => {
      if (ns.project === "workloads") ns.labels["istio.io/dataplane-mode"] = "ambient";
    });
  },
  *contribute() {},
});

describe("argocd component", () => {
  const { session, files, read } = render(
    {},
    { blog: { image: "ghcr.io/example/blog:1.0.0", port: 8080, subdomain: "blog" } },
    [meshLike],
  );

  it("root app-of-apps: project default, both directories recursively, not itself, no cascading finalizer", () => {
    const root = read("argocd/root.yaml");
    expect(root.metadata).toMatchObject({ name: "root", namespace: "argocd" });
    expect(root.metadata.finalizers).toBeUndefined();
    expect(root.spec.project).toBe("default");
    expect(root.spec.destination).toEqual({ server: "https://kubernetes.default.svc", namespace: "argocd" });
    expect(root.spec.sources).toEqual([
      {
        repoURL: "https://github.com/example/platform.git",
        targetRevision: "main",
        path: "argocd/projects",
        directory: { recurse: true },
      },
      {
        repoURL: "https://github.com/example/platform.git",
        targetRevision: "main",
        path: "argocd/applications",
        directory: { recurse: true },
      },
    ]);
    expect(validationErrors(crdValidator(APP_CRD, root.apiVersion, root.kind), root)).toEqual([]);
  });

  it("AppProjects: exactly the declared chart repositories, platform namespaces, nothing cluster-scoped for workloads", () => {
    const platform = read("argocd/projects/platform.yaml");
    expect(platform.spec.sourceRepos).toEqual(
      ["https://github.com/example/platform.git", ...session.plan.sourceRepos].sort(),
    );
    const platformNs = [...session.plan.namespaces.values()]
      .filter((n) => n.project === "platform")
      .map((n) => n.name);
    // Plus the namespaces platform Applications write into without owning them (services-tenancy's guardrails).
    expect(platform.spec.destinations.map((d: { namespace: string }) => d.namespace)).toEqual(
      [...new Set(["argocd", ...platformNs, ...session.plan.platformDestinations])].sort(),
    );
    expect(session.plan.platformDestinations).toEqual(new Set(["blog"]));
    const workloads = read("argocd/projects/workloads.yaml");
    expect(workloads.spec.sourceRepos).toEqual(["https://github.com/example/platform.git"]);
    expect(workloads.spec.destinations).toEqual([
      { server: "https://kubernetes.default.svc", namespace: "blog" },
    ]);
    expect(workloads.spec.clusterResourceWhitelist).toEqual([]);
    // A service's own Application cannot add or replace its namespace's guardrails (ADR 0008).
    expect(
      workloads.spec.namespaceResourceBlacklist.map(
        (k: { group: string; kind: string }) => `${k.group}/${k.kind}`,
      ),
    ).toEqual(
      expect.arrayContaining([
        "networking.k8s.io/NetworkPolicy",
        "/ResourceQuota",
        "/LimitRange",
        "external-secrets.io/SecretStore",
        "cert-manager.io/Issuer",
      ]),
    );
    for (const name of ["platform", "workloads", "default"]) {
      const p = read(`argocd/projects/${name}.yaml`);
      expect(wave(p)).toBeLessThan(0);
      expect(validationErrors(crdValidator(PROJECT_CRD, p.apiVersion, p.kind), p)).toEqual([]);
    }
  });

  it("every Application names a project whose destinations allow it, and validates strictly", () => {
    const projects = new Map(
      ["platform", "workloads"].map((p) => [
        p,
        read(`argocd/projects/${p}.yaml`).spec.destinations.map((d: { namespace: string }) => d.namespace),
      ]),
    );
    const apps = [...files.keys()].filter((p) => p.startsWith("argocd/applications/"));
    expect(apps.length).toBeGreaterThan(5);
    for (const path of apps) {
      const a = read(path);
      expect(projects.get(a.spec.project), path).toContain(a.spec.destination.namespace);
      expect(validationErrors(crdValidator(APP_CRD, a.apiVersion, a.kind), a), path).toEqual([]);
    }
  });

  it("namespaces Application: earliest wave, one Namespace per declaration, customizers applied", () => {
    const ns = read("argocd/applications/namespaces.yaml");
    const waves = [...files.keys()]
      .filter((p) => p.startsWith("argocd/applications/"))
      .map((p) => wave(read(p)));
    expect(wave(ns)).toBe(Math.min(...waves));
    const objects = [...files.keys()]
      .filter((p) => p.startsWith("k8s/helm/manifests/namespaces/"))
      .map((p) => read<K8sObject>(p));
    expect(objects.map((o) => o.metadata.name)).toEqual(session.plan.resolvedNamespaces().map((n) => n.name));
    const blog = objects.find((o) => o.metadata.name === "blog");
    expect(blog?.metadata.labels).toMatchObject({
      "slipway.dev/service": "blog",
      "istio.io/dataplane-mode": "ambient",
    });
    expect(
      objects.find((o) => o.metadata.name === "argocd")?.metadata.labels?.["istio.io/dataplane-mode"],
    ).toBeUndefined();
    expect(objects.find((o) => o.metadata.name === "argocd")?.metadata.annotations).toEqual({
      "argocd.argoproj.io/sync-options": "Prune=false,Delete=false",
    });
    for (const o of objects) expect(validationErrors(coreValidator(o), o)).toEqual([]);
    // The one owner of Namespace objects.
    const elsewhere = [...files.entries()].filter(
      ([p, c]) =>
        p.startsWith("k8s/helm/manifests/") &&
        !p.startsWith("k8s/helm/manifests/namespaces/") &&
        /^kind: Namespace$/m.test(c),
    );
    expect(elsewhere.map(([p]) => p)).toEqual([]);
  });

  it("Namespaces: Pod Security labels on every one, stateful ones never pruned nor deleted (issue 11, H1/H5)", () => {
    const objects = [...files.keys()]
      .filter((p) => p.startsWith("k8s/helm/manifests/namespaces/"))
      .map((p) => read<K8sObject>(p));
    const psa = (o: K8sObject | undefined) =>
      Object.fromEntries(
        Object.entries(o?.metadata.labels ?? {}).filter(([k]) => k.startsWith("pod-security.kubernetes.io/")),
      );
    const byName = (n: string) => objects.find((o) => o.metadata.name === n);
    const level = (l: string, v: string) => ({
      "pod-security.kubernetes.io/enforce": l,
      "pod-security.kubernetes.io/enforce-version": v,
      "pod-security.kubernetes.io/audit": l,
      "pod-security.kubernetes.io/audit-version": v,
      "pod-security.kubernetes.io/warn": l,
      "pod-security.kubernetes.io/warn-version": v,
    });
    const version = `v${session.spec.platform.cluster.kubernetesVersion}`;
    for (const o of objects) expect(Object.keys(psa(o)), o.metadata.name).toHaveLength(6);
    expect(psa(byName("blog"))).toEqual(level("restricted", version));
    expect(psa(byName("argocd"))).toEqual(level("restricted", version));
    expect(psa(byName("database"))).toEqual(level("restricted", version));
    const mesh = render({ istio: { enabled: true }, "cert-manager": { enabled: true } });
    const istio = mesh.read<K8sObject>("k8s/helm/manifests/namespaces/namespace-istio-system.yaml");
    expect(psa(istio)).toEqual(level("privileged", version));
    expect(psa(byName("vault"))).toEqual(level("restricted", version));
    const retained = objects
      .filter(
        (o) => o.metadata.annotations?.["argocd.argoproj.io/sync-options"] === "Prune=false,Delete=false",
      )
      .map((o) => o.metadata.name);
    expect(retained).toEqual(["argocd", "database", "vault"]);
    expect(byName("database")?.metadata.labels?.["slipway.dev/stateful"]).toBe("true");
    expect(byName("blog")?.metadata.labels?.["slipway.dev/stateful"]).toBeUndefined();
  });

  it("no cascading finalizer on Argo CD's own Application nor on the namespaces Application (issue 11, H2)", () => {
    expect(read("argocd/applications/argocd.yaml").metadata.finalizers).toBeUndefined();
    expect(read("argocd/applications/namespaces.yaml").metadata.finalizers).toBeUndefined();
    // Other Applications keep it: deleting them removes what they deployed.
    expect(read("argocd/applications/blog.yaml").metadata.finalizers).toEqual([
      "resources-finalizer.argocd.argoproj.io",
    ]);
  });

  it("an external PostgreSQL leaves the database namespace stateless", () => {
    const external = render({ postgres: { mode: "external", host: "db.example.net" } });
    const db = external.read<K8sObject>("k8s/helm/manifests/namespaces/namespace-database.yaml");
    expect(db.metadata.annotations?.["argocd.argoproj.io/sync-options"]).toBeUndefined();
  });

  it("Argo CD manages itself from the argo-cd chart with the Application health check, Dex off, insecure server", () => {
    const a = read("argocd/applications/argocd.yaml");
    expect(a.spec.project).toBe("platform");
    expect(a.spec.destination.namespace).toBe("argocd");
    expect(a.spec.sources[0]).toMatchObject({
      repoURL: ARGOCD_CHART.repoURL,
      chart: "argo-cd",
      targetRevision: "10.1.1",
    });
    const values = read<Record<string, any>>("k8s/helm/values/argocd.yaml");
    expect(values.configs.cm["resource.customizations.health.argoproj.io_Application"]).toBe(
      APPLICATION_HEALTH_LUA,
    );
    expect(values.dex.enabled).toBe(false);
    expect(values.configs.params["server.insecure"]).toBe(true);
    expect(values.global.domain).toBe("argocd.example.dev");
    for (const c of ["controller", "server", "repoServer", "applicationSet", "redis"]) {
      expect(values[c].resources.requests, c).toBeDefined();
      expect(values[c].resources.limits, c).toBeDefined();
    }
    const spec = session.apps.find((x) => x.spec.name === "argocd")?.spec;
    expect(spec?.crds).toEqual(["argoproj.io"]);
    expect(spec?.budget?.map((b) => b.workload)).toContain("argocd-application-controller");
  });

  it("sets only keys the charts define (they ship no values.schema.json), except the free-form config maps", () => {
    const missing = (valuesFile: string, chartDir: string, freeForm: string[]) => {
      const defaults = parse(readFileSync(join(SCHEMA_DIR, chartDir, "values.yaml"), "utf8"));
      const out: string[] = [];
      const walk = (v: unknown, d: unknown, path: string[]) => {
        if (freeForm.includes(path.join("."))) return;
        if (v === null || typeof v !== "object" || Array.isArray(v)) return;
        for (const [k, child] of Object.entries(v)) {
          const dv = (d as Record<string, unknown> | undefined)?.[k];
          // `resources: {}` in the chart is a free-form map of requests/limits.
          if (dv === undefined) out.push([...path, k].join("."));
          else if (k !== "resources") walk(child, dv, [...path, k]);
        }
      };
      walk(read(valuesFile), defaults, []);
      return out;
    };
    expect(
      missing("k8s/helm/values/argocd.yaml", "helm-argo-cd/10.1.1", ["configs.cm", "configs.params"]),
    ).toEqual([]);
    expect(
      missing("k8s/helm/values/argocd-image-updater.yaml", "helm-argocd-image-updater/1.2.4", []),
    ).toEqual([]);
  });

  it("the health check is Lua that reports the child Application's own health", () => {
    // Structural, not prose: it reads obj.status.health.status and starts out Progressing.
    expect(APPLICATION_HEALTH_LUA).toMatch(/hs\.status = obj\.status\.health\.status/);
    expect(APPLICATION_HEALTH_LUA).toMatch(/hs\.status = "Progressing"/);
    expect(APPLICATION_HEALTH_LUA.trimEnd().endsWith("return hs")).toBe(true);
  });

  it("Image Updater is a second Application by default, installing its CRD group", () => {
    const iu = session.apps.find((x) => x.spec.name === "argocd-image-updater");
    expect(iu?.spec.helm).toMatchObject({ chart: "argocd-image-updater", version: "1.2.4" });
    expect(iu?.spec.crds).toEqual(["argocd-image-updater.argoproj.io"]);
    expect(iu?.wave).toBeGreaterThan(session.apps.find((x) => x.spec.name === "argocd")?.wave ?? 99);
    const values = read<Record<string, any>>("k8s/helm/values/argocd-image-updater.yaml");
    expect(values.resources.limits.memory).toBeDefined();
  });

  it("one ImageUpdater per tag-pinned service commits updates beside (not into) its owned kustomization", () => {
    const iu = read("k8s/helm/manifests/argocd-image-updater/imageupdater-blog.yaml");
    expect(iu.metadata.namespace).toBe("argocd");
    // No writeBackTarget: the default `.argocd-source-<app>.yaml` is a file Slipway never renders.
    expect(iu.spec.writeBackConfig).toEqual({ method: "git", gitConfig: { branch: "main" } });
    expect(iu.spec.applicationRefs).toEqual([
      {
        namePattern: "blog",
        useAnnotations: false,
        images: [
          {
            alias: "blog",
            imageName: "ghcr.io/example/blog:^1.0.0",
            commonUpdateSettings: { updateStrategy: "semver", forceUpdate: false, ignoreTags: ["latest"] },
            manifestTargets: { kustomize: { name: "ghcr.io/example/blog" } },
          },
        ],
      },
    ]);
    // The kustomization it writes to names the same image.
    expect(
      read<{ images: { name: string }[] }>("k8s/helm/manifests/blog/kustomization.yaml").images[0]?.name,
    ).toBe("ghcr.io/example/blog");
    const crd = "argocd-image-updater/v1.3.0/argocd-image-updater.argoproj.io_imageupdaters.yaml";
    expect(validationErrors(crdValidator(crd, iu.apiVersion, iu.kind), iu)).toEqual([]);
  });

  it("picks an update strategy from the pinned tag's shape", () => {
    expect(updateSettings("1.4.2").updateStrategy).toBe("semver");
    expect(updateSettings("v2.0.0").updateStrategy).toBe("semver");
    expect(updateSettings("sha-3f9c2e1")).toMatchObject({
      updateStrategy: "newest-build",
      allowTags: "regexp:^sha-[0-9a-f]{7,40}$",
    });
    expect(updateSettings("nightly").updateStrategy).toBe("newest-build");
  });

  it("declares the UI hostname, internal by default", () => {
    expect(session.plan.hostnames.find((h) => h.owner === "argocd")).toEqual({
      host: "argocd.example.dev",
      namespace: "argocd",
      service: "argocd-server",
      port: 80,
      public: false,
      protocol: "http",
      owner: "argocd",
    });
  });

  it("follows config: another subdomain, public, Image Updater off", () => {
    const other = render({
      argocd: { hostname: { subdomain: "cd", exposure: "public" }, imageUpdater: { enabled: false } },
    });
    expect(other.session.plan.hostnames.find((h) => h.owner === "argocd")).toMatchObject({
      host: "cd.example.dev",
      public: true,
    });
    expect(other.files.has("argocd/applications/argocd-image-updater.yaml")).toBe(false);
    expect(other.read("argocd/projects/platform.yaml").spec.sourceRepos).toEqual(
      ["https://github.com/example/platform.git", ...other.session.plan.sourceRepos].sort(),
    );
  });
});
