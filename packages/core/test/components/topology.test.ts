import { describe, expect, it } from "vitest";
import { renderCharts } from "../../src/check/charts.js";
import { buildCheckInput } from "../../src/check/input.js";
import { CLUSTER_SECRET_APP } from "../../src/components/argocd/index.js";
import { renderPlatform } from "../../src/synth.js";
import { CRD_FILE, renderFile, type TestObject, writePlatform } from "../helpers/component-fixture.js";
import { diagnosticsOf } from "../helpers/diagnostics.js";
import { crdValidator, validationErrors } from "../helpers/strict-schema.js";
import { CHARTS_DIR, tool } from "../helpers/tools.js";

const CILIUM_OK = { plugin: "cilium", cilium: { exclusive: false, socketLBHostNamespaceOnly: true } };
const REMOTE = { server: "https://192.168.50.10:6443", name: "homelab" };

const render = (components: Record<string, unknown>, cluster: Record<string, unknown> = {}) =>
  renderFile(writePlatform(components, {}, cluster));
const codes = (components: Record<string, unknown>, cluster: Record<string, unknown> = {}) =>
  diagnosticsOf(() => renderPlatform(writePlatform(components, {}, cluster)));

describe("cluster topology: the CNI and istio-cni", () => {
  const istio = { istio: { enabled: true }, "cert-manager": { enabled: true } };
  const cniValues = (cluster: Record<string, unknown>) =>
    render(istio, cluster).read<Record<string, any>>("k8s/helm/values/istio-cni.yaml");

  it("K3s with its flannel: the chart's k3s platform preset (K3s's own CNI directories)", () => {
    const v = cniValues({});
    expect(v.global).toEqual({ platform: "k3s" });
    expect(v.cniConfDir).toBeUndefined();
  });

  it("K3s with Cilium: Cilium's directories, and no k3s preset that would overwrite them", () => {
    const v = cniValues({ cni: CILIUM_OK });
    expect(v.global).toBeUndefined();
    expect(v).toMatchObject({ cniConfDir: "/etc/cni/net.d", cniBinDir: "/opt/cni/bin" });
    // istiod and ztunnel take no preset either: the k3s preset only carries the flannel paths.
    const tree = render(istio, { cni: CILIUM_OK });
    expect(tree.read<Record<string, any>>("k8s/helm/values/ztunnel.yaml").global).toBeUndefined();
  });

  it("another CNI: the directories the platform gives", () => {
    const v = cniValues({
      cni: { plugin: "other", confDir: "/etc/calico/net.d", binDir: "/usr/libexec/cni" },
    });
    expect(v).toMatchObject({ cniConfDir: "/etc/calico/net.d", cniBinDir: "/usr/libexec/cni" });
  });

  it("helm renders istio-cni's DaemonSet onto Cilium's directories (the real chart, 1.30.3)", async () => {
    const session = renderPlatform(writePlatform(istio, {}, { cni: CILIUM_OK }));
    const input = buildCheckInput(session.files, session.apps);
    const charts = await renderCharts(
      input,
      { helm: tool("helm"), chartsDir: CHARTS_DIR, offline: true },
      "1.32",
      undefined,
    );
    const ds = charts.objects.find(
      (o) => o.object.kind === "DaemonSet" && o.object.metadata.name === "istio-cni-node",
    )?.object as TestObject | undefined;
    expect(ds).toBeDefined();
    const hostPaths = Object.fromEntries(
      ((ds?.spec.template.spec.volumes ?? []) as { name: string; hostPath?: { path: string } }[])
        .filter((v) => v.hostPath)
        .map((v) => [v.name, v.hostPath?.path]),
    );
    expect(hostPaths["cni-bin-dir"]).toBe("/opt/cni/bin");
    expect(hostPaths["cni-net-dir"]).toBe("/etc/cni/net.d");
  }, 60_000);

  it("refuses Cilium without the values ambient needs, at the field in platform.yaml", () => {
    expect(codes(istio, { cni: { plugin: "cilium" } })).toEqual([
      ["SW_TOPOLOGY_CILIUM_PREREQUISITES", ["spec", "cluster", "cni", "plugin"]],
    ]);
    expect(
      codes(istio, {
        cni: { plugin: "cilium", cilium: { exclusive: true, socketLBHostNamespaceOnly: false } },
      }),
    ).toEqual([
      ["SW_TOPOLOGY_CILIUM_PREREQUISITES", ["spec", "cluster", "cni", "cilium", "exclusive"]],
      ["SW_TOPOLOGY_CILIUM_PREREQUISITES", ["spec", "cluster", "cni", "cilium", "socketLBHostNamespaceOnly"]],
    ]);
    // Without the mesh nothing is asked of Cilium.
    expect(() => render({}, { cni: { plugin: "cilium" } })).not.toThrow();
  });

  it("refuses 'other' without its directories", () => {
    expect(codes({}, { cni: { plugin: "other" } })).toEqual([
      ["SW_TOPOLOGY_CNI_PATHS", ["spec", "cluster", "cni", "plugin"]],
    ]);
  });
});

