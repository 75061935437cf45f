import { describe, expect, it } from "vitest";
import { computeBudget } from "../../src/check/budget.js";
import type { PlatformSpec } from "../../src/config/schema.js";
import { renderedApp, yamlFile } from "./helpers.js";

const MiB = 1024 * 1024;

const pod = (containers: Record<string, unknown>[], initContainers: Record<string, unknown>[] = []) => ({
  spec: { containers, ...(initContainers.length > 0 ? { initContainers } : {}) },
});
const container = (cpu: string, memory: string, limits: Record<string, string> = { memory }) => ({
  name: "c",
  image: "x:1",
  resources: { requests: { cpu, memory }, limits },
});

const cluster = (nodes: number, memory = "4Gi"): PlatformSpec["cluster"] => ({
  distribution: "k3s",
  kubernetesVersion: "1.32",
  nodes: Array.from({ length: nodes }, (_, i) => ({
    name: `n${i}`,
    cpu: "2",
    memory,
    arch: "amd64" as const,
  })),
  reserved: { cpu: "250m", memory: "512Mi" },
  storageClass: "local-path",
  cni: { plugin: "flannel" },
  destination: { server: "https://kubernetes.default.svc" },
  existing: { namespaces: [], objects: [] },
});

const files = [
  // 2 replicas × (100m, 128Mi) + a larger init container that does not change the sum.
  yamlFile(
    "k8s/helm/manifests/blog/deployment-blog.yaml",
    [
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "blog" },
        spec: {
          replicas: 2,
          template: pod([container("50m", "64Mi"), container("50m", "64Mi")], [container("80m", "100Mi")]),
        },
      },
    ],
    "services",
  ),
  // A DaemonSet counts once per node.
  yamlFile(
    "k8s/helm/manifests/logs/daemonset-alloy.yaml",
    [
      {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: { name: "alloy" },
        spec: { template: pod([container("20m", "32Mi", { cpu: "100m", memory: "64Mi" })]) },
      },
    ],
    "observability",
  ),
  // Init container larger than the containers: it sets the pod's request.
  yamlFile(
    "k8s/helm/manifests/db/statefulset-postgres.yaml",
    [
      {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: { name: "postgres" },
        spec: { template: pod([container("100m", "256Mi")], [container("500m", "64Mi")]) },
      },
    ],
    "postgres",
  ),
  // Jobs run to completion: reported apart.
  yamlFile(
    "k8s/helm/manifests/db/job-provision.yaml",
    [
      {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name: "provision" },
        spec: { template: pod([container("10m", "32Mi")]) },
      },
    ],
    "postgres",
  ),
];
const chartApp = renderedApp(
  {
    name: "vault",
    budget: [
      {
        workload: "vault-server",
        replicas: 1,
        requests: { cpuMillis: 250, memoryBytes: 256 * MiB },
        limits: { cpuMillis: 500, memoryBytes: 512 * MiB },
      },
    ],
  },
  10,
  "vault",
);

describe("computeBudget", () => {
  it("sums requests and limits per component from objects and chart budget entries", () => {
    const b = computeBudget({ files, apps: [chartApp], spec: { platform: { cluster: cluster(2) } } });
    const rows = Object.fromEntries(
      b.components.map((c) => [
        c.component,
        [c.requests.cpuMillis, c.requests.memoryBytes / MiB, c.limits.memoryBytes / MiB],
      ]),
    );
    expect(rows).toEqual({
      observability: [40, 64, 128],
      postgres: [500, 256, 256],
      services: [200, 256, 256],
      vault: [250, 256, 512],
    });
    expect(b.components.map((c) => c.component)).toEqual(["observability", "postgres", "services", "vault"]);
    expect(b.total.requests).toEqual({ cpuMillis: 990, memoryBytes: 832 * MiB });
    expect(b.jobs.map((j) => [j.component, j.workload, j.requests.cpuMillis])).toEqual([
      ["postgres", "Job/provision", 10],
    ]);
    // 2 nodes × (2 CPU, 4 GiB) less 2 × (250m, 512Mi).
    expect(b.allocatable).toEqual({ cpuMillis: 3500, memoryBytes: 7 * 1024 * MiB });
    expect(b.fits).toBe(true);
  });

  it("does not fit when requests exceed the allocatable memory", () => {
    const b = computeBudget({ files, apps: [chartApp], spec: { platform: { cluster: cluster(1, "1Gi") } } });
    expect(b.allocatable.memoryBytes).toBe(512 * MiB);
    expect(b.fits).toBe(false);
  });

  it("counts containers without a CPU limit as unbounded", () => {
    const b = computeBudget({ files, apps: [], spec: { platform: { cluster: cluster(1) } } });
    expect(b.components.find((c) => c.component === "services")?.unbounded).toEqual({ cpu: 4, memory: 0 });
    expect(b.components.find((c) => c.component === "observability")?.unbounded).toEqual({
      cpu: 0,
      memory: 0,
    });
  });
});
