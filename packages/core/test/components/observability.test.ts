import { describe, expect, it } from "vitest";
import { observabilityEndpoints } from "../../src/components/observability/index.js";
import { InputError } from "../../src/diagnostics.js";
import { renderComponents } from "../helpers/component-fixture.js";
import { chartValidator, crdValidator, helmMerge, validationErrors } from "../helpers/strict-schema.js";

describe("observability component", () => {
  it("references existing backends in monitoring by default and deploys nothing", () => {
    const tree = renderComponents({});
    expect(tree.session.apps.filter((a) => a.owner === "observability")).toEqual([]);
    expect(observabilityEndpoints(tree.session.spec.platform)).toEqual({
      loki: {
        url: "http://loki.monitoring.svc.cluster.local:3100",
        otlpHttp: "http://loki.monitoring.svc.cluster.local:3100/otlp",
        push: "http://loki.monitoring.svc.cluster.local:3100/loki/api/v1/push",
      },
      tempo: {
        url: "http://tempo.monitoring.svc.cluster.local:3200",
        otlpGrpc: "http://tempo.monitoring.svc.cluster.local:4317",
        otlpHttp: "http://tempo.monitoring.svc.cluster.local:4318",
      },
      prometheus: {
        url: "http://prometheus.monitoring.svc.cluster.local:9090",
        remoteWrite: "http://prometheus.monitoring.svc.cluster.local:9090/api/v1/write",
        otlpHttp: "http://prometheus.monitoring.svc.cluster.local:9090/api/v1/otlp",
      },
      grafana: { url: "http://grafana.monitoring.svc.cluster.local" },
    });
  });

  it("uses configured URLs of existing backends", () => {
    const tree = renderComponents({
      observability: {
        loki: { mode: "existing", url: "http://logs.lan:3100/" },
        tempo: { mode: "existing", url: "http://traces.lan:3200", otlpGrpc: "http://collector.lan:14317" },
      },
    });
    const e = observabilityEndpoints(tree.session.spec.platform);
    expect(e.loki.otlpHttp).toBe("http://logs.lan:3100/otlp");
    expect(e.tempo.otlpGrpc).toBe("http://collector.lan:14317");
    expect(e.tempo.otlpHttp).toBe("http://traces.lan:4318");
  });

  describe("deploy mode", () => {
    const tree = renderComponents({
      observability: {
        loki: { mode: "deploy", storageSize: "20Gi" },
        tempo: { mode: "deploy" },
        prometheus: { mode: "deploy" },
        grafana: { mode: "deploy" },
      },
    });
    const apps = tree.session.apps.filter((a) => a.owner === "observability");

    it("renders one Application per backend in monitoring, each with a budget", () => {
      expect(apps.map((a) => a.spec.name).sort()).toEqual(["grafana", "loki", "prometheus", "tempo"]);
      for (const a of apps) {
        expect(a.spec.namespace).toBe("monitoring");
        expect(a.spec.budget?.length).toBeGreaterThan(0);
        expect(tree.session.plan.sourceRepos.has(a.spec.helm?.repoURL ?? "")).toBe(true);
      }
      expect(tree.session.plan.namespaces.has("monitoring")).toBe(true);
    });

    it("points endpoints at the deployed services", () => {
      const e = observabilityEndpoints(tree.session.spec.platform);
      expect(e.loki.otlpHttp).toBe("http://loki.monitoring.svc.cluster.local:3100/otlp");
      expect(e.tempo.otlpGrpc).toBe("http://tempo.monitoring.svc.cluster.local:4317");
      expect(e.prometheus.remoteWrite).toBe(
        "http://prometheus-server.monitoring.svc.cluster.local/api/v1/write",
      );
    });

    it("Loki values validate against the chart's schema and defaults", () => {
      const loki = apps.find((a) => a.spec.name === "loki");
      expect(loki?.spec.helm?.values).toMatchObject({
        deploymentMode: "SingleBinary",
        singleBinary: { persistence: { size: "20Gi", storageClass: "local-path" } },
      });
      const { validate, defaults } = chartValidator("helm-loki/7.3.0");
      expect(validationErrors(validate, helmMerge(defaults, loki?.spec.helm?.values))).toEqual([]);
    });

    it("Tempo values only set keys the chart's defaults have", () => {
      const tempo = apps.find((a) => a.spec.name === "tempo")?.spec.helm?.values as Record<string, any>;
      expect(tempo.tempo.receivers.otlp.protocols).toEqual({
        grpc: { endpoint: "0.0.0.0:4317" },
        http: { endpoint: "0.0.0.0:4318" },
      });
    });

    it("Grafana's admin login comes from Vault through an ExternalSecret, never a Secret", () => {
      const objs = tree.objects("k8s/helm/manifests/grafana/");
      expect(objs.map((o) => o.kind)).toEqual(["ExternalSecret"]);
      const [es] = objs;
      expect(
        validationErrors(
          crdValidator(
            "external-secrets/v2.9.0/external-secrets.io_externalsecrets.yaml",
            es?.apiVersion ?? "",
            "ExternalSecret",
          ),
          es,
        ),
      ).toEqual([]);
      expect(tree.objects("k8s/").filter((o) => o.kind === "Secret")).toEqual([]);
    });
  });

  it("refuses deployed Grafana without external-secrets", () => {
    try {
      renderComponents({
        "external-secrets": { enabled: false },
        postgres: { enabled: false },
        cloudflare: { enabled: false },
        observability: { grafana: { mode: "deploy" } },
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).diagnostics.map((d) => d.code)).toContain(
        "SW_OBSERVABILITY_NEEDS_EXTERNAL_SECRETS",
      );
    }
  });
});