describe("cluster topology: Argo CD on another cluster", () => {
  const tree = render({ argocd: { mode: "external" } }, { destination: REMOTE });
  const apps = tree.objects("argocd/applications/");

  it("installs no Argo CD, no Image Updater and no argocd Namespace here", () => {
    const names = apps.map((a) => a.metadata.name);
    expect(names).not.toContain("argocd");
    expect(names).not.toContain("argocd-image-updater");
    expect(tree.files.has("k8s/helm/manifests/namespaces/namespace-argocd.yaml")).toBe(false);
    expect(tree.files.has("k8s/helm/values/argocd.yaml")).toBe(false);
  });

  it("every Application targets this cluster by its registered name; the cluster Secret's targets Argo CD's own", () => {
    for (const a of apps) {
      if (a.metadata.name === CLUSTER_SECRET_APP) {
        expect(a.spec.destination).toEqual({ server: "https://kubernetes.default.svc", namespace: "argocd" });
      } else {
        expect(a.spec.destination.name).toBe("homelab");
        expect(a.spec.destination.server).toBeUndefined();
      }
    }
    // The root app-of-apps and the Applications live with Argo CD, on its cluster.
    expect(tree.read("argocd/root.yaml").spec.destination).toEqual({
      server: "https://kubernetes.default.svc",
      namespace: "argocd",
    });
    const platform = tree.read("argocd/projects/platform.yaml");
    expect(platform.spec.destinations).toContainEqual({ name: "homelab", namespace: "vault" });
    expect(platform.spec.destinations).toContainEqual({
      server: "https://kubernetes.default.svc",
      namespace: "argocd",
    });
  });

  it("registers this cluster through ESO: a cluster Secret template, the credential only in Vault", () => {
    const [es] = tree.objects(`k8s/helm/manifests/${CLUSTER_SECRET_APP}/`);
    expect(es?.kind).toBe("ExternalSecret");
    expect(es?.metadata).toMatchObject({ name: "cluster-homelab", namespace: "argocd" });
    const target = es?.spec.target;
    expect(target.template.metadata.labels).toEqual({ "argocd.argoproj.io/secret-type": "cluster" });
    expect(target.template.data).toMatchObject({ name: "homelab", server: "https://192.168.50.10:6443" });
    expect(JSON.parse(target.template.data.config)).toEqual({
      bearerToken: "{{ .bearerToken }}",
      tlsClientConfig: { insecure: false, caData: "{{ .caData }}" },
    });
    expect(es?.spec.data.map((d: { remoteRef: { key: string } }) => d.remoteRef.key)).toEqual([
      "argocd/clusters/test",
      "argocd/clusters/test",
    ]);
    expect(
      validationErrors(crdValidator(CRD_FILE.ExternalSecret, "external-secrets.io/v1", "ExternalSecret"), es),
    ).toEqual([]);
  });

  it("refuses installing Argo CD here while it is said to run elsewhere", () => {
    expect(codes({}, { destination: REMOTE })).toEqual([
      ["SW_TOPOLOGY_ARGOCD_REMOTE", ["spec", "components", "argocd", "mode"]],
    ]);
  });

  it("in-cluster and deployed by default: nothing changes (the server, no cluster Secret)", () => {
    const here = render({});
    for (const a of here.objects("argocd/applications/")) {
      expect(a.spec.destination.server).toBe("https://kubernetes.default.svc");
    }
    expect(here.files.has(`argocd/applications/${CLUSTER_SECRET_APP}.yaml`)).toBe(false);
    expect(here.files.has("argocd/existing.yaml")).toBe(false);
  });
});

describe("cluster topology: existing components", () => {
  it("an existing collector: no OpenTelemetryCollector nor its RBAC, and it is declared existing", () => {
    const tree = render({ otel: { enabled: true, collector: "existing" } });
    const kinds = tree.objects("k8s/helm/manifests/otel/").map((o) => o.kind);
    expect(kinds).toEqual(["Instrumentation"]);
    expect(tree.read("argocd/existing.yaml")).toMatchObject({
      objects: [
        { kind: "Deployment", namespace: "monitoring", name: "otel-collector", declaredBy: "otel" },
        { kind: "Service", namespace: "monitoring", name: "otel-collector", declaredBy: "otel" },
      ],
    });
  });

  it("an existing namespace is a destination but never a Namespace object", () => {
    const tree = render({ otel: { enabled: true } }, { existing: { namespaces: ["monitoring"] } });
    expect(tree.files.has("k8s/helm/manifests/namespaces/namespace-monitoring.yaml")).toBe(false);
    const platform = tree.read("argocd/projects/platform.yaml");
    expect(platform.spec.destinations).toContainEqual({
      server: "https://kubernetes.default.svc",
      namespace: "monitoring",
    });
  });
});
