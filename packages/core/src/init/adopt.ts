import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { buildCheckInput, isRecord } from "../check/input.js";
import { noExistingCollision } from "../check/policies/no-existing-collision.js";
import { API_VERSION, IN_CLUSTER_SERVER } from "../config/schema.js";
import { type Diagnostic, diag, InputError, SlipwayError } from "../diagnostics.js";
import { toYaml } from "../render/yaml.js";
import { renderPlatform } from "../synth.js";

/** What `slipway adopt --from-manifests` was told beside the directory. */
export interface AdoptOptions {
  /** The cluster being adopted, as the repository's Applications name it (`destination.name`). @default the remote destination most Applications target */
  readonly cluster?: string;
  /** @default the domain of the cloudflared wildcard rule, else example.com */
  readonly domain?: string;
}

/** Why the proposal says what it says: a decision and the file that shows it. */
export interface AdoptNote {
  readonly decision: string;
  readonly evidence: string;
}

export interface AdoptResult {
  /** The proposed platform.yaml (user-owned text: header comments, then the document). */
  readonly platformYaml: string;
  readonly notes: readonly AdoptNote[];
  /**
   * What stands in the way before anything is applied: components the repository already
   * installs on the cluster, and whatever the proposal would still render over what exists
   * (policy `no-existing-collision` on the proposal rendered in memory).
   */
  readonly conflicts: readonly Diagnostic[];
}

interface Doc {
  readonly file: string;
  readonly value: Record<string, unknown>;
}

interface App {
  readonly file: string;
  readonly name: string;
  readonly destination: { readonly server?: string; readonly name?: string; readonly namespace?: string };
  readonly chart?: string;
  readonly releaseName?: string;
  readonly repoURL?: string;
  readonly values: Record<string, unknown>;
}

/** Upstream charts and the Slipway component that would install the same thing. */
const CHART_COMPONENT: Readonly<Record<string, string>> = {
  "argo-cd": "argocd",
  traefik: "gateway",
  vault: "vault",
  "external-secrets": "external-secrets",
  "cert-manager": "cert-manager",
  "cert-manager-istio-csr": "cert-manager",
  "opentelemetry-operator": "otel",
  zitadel: "identity",
  keycloakx: "identity",
  base: "istio",
  istiod: "istio",
  cni: "istio",
  ztunnel: "istio",
  reloader: "reloader",
  postgresql: "postgres",
};
const OBSERVABILITY_CHARTS = ["loki", "tempo", "prometheus", "grafana"] as const;
const MAX_FILE_BYTES = 1024 * 1024;

/**
 * Reads an existing GitOps repository (a directory of YAML: Argo CD Applications, Helm values,
 * plain manifests, a cloudflared config, K3s's config) and proposes a platform.yaml that renders
 * around what it finds (ADR 0013): Argo CD external with the adopted cluster's destination, the
 * CNI, the existing collector and namespaces, Loki/Tempo where they run, the existing tunnel's
 * rules kept, DNS left to external-dns. Nothing is written or applied; the conflicts say what
 * would still collide. Throws InputError when `dir` holds no YAML at all.
 */
