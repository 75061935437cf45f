import type { PlatformSpec } from "../../config/schema.js";
import { resourcesValue } from "../../render/resources.js";
import { ISTIO_CA_VALUES, ISTIO_CSR } from "../cert-manager/contract.js";
import { OTEL_COLLECTOR } from "../otel/contract.js";
import { ISTIO_RESOURCES } from "./contract.js";

/**
 * Istio 1.30.3 charts. One version for all four: the charts are released together and istiod,
 * istio-cni and ztunnel must not drift apart. A constant, not config: upgrading is a code change
 * with reviewed values. `schemaRef` names the values.yaml under ../shared/upstream (the charts
 * ship no values.schema.json, so tests check every key against values.yaml instead).
 */
export const ISTIO_VERSION = "1.30.3";
export const ISTIO_REPO = "https://istio-release.storage.googleapis.com/charts";

export const ISTIO_CHARTS = {
  base: { app: "istio-base", chart: "base", schemaRef: `helm-istio-base/${ISTIO_VERSION}` },
  istiod: { app: "istiod", chart: "istiod", schemaRef: `helm-istiod/${ISTIO_VERSION}` },
  cni: { app: "istio-cni", chart: "cni", schemaRef: `helm-istio-cni/${ISTIO_VERSION}` },
  ztunnel: { app: "ztunnel", chart: "ztunnel", schemaRef: `helm-ztunnel/${ISTIO_VERSION}` },
} as const;

/** API groups of the CRDs the base chart installs (`base.enableCRDTemplates`, on by default). */
export const ISTIO_CRD_GROUPS = [
  "networking.istio.io",
  "security.istio.io",
  "telemetry.istio.io",
  "extensions.istio.io",
] as const;

/**
 * The SPIFFE trust domain of mesh identities (`spiffe://<td>/ns/<ns>/sa/<sa>`; policies write it
 * without the scheme). istio-csr signs for it and istiod is told the same (`meshConfig.trustDomain`
 * in {@link caValues}): both sides must agree or every policy denies.
 */
export const TRUST_DOMAIN: string = ISTIO_CSR.trustDomain;

/**
 * The `platform` preset (templates/zzz_profile.yaml reads `global.platform`, as istio.io's
 * platform prerequisites instruct: `--set global.platform=k3s`). K3s's bundled flannel keeps its
 * CNI config and binaries outside /etc/cni/net.d and /opt/cni/bin (profile-platform-k3s.yaml:
 * `/var/lib/rancher/k3s/agent/etc/cni/net.d`, `/var/lib/rancher/k3s/data/cni`); without it
 * istio-cni writes where flannel never looks and no pod is ever captured. Only with flannel: a
 * CNI installed by the user (Cilium with `flannel-backend: none`) uses its own paths, and the
 * preset's `cni.*` would overwrite them (templates/zzy_descope_legacy.yaml copies `.cni` over the
 * chart's top-level values last). kubeadm and EKS use the standard paths: no preset.
 */
function istioPlatform(cluster: PlatformSpec["cluster"]): string | undefined {
  const c = cluster.cni;
  const ownPaths = c.confDir !== undefined || c.binDir !== undefined;
  return cluster.distribution === "k3s" && c.plugin === "flannel" && !ownPaths ? "k3s" : undefined;
}

/**
 * Cilium's own defaults for where it installs its CNI config and plugins (its chart's
 * `cni.confPath` and `cni.binPath`), which istio-cni must chain into.
 */
export const CILIUM_CNI_PATHS = { confDir: "/etc/cni/net.d", binDir: "/opt/cni/bin" } as const;

/**
 * istio-cni's `cniConfDir`/`cniBinDir` for a CNI that is not K3s's flannel: what the platform
 * says, else Cilium's defaults; `other` has both (a cross-field rule requires them). Flannel
 * takes the platform preset's (or the chart's standard) paths.
 */
export function cniPaths(
  cluster: PlatformSpec["cluster"],
): { cniConfDir: string; cniBinDir: string } | undefined {
  const c = cluster.cni;
  if (c.plugin === "flannel" && c.confDir === undefined && c.binDir === undefined) return undefined;
  const base =
    c.plugin === "cilium" ? CILIUM_CNI_PATHS : { confDir: "/etc/cni/net.d", binDir: "/opt/cni/bin" };
  return { cniConfDir: c.confDir ?? base.confDir, cniBinDir: c.binDir ?? base.binDir };
}

