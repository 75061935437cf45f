import { request } from "node:https";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rolloutPods } from "../../src/components/services/tenancy.js";
import { startApiServer, type TestApiServer } from "../helpers/apiserver.js";
import { renderComponents, renderFile, type TestObject } from "../helpers/component-fixture.js";

/**
 * The rendered ResourceQuota and LimitRange against a real kube-apiserver's admission (its
 * ResourceQuota and LimitRanger plugins; tools/build.sh kube): created for real in their
 * namespace, then the pods a rollout runs at once — the Deployment's pod template, replicas plus
 * the surge pod — are created one by one. They must all be admitted, and one pod more refused.
 * No controller-manager runs, so the quota's status is set here as its controller would (hard from
 * the spec, nothing used); from then on the admission plugin counts every pod it admits.
 */

let kube: TestApiServer;
beforeAll(async () => {
  kube = await startApiServer();
}, 120_000);
afterAll(async () => {
  await kube?.stop();
});

/** One request as the admin: status and parsed body. */
function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const { url, ca, token } = kube.server;
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      {
        method,
        ...(ca ? { ca } : {}),
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => {
          text += c.toString("utf8");
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} }));
      },
    );
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const created = async (path: string, o: unknown) => {
  const r = await api("POST", path, o);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
};

/** Creates a service namespace's Namespace, LimitRange and ResourceQuota, and primes the quota's status. */
async function tenant(tree: ReturnType<typeof renderFile>, ns: string): Promise<void> {
  await created("/api/v1/namespaces", tree.read(`k8s/helm/manifests/namespaces/namespace-${ns}.yaml`));
  const objs = tree
    .objects("k8s/helm/manifests/services-tenancy/")
    .filter((o) => o.metadata.namespace === ns);
  const quota = objs.find((o) => o.kind === "ResourceQuota") as TestObject;
  await created(
    `/api/v1/namespaces/${ns}/limitranges`,
    objs.find((o) => o.kind === "LimitRange"),
  );
  const stored = await created(`/api/v1/namespaces/${ns}/resourcequotas`, quota);
  const used = Object.fromEntries(Object.keys(quota.spec.hard).map((k) => [k, "0"]));
  const status = await api("PUT", `/api/v1/namespaces/${ns}/resourcequotas/${quota.metadata.name}/status`, {
    ...stored,
    status: { hard: quota.spec.hard, used },
  });
  expect(status.status, JSON.stringify(status.body)).toBe(200);
}

/** A Pod as the Deployment's ReplicaSet would make it (plus `initContainers` a webhook would inject). */
function podOf(deployment: TestObject, i: number, initContainers: unknown[] = []): unknown {
  const t = deployment.spec.template;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `${deployment.metadata.name}-${i}`, labels: t.metadata.labels },
    spec: { ...t.spec, ...(initContainers.length > 0 ? { initContainers } : {}) },
  };
}

/** Creates pods until one is refused; returns how many were admitted and the refusal. */
async function admitUntilRefused(
  ns: string,
  pods: (i: number) => unknown,
  max: number,
): Promise<{ admitted: number; refusal: any }> {
  for (let i = 0; i < max; i++) {
    const r = await api("POST", `/api/v1/namespaces/${ns}/pods`, pods(i));
    if (r.status !== 201) return { admitted: i, refusal: r };
  }
  return { admitted: max, refusal: undefined };
}

describe("ResourceQuota and LimitRange on a real kube-apiserver", () => {
  it("admit notes' rollout (1 replica + 1 surge pod, with the Java agent's init container) and not one pod more", async () => {
    const tree = renderFile(join(import.meta.dirname, "../../../../examples/homelab/platform.yaml"));
    await tenant(tree, "notes");
    const deployment = tree.read("k8s/helm/manifests/notes/deployment-notes.yaml");
    // What the OTel operator's webhook injects for `inject-java`: the Instrumentation's resources.
    const java = tree.read("k8s/helm/manifests/otel/instrumentation-java.yaml").spec.java;
    const container = deployment.spec.template.spec.containers[0];
    const init = [
      {
        name: "opentelemetry-auto-instrumentation-java",
        image: java.image,
        command: ["cp", "/javaagent.jar", "/otel-auto-instrumentation-java/javaagent.jar"],
        resources: java.resources,
        securityContext: container.securityContext,
        volumeMounts: [{ name: "tmp", mountPath: "/otel-auto-instrumentation-java" }],
      },
    ];
    const expected = rolloutPods(deployment.spec.replicas);
    expect(expected).toBe(2);
    const r = await admitUntilRefused("notes", (i) => podOf(deployment, i, init), expected + 1);
    expect(r.admitted).toBe(expected);
    expect(r.refusal.status).toBe(403);
    expect(r.refusal.body.message).toMatch(/exceeded quota: services/);
  }, 60_000);

  it("sum the services sharing a namespace, and give a container without resources the LimitRange's", async () => {
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
    await tenant(tree, "shop");
    const api4 = tree.read("k8s/helm/manifests/api/deployment-api.yaml");
    const worker = tree.read("k8s/helm/manifests/worker/deployment-worker.yaml");
    // api: 4 + 1 surge, worker: 2 + 1 surge.
    const a = await admitUntilRefused("shop", (i) => podOf(api4, i), rolloutPods(4));
    expect(a.admitted).toBe(5);
    const w = await admitUntilRefused("shop", (i) => podOf(worker, i), rolloutPods(2) + 1);
    expect(w.admitted).toBe(3);
    expect(w.refusal.body.message).toMatch(/exceeded quota: services/);

    // A container that states nothing is given the smallest request and limit of the namespace.
    await created("/api/v1/namespaces", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "shop-defaults" },
    });
    const range = tree
      .objects("k8s/helm/manifests/services-tenancy/")
      .find((o) => o.kind === "LimitRange") as TestObject;
    await created("/api/v1/namespaces/shop-defaults/limitranges", {
      ...range,
      metadata: { name: "services" },
    });
    const bare = await created("/api/v1/namespaces/shop-defaults/pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "bare" },
      spec: { containers: [{ name: "c", image: "busybox:1.37" }] },
    });
    expect(bare.spec.containers[0].resources).toEqual({
      requests: { cpu: "100m", memory: "128Mi" },
      limits: { cpu: "500m", memory: "256Mi" },
    });
  }, 60_000);
});