export function adoptFromManifests(dir: string, opts: AdoptOptions = {}): AdoptResult {
  const docs = readDocs(dir);
  if (docs.length === 0) {
    throw new InputError([
      diag("SW_ADOPT_EMPTY", `${dir} holds no YAML documents`, {
        path: ["--from-manifests"],
        hint: "Point --from-manifests at the root of the GitOps repository (Argo CD Applications, Helm values, manifests).",
      }),
    ]);
  }
  const notes: AdoptNote[] = [];
  const conflicts: Diagnostic[] = [];
  const note = (decision: string, evidence: string) => notes.push({ decision, evidence });
  const apps = docs.flatMap((d) => applicationOf(d, dir));

  // The adopted cluster: named by the option, else the remote destination most Applications use.
  const remote = apps.filter((a) => !isInCluster(a.destination));
  const clusterName =
    opts.cluster ?? mostCommon(remote.map((a) => a.destination.name ?? a.destination.server ?? ""));
  const here = (a: App) =>
    clusterName !== undefined && clusterName !== ""
      ? a.destination.name === clusterName || a.destination.server === clusterName
      : isInCluster(a.destination);
  const onCluster = apps.filter(here);

  const cluster: Record<string, unknown> = {
    distribution: "k3s",
    kubernetesVersion: "1.32",
    nodes: [{ name: "node-1", cpu: 4, memory: "16Gi" }],
  };
  note("nodes: one 4 CPU / 16Gi node, a placeholder: state the real nodes before `slipway budget`", "-");
  const components: Record<string, Record<string, unknown>> = {};
  const on = (id: string, extra: Record<string, unknown> = {}) => {
    components[id] = { ...(components[id] ?? {}), enabled: true, ...extra };
  };

  // Argo CD: the repository's Applications are synced by an Argo CD that is not Slipway's.
  if (apps.length > 0) {
    components.argocd = { mode: "external" };
    const sample = onCluster[0] ?? apps[0];
    note(
      "argocd.mode: external (an Argo CD that is not Slipway's syncs this repository)",
      sample?.file ?? "-",
    );
    const target = onCluster.find((a) => !isInCluster(a.destination))?.destination;
    if (target) {
      const server = target.server ?? clusterSecretServer(docs, target.name);
      cluster.destination = {
        server: server ?? "https://CLUSTER-API-ADDRESS:6443",
        ...(target.name ? { name: target.name } : {}),
      };
      note(
        `cluster.destination: ${target.name ?? target.server}${server ? "" : " (its API address was not found: set destination.server)"}`,
        onCluster[0]?.file ?? "-",
      );
      components.argocd.clusterSecret = { key: `argocd/clusters/${target.name ?? "homelab"}` };
    }
  }

  // K3s's own config: the bundled CNI and Traefik.
  const k3s = docs.find(
    (d) => "flannel-backend" in d.value || "disable" in d.value || "disable-kube-proxy" in d.value,
  );
  const cilium = onCluster.find((a) => a.chart === "cilium");
  if (cilium) {
    const v = cilium.values;
    const cni = isRecord(v.cni) ? v.cni : {};
    const socketLB = isRecord(v.socketLB) ? v.socketLB : {};
    cluster.cni = {
      plugin: "cilium",
      cilium: {
        exclusive: cni.exclusive !== false,
        socketLBHostNamespaceOnly: socketLB.hostNamespaceOnly === true,
      },
    };
    note("cluster.cni: cilium, with the exclusive/socketLB values its Application sets", cilium.file);
  } else if (k3s && k3s.value["flannel-backend"] === "none") {
    cluster.cni = { plugin: "other", confDir: "/etc/cni/net.d", binDir: "/opt/cni/bin" };
    note(
      "cluster.cni: other (flannel-backend: none, no Cilium Application found): check the directories",
      k3s.file,
    );
  }
  if (k3s) note("distribution: k3s", k3s.file);

  // Components the repository installs already: proposed off, listed as conflicts.
  const installed = new Map<string, App>();
  for (const a of onCluster) {
    const id = a.chart ? CHART_COMPONENT[a.chart] : undefined;
    if (id && !installed.has(id)) installed.set(id, a);
  }
  for (const [id, a] of installed) {
    if (id === "argocd") continue;
    components[id] = { enabled: false };
    conflicts.push(
      diag(
        "SW_ADOPT_INSTALLED",
        `${id}: the repository installs it already (Application ${a.name}, chart ${a.chart})`,
        {
          path: ["spec", "components", id],
          location: { file: a.file, line: 1, col: 1 },
          hint: `Proposed disabled. To let Slipway own it, remove Application ${a.name} without cascade (the resources stay), then enable ${id}.`,
          severity: "warning",
        },
      ),
    );
  }

  // Namespaces the repository deploys into on this cluster exist there already.
  const namespaces = new Set<string>();
  const objects: Record<string, string>[] = [];
  for (const a of onCluster) if (a.destination.namespace) namespaces.add(a.destination.namespace);

  // The collector: an opentelemetry-collector release on this cluster.
  const collector = onCluster.find((a) => a.chart === "opentelemetry-collector");
  if (collector) {
    const name = chartFullname(collector);
    const ns = collector.destination.namespace ?? "default";
    objects.push({ kind: "Deployment", namespace: ns, name }, { kind: "Service", namespace: ns, name });
    if (name === "otel-collector" && ns === "monitoring") {
      on("otel", { collector: "existing" });
      note("otel.collector: existing (Deployment and Service monitoring/otel-collector)", collector.file);
    } else {
      conflicts.push(
        diag(
          "SW_ADOPT_COLLECTOR_ADDRESS",
          `the existing collector answers at ${name}.${ns}.svc, not at the platform's otel-collector.monitoring.svc`,
          {
            path: ["spec", "components", "otel", "collector"],
            location: { file: collector.file, line: 1, col: 1 },
            hint: "Slipway's services send OTLP to otel-collector.monitoring.svc: name the release otel-collector in monitoring (fullnameOverride), or keep otel off.",
          },
        ),
      );
    }
  }

  // Observability backends: where their Applications run.
  const observability: Record<string, unknown> = {};
  for (const b of OBSERVABILITY_CHARTS) {
    const a = apps.find((x) => x.chart === b);
    if (!a) continue;
    const ns = a.destination.namespace ?? "monitoring";
    const port = { loki: 3100, tempo: 3200, prometheus: 9090, grafana: 80 }[b];
    observability[b] = here(a)
      ? { mode: "existing", url: `http://${a.releaseName ?? b}.${ns}.svc.cluster.local:${port}` }
      : { mode: "existing", url: `https://${b}.OTHER-CLUSTER.example` };
    note(
      here(a)
        ? `observability.${b}: existing in this cluster`
        : `observability.${b}: existing on ${isInCluster(a.destination) ? "Argo CD's own cluster" : (a.destination.name ?? a.destination.server)}: set the URL this cluster reaches it at`,
      a.file,
    );
  }
  if (Object.keys(observability).length > 0) on("observability", observability);

  // Cloudflare: a cloudflared config with ingress rules is an existing tunnel; external-dns owns DNS.
  const tunnel = docs.flatMap(cloudflaredConfigs).at(0);
  let domain = opts.domain;
  if (tunnel) {
    const keep = tunnel.ingress.map((r) => ({
      ...(typeof r.hostname === "string" ? { hostname: r.hostname } : {}),
      ...(typeof r.path === "string" ? { path: r.path } : {}),
      service: String(r.service),
    }));
    const cf: Record<string, unknown> = { tunnel: { mode: "existing", keep } };
    if (typeof tunnel.tunnel === "string" && /^[0-9a-f-]{36}$/.test(tunnel.tunnel))
      cf.tunnelId = tunnel.tunnel;
    on("cloudflare", cf);
    note(`cloudflare.tunnel: existing, its ${keep.length} rules kept after Slipway's`, tunnel.file);
    const wildcard = keep.find((r) => r.hostname?.startsWith("*."));
    domain ??= wildcard?.hostname?.slice(2);
  }
  const externalDns = onCluster.find((a) => a.chart === "external-dns");
  if (externalDns) {
    on("cloudflare", { dns: { owner: "external-dns" } });
    note("cloudflare.dns.owner: external-dns", externalDns.file);
  }
  for (const d of docs) {
    if (
      d.value.kind === "Namespace" &&
      isRecord(d.value.metadata) &&
      typeof d.value.metadata.name === "string"
    ) {
      namespaces.add(d.value.metadata.name);
    }
  }
  // Existing Applications keep their names on Argo CD: a Slipway one of the same name replaces it.
  for (const a of apps) objects.push({ kind: "Application", namespace: "argocd", name: a.name });
  cluster.existing = { namespaces: [...namespaces].sort(), objects: dedupe(objects) };
  if (namespaces.size > 0)
    note(
      `cluster.existing.namespaces: ${[...namespaces].sort().join(", ")}`,
      "the Applications' destinations",
    );

  const repo = mostCommon(
    apps.map((a) => a.repoURL ?? "").filter((u) => /^https:\/\/github\.com\/[^/]+\/[^/]+/.test(u)),
  );
  const owner = repo ? /^https:\/\/github\.com\/([^/]+)\//.exec(repo)?.[1] : undefined;
  const doc = {
    apiVersion: API_VERSION,
    kind: "Platform",
    metadata: { name: clusterName && /^[a-z][-a-z0-9]*$/.test(clusterName) ? clusterName : "homelab" },
    spec: {
      domain: domain ?? "example.com",
      git: { repoURL: repo ?? "https://github.com/example/platform.git", revision: "main" },
      github: { owner: owner ?? "example" },
      cluster,
      components,
    },
  };
  const header = [
    "# Proposed by `slipway adopt --from-manifests`: review every line before the first synth.",
    "# What already runs is marked external or existing, so Slipway renders around it:",
    ...notes.map((n) => `#   - ${n.decision}${n.evidence === "-" ? "" : ` (${n.evidence})`}`),
  ];
  const platformYaml = `${header.join("\n")}\n${toYaml(doc)}`;
  conflicts.push(...renderConflicts(platformYaml));
  return { platformYaml, notes, conflicts };
}