/**
 * Keys every chart reads that are not in its values.yaml: the profile mechanism
 * (templates/zzz_profile.yaml merges files/profile-<profile>.yaml and
 * files/profile-platform-<platform>.yaml under the user's values).
 */
export const PROFILE_KEYS: readonly string[] = ["profile", "global.platform"];

/** `profile: ambient` plus the platform preset, common to every chart. */
function common(platform: PlatformSpec): Record<string, unknown> {
  const p = istioPlatform(platform.cluster);
  return { profile: "ambient", ...(p ? { global: { platform: p } } : {}) };
}

/** Deep merge of plain objects (the second wins); for composing values from parts. */
function mergeValues(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      isMap(prev) && isMap(v)
        ? mergeValues(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

const isMap = (v: unknown): boolean => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Where istiod and ztunnel get workload certificates. The trust anchor is cert-manager's
 * (issue 3 P2, cert-manager/istio.ts): istio-csr signs mesh certificates through the cert-manager
 * Issuer `istio-system/vault-mesh` chained to Vault PKI (ADR 0008), so istiod's own CA is off (`env.ENABLE_CA_SERVER`, the
 * chart's `env` into which profiles flatten `pilot.env`) and both istiod (`global.caAddress`, for
 * waypoints) and ztunnel (`caAddress`, for the pods on its node) send CSRs to istio-csr. istiod
 * finds its serving certificate and the root without further values: its chart always mounts the
 * `istiod-tls` Secret and `istio-ca-root-cert` ConfigMap istio-csr writes (optional volumes).
 * istio-csr trusts ztunnel's ServiceAccount to ask on behalf of other pods
 * (`app.server.caTrustedNodeAccounts`, set by the cert-manager component).
 */
function caValues(chart: "istiod" | "ztunnel"): Record<string, unknown> {
  // A mutable copy: the contract is a frozen literal, values are merged and serialized.
  return structuredClone(ISTIO_CA_VALUES[chart]) as Record<string, unknown>;
}

/** The OTLP/gRPC endpoint of the platform's collector, as Istio's extension provider names it. */
export interface CollectorEndpoint {
  /** Fully qualified Service host. */
  readonly service: string;
  readonly port: number;
}

/** The OTel collector (P3) on OTLP/gRPC, by the fully qualified name Istio's providers need. */
export const OTEL_COLLECTOR_GRPC: CollectorEndpoint = {
  service: OTEL_COLLECTOR.fqdn,
  port: OTEL_COLLECTOR.grpcPort,
};

/** Name of the mesh's tracing provider (meshConfig.extensionProviders) that Telemetry selects. */
export const TRACING_PROVIDER = "otel-tracing";

export function baseValues(platform: PlatformSpec): Record<string, unknown> {
  // base renders the CRDs and cluster roles; the profile changes nothing in it, but every chart
  // gets the same profile so `helm get values` reads the same everywhere.
  return common(platform);
}

export function istiodValues(
  platform: PlatformSpec,
  opts: { collector?: CollectorEndpoint },
): Record<string, unknown> {
  let v = mergeValues(common(platform), {
    // One node, one replica: no HPA scaling it out, and no PDB (minAvailable 1 with one replica
    // blocks every node drain).
    autoscaleEnabled: false,
    replicaCount: 1,
    resources: resourcesValue(ISTIO_RESOURCES.istiod),
    global: {
      defaultPodDisruptionBudget: { enabled: false },
      // Waypoints are Deployments istiod creates from the Gateway; they take these resources.
      waypoint: { resources: resourcesValue(ISTIO_RESOURCES.waypoint) },
    },
  });
  v = mergeValues(v, caValues("istiod"));
  if (opts.collector) {
    v = mergeValues(v, {
      meshConfig: {
        // Waypoints (the mesh's Envoys) send spans over OTLP/gRPC; the Telemetry resource in
        // istio-system turns the provider on mesh-wide. ztunnel emits no spans (L4 only).
        extensionProviders: [
          {
            name: TRACING_PROVIDER,
            opentelemetry: { service: opts.collector.service, port: opts.collector.port },
          },
        ],
      },
    });
  }
  return v;
}

export function cniValues(platform: PlatformSpec): Record<string, unknown> {
  return mergeValues(common(platform), {
    resources: resourcesValue(ISTIO_RESOURCES.cni),
    ...cniPaths(platform.cluster),
  });
}

export function ztunnelValues(platform: PlatformSpec): Record<string, unknown> {
  return mergeValues(
    mergeValues(common(platform), { resources: resourcesValue(ISTIO_RESOURCES.ztunnel) }),
    caValues("ztunnel"),
  );
}