/** The proposal rendered in memory: spec errors, and anything it would still render over what exists. */
function renderConflicts(platformYaml: string): Diagnostic[] {
  const tmp = mkdtempSync(join(tmpdir(), "slipway-adopt-"));
  try {
    const file = join(tmp, "platform.yaml");
    writeFileSync(file, platformYaml);
    const s = renderPlatform(file);
    const input = buildCheckInput([...s.files], s.apps);
    return [...noExistingCollision.check(input)].map((f) => ({
      ...f.diagnostic,
      location: { file: f.file, line: 1, col: 1 },
    }));
  } catch (e) {
    if (e instanceof SlipwayError) return [...e.diagnostics];
    throw e;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function readDocs(dir: string): Doc[] {
  const out: Doc[] = [];
  for (const rel of (readdirSync(dir, { recursive: true }) as string[]).sort()) {
    if (!/\.ya?ml$/.test(rel) || rel.split(/[\\/]/).some((s) => s.startsWith(".") && s.length > 1)) continue;
    const abs = join(dir, rel);
    const st = lstatSync(abs, { throwIfNoEntry: false });
    // Regular files only (never through a link), and not huge ones.
    if (!st?.isFile() || st.size > MAX_FILE_BYTES) continue;
    const file = relative(dir, abs).split("\\").join("/");
    for (const d of parseAllDocuments(readFileSync(abs, "utf8"))) {
      if (d.errors.length > 0) continue;
      const value = d.toJS() as unknown;
      if (isRecord(value)) out.push({ file, value });
    }
  }
  return out;
}

function applicationOf(d: Doc, dir: string): App[] {
  const v = d.value;
  if (
    v.kind !== "Application" ||
    typeof v.apiVersion !== "string" ||
    !v.apiVersion.startsWith("argoproj.io/")
  ) {
    return [];
  }
  const meta = isRecord(v.metadata) ? v.metadata : {};
  const spec = isRecord(v.spec) ? v.spec : {};
  const sources = [
    ...(isRecord(spec.source) ? [spec.source] : []),
    ...(Array.isArray(spec.sources) ? spec.sources.filter(isRecord) : []),
  ];
  const chartSource = sources.find((s) => typeof s.chart === "string");
  const helm = chartSource && isRecord(chartSource.helm) ? chartSource.helm : {};
  let values: Record<string, unknown> = {};
  // Values: the files it names that are in this repository ($values/<path>), then inline ones.
  for (const f of Array.isArray(helm.valueFiles) ? helm.valueFiles : []) {
    if (typeof f !== "string") continue;
    const path = join(dir, f.replace(/^\$[a-z]+\//, ""));
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (!st?.isFile() || st.size > MAX_FILE_BYTES) continue;
    const parsed = parseYaml(readFileSync(path, "utf8")) as unknown;
    if (isRecord(parsed)) values = { ...values, ...parsed };
  }
  if (isRecord(helm.valuesObject)) values = { ...values, ...helm.valuesObject };
  if (typeof helm.values === "string") {
    const parsed = parseYaml(helm.values) as unknown;
    if (isRecord(parsed)) values = { ...values, ...parsed };
  }
  const dest = isRecord(spec.destination) ? spec.destination : {};
  const str = (x: unknown) => (typeof x === "string" ? x : undefined);
  const repoURL = sources
    .map((s) => str(s.repoURL))
    .find((u) => u !== undefined && !u.includes("charts") && !u.includes("helm"));
  return [
    {
      file: d.file,
      name: str(meta.name) ?? "?",
      destination: {
        ...(str(dest.server) ? { server: str(dest.server) as string } : {}),
        ...(str(dest.name) ? { name: str(dest.name) as string } : {}),
        ...(str(dest.namespace) ? { namespace: str(dest.namespace) as string } : {}),
      },
      ...(chartSource ? { chart: String(chartSource.chart) } : {}),
      ...(str(helm.releaseName) ? { releaseName: str(helm.releaseName) as string } : {}),
      ...(repoURL ? { repoURL } : {}),
      values,
    },
  ];
}

/** A cloudflared config (`tunnel:` and `ingress:`), alone or in a ConfigMap's data. */
function cloudflaredConfigs(
  d: Doc,
): { file: string; tunnel?: unknown; ingress: Record<string, unknown>[] }[] {
  const from = (v: unknown) =>
    isRecord(v) && Array.isArray(v.ingress)
      ? [{ file: d.file, tunnel: v.tunnel, ingress: v.ingress.filter(isRecord) }]
      : [];
  if (d.value.kind === "ConfigMap" && isRecord(d.value.data)) {
    return Object.values(d.value.data).flatMap((text) =>
      typeof text === "string" ? from(parseYaml(text)) : [],
    );
  }
  return from(d.value);
}

/** The API address of a cluster Secret (`argocd.argoproj.io/secret-type: cluster`) of that name. */
function clusterSecretServer(docs: readonly Doc[], name: string | undefined): string | undefined {
  for (const d of docs) {
    const meta = isRecord(d.value.metadata) ? d.value.metadata : {};
    const labels = isRecord(meta.labels) ? meta.labels : {};
    if (labels["argocd.argoproj.io/secret-type"] !== "cluster") continue;
    const data = isRecord(d.value.stringData) ? d.value.stringData : {};
    if (data.name === name && typeof data.server === "string") return data.server;
  }
  return undefined;
}

/** A chart's `fullname` as the common helper makes it: the override, else release (+ chart unless it holds it). */
function chartFullname(a: App): string {
  if (typeof a.values.fullnameOverride === "string") return a.values.fullnameOverride;
  const release = a.releaseName ?? a.name;
  const chart = a.chart ?? "";
  return (release.includes(chart) ? release : `${release}-${chart}`).slice(0, 63).replace(/-+$/, "");
}

const isInCluster = (d: App["destination"]) =>
  d.name === "in-cluster" ||
  d.server === IN_CLUSTER_SERVER ||
  (d.name === undefined && d.server === undefined);

function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== "") counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
}

function dedupe(list: readonly Record<string, string>[]): Record<string, string>[] {
  const seen = new Map(list.map((o) => [`${o.kind}/${o.namespace}/${o.name}`, o]));
  return [...seen.values()].sort((a, b) =>
    `${a.kind}/${a.namespace}/${a.name}` < `${b.kind}/${b.namespace}/${b.name}` ? -1 : 1,
  );
}
