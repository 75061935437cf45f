import { apiGroup, CLUSTER_SCOPED_KINDS } from "../../render/k8s.js";
import { type CheckInput, isRecord, type RenderedObject } from "../input.js";
import type { Finding } from "../locate.js";
import { definePolicy, describe, objectFinding } from "../policy.js";

/**
 * Every Application names an AppProject that is rendered (and so managed by Argo CD itself), and
 * its destination and source repositories are ones that project allows, as are the kinds of the
 * objects it deploys from this repository (cluster and namespace resource white- and blacklists):
 * otherwise Argo CD refuses the sync. `default` is accepted only
 * for the root app-of-apps (the Application that deploys `argocd/`), which must exist before any
 * project does.
 */
export const appProject = definePolicy({
  id: "app-project",
  description: "Applications name a rendered AppProject that allows their destination and sources",
  // What a chart renders is deployed by its Application like any manifest: the project must allow it.
  chartOutput: true,
  *check(input) {
    const projects = new Map<string, RenderedObject>();
    for (const o of input.objects) {
      if (o.object.kind === "AppProject" && o.object.apiVersion.startsWith("argoproj.io/")) {
        projects.set(o.object.metadata.name, o);
      }
    }
    for (const o of input.objects) {
      if (o.object.kind !== "Application" || !o.object.apiVersion.startsWith("argoproj.io/")) continue;
      const spec = isRecord(o.object.spec) ? o.object.spec : {};
      const project = spec.project;
      const who = describe(o);
      const sources = [
        ...(isRecord(spec.source) ? [spec.source] : []),
        ...(Array.isArray(spec.sources) ? spec.sources.filter(isRecord) : []),
      ];
      if (typeof project !== "string" || project === "") {
        yield objectFinding(
          this.id,
          o,
          ["spec", "project"],
          `${who} names no project`,
          "Set spec.project to a rendered AppProject.",
        );
        continue;
      }
      if (project === "default") {
        const isRoot = sources.some((s) => typeof s.path === "string" && /^argocd(\/|$)/.test(s.path));
        if (!isRoot) {
          yield objectFinding(
            this.id,
            o,
            ["spec", "project"],
            `${who} uses the default project`,
            "Only the root app-of-apps may use `default`; put this Application in platform or workloads.",
          );
          continue;
        }
      }
      const p = projects.get(project);
      if (!p) {
        // Argo CD's built-in `default` project allows everything; any other must be rendered.
        if (project === "default") continue;
        yield objectFinding(
          this.id,
          o,
          ["spec", "project"],
          `${who} names project ${project}, which is not rendered under argocd/projects/`,
          "AppProjects are managed by Argo CD like everything else; render the project or use an existing one.",
        );
        continue;
      }
      const pspec = isRecord(p.object.spec) ? p.object.spec : {};
      const dest = isRecord(spec.destination) ? spec.destination : {};
      const dests = Array.isArray(pspec.destinations) ? pspec.destinations.filter(isRecord) : [];
      if (!allowed(dests, (d) => destinationMatches(d, dest))) {
        yield objectFinding(
          this.id,
          o,
          ["spec", "destination"],
          `${who} deploys to ${String(dest.server ?? dest.name ?? "?")} namespace ${String(dest.namespace ?? "")}, which project ${project} does not allow`,
          `Add the destination to AppProject ${project} (spec.destinations) or move the Application to a project that allows it.`,
        );
      }
      const repos = Array.isArray(pspec.sourceRepos)
        ? pspec.sourceRepos.filter((r): r is string => typeof r === "string")
        : [];
      for (const [i, s] of sources.entries()) {
        if (typeof s.repoURL !== "string") continue;
        const url = s.repoURL;
        if (!allowed(repos, (r) => glob(r, url))) {
          yield objectFinding(
            this.id,
            o,
            isRecord(spec.source) && i === 0
              ? ["spec", "source", "repoURL"]
              : ["spec", "sources", isRecord(spec.source) ? i - 1 : i, "repoURL"],
            `${who} uses source ${url}, which project ${project} does not allow`,
            `Add ${url} to AppProject ${project} spec.sourceRepos.`,
          );
        }
      }
      yield* resourceFindings(this.id, input, o, sources, project, pspec);
    }
  },
});

/** Argo CD's rule: allowed when a pattern matches and no `!`-negated pattern does. */
function allowed<T>(
  patterns: readonly T[],
  matches: (p: T, negated: boolean) => boolean | undefined,
): boolean {
  let ok = false;
  for (const p of patterns) {
    const neg =
      typeof p === "string"
        ? p.startsWith("!")
        : isRecord(p) && Object.values(p).some((v) => typeof v === "string" && v.startsWith("!"));
    const m = matches(p, neg);
    if (m && neg) return false;
    if (m && !neg) ok = true;
  }
  return ok;
}

function destinationMatches(d: Record<string, unknown>, dest: Record<string, unknown>): boolean {
  const ns = typeof dest.namespace === "string" ? dest.namespace : "";
  const nsOk = typeof d.namespace !== "string" || glob(d.namespace, ns);
  let clusterOk = true;
  if (typeof d.server === "string" && typeof dest.server === "string")
    clusterOk = glob(d.server, dest.server);
  else if (typeof d.name === "string" && typeof dest.name === "string") clusterOk = glob(d.name, dest.name);
  else if (typeof d.server === "string" && typeof dest.name === "string") clusterOk = d.server === "*";
  else if (typeof d.name === "string" && typeof dest.server === "string") clusterOk = d.name === "*";
  return nsOk && clusterOk;
}

const globCache = new Map<string, RegExp>();
/** Argo CD glob: `*` matches anything (including `/`), a leading `!` negates (handled by the caller). */
function glob(pattern: string, value: string): boolean {
  const p = pattern.startsWith("!") ? pattern.slice(1) : pattern;
  let r = globCache.get(p);
  if (!r) {
    r = new RegExp(
      `^${p
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".")}$`,
    );
    globCache.set(p, r);
  }
  return r.test(value);
}

/**
 * Objects the Application deploys (from a source `path` holding rendered files, or rendered by its
 * chart under `check --render-charts`) whose kind the project's resource lists do not permit.
 * Argo CD: cluster-scoped kinds need a `clusterResourceWhitelist` entry; a non-empty
 * `namespaceResourceWhitelist` limits namespaced kinds; blacklists deny.
 */
function* resourceFindings(
  id: string,
  input: CheckInput,
  app: RenderedObject,
  sources: readonly Record<string, unknown>[],
  project: string,
  pspec: Record<string, unknown>,
): Generator<Finding> {
  const list = (k: string) =>
    Array.isArray(pspec[k]) ? (pspec[k] as unknown[]).filter(isRecord) : undefined;
  const matches = (entries: readonly Record<string, unknown>[] | undefined, group: string, kind: string) =>
    (entries ?? []).some(
      (e) =>
        glob(typeof e.group === "string" ? e.group : "", group) &&
        glob(typeof e.kind === "string" ? e.kind : "", kind),
    );
  const clusterWhite = list("clusterResourceWhitelist");
  const clusterBlack = list("clusterResourceBlacklist");
  const nsWhite = list("namespaceResourceWhitelist");
  const nsBlack = list("namespaceResourceBlacklist");
  const dirs = sources.flatMap((s) =>
    typeof s.path === "string" && s.path !== ""
      ? [
          {
            dir: `${s.path.replace(/\/+$/, "")}/`,
            recurse: isRecord(s.directory) && s.directory.recurse === true,
          },
        ]
      : [],
  );
  const name = app.object.metadata.name;
  const isClusterScoped = clusterScope(input);
  const deployed = (o: RenderedObject) =>
    o.chart
      ? o.chart.application === name
      : dirs.some(
          ({ dir, recurse }) =>
            o.file.startsWith(dir) && (recurse || !o.file.slice(dir.length).includes("/")),
        );
  for (const o of input.objects) {
    if (!deployed(o)) continue;
    const group = apiGroup(o.object.apiVersion);
    const kind = o.object.kind;
    const cluster = isClusterScoped(group, kind);
    const allowedKind = cluster
      ? matches(clusterWhite, group, kind) && !matches(clusterBlack, group, kind)
      : (nsWhite === undefined || nsWhite.length === 0 || matches(nsWhite, group, kind)) &&
        !matches(nsBlack, group, kind);
    // The object's own namespace (a manifest may name one other than the Application's
    // destination) must be a destination the project allows too, or Argo CD refuses the sync.
    const ns = o.object.metadata.namespace;
    if (!cluster && typeof ns === "string" && ns !== "") {
      const dests = Array.isArray(pspec.destinations) ? pspec.destinations.filter(isRecord) : [];
      const server =
        isRecord(app.object.spec) && isRecord(app.object.spec.destination) ? app.object.spec.destination : {};
      if (!allowed(dests, (d) => destinationMatches(d, { ...server, namespace: ns }))) {
        yield objectFinding(
          id,
          o,
          ["metadata", "namespace"],
          `${describe(app)} (project ${project}) deploys ${kind} ${o.object.metadata.name} into namespace ${ns}, which the project does not allow`,
          `Add namespace ${ns} to AppProject ${project} spec.destinations, or deploy the object from an Application whose project allows it.`,
        );
      }
    }
    if (!allowedKind) {
      yield objectFinding(
        id,
        o,
        ["kind"],
        `${describe(app)} (project ${project}) deploys ${cluster ? "cluster-scoped " : ""}${kind}${group ? `.${group}` : ""} ${o.object.metadata.name}, which the project does not permit`,
        `Add {group: "${group}", kind: ${kind}} to AppProject ${project} ${cluster ? "clusterResourceWhitelist" : "namespaceResourceWhitelist"}, or deploy it from another project.`,
      );
    }
  }
}

/** Built-in cluster-scoped kinds, beyond the few Slipway renders itself (charts render the rest). */
const BUILTIN_CLUSTER_KINDS: ReadonlySet<string> = new Set([
  ...CLUSTER_SCOPED_KINDS,
  "APIService",
  "CSIDriver",
  "CSINode",
  "CertificateSigningRequest",
  "ClusterTrustBundle",
  "DeviceClass",
  "FlowSchema",
  "IPAddress",
  "IngressClass",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
  "Node",
  "PersistentVolume",
  "PriorityLevelConfiguration",
  "RuntimeClass",
  "ServiceCIDR",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "VolumeAttachment",
  "VolumeAttributesClass",
]);

const scopes = new WeakMap<CheckInput, (group: string, kind: string) => boolean>();

/** Whether `group`/`kind` is cluster-scoped: a CRD in the tree says so, else the built-in list. */
function clusterScope(input: CheckInput): (group: string, kind: string) => boolean {
  let f = scopes.get(input);
  if (!f) {
    const crds = new Map<string, boolean>();
    for (const o of input.objects) {
      const spec = o.object.spec;
      if (o.object.kind !== "CustomResourceDefinition" || !isRecord(spec) || !isRecord(spec.names)) continue;
      crds.set(`${String(spec.group)}/${String(spec.names.kind)}`, spec.scope === "Cluster");
    }
    f = (group, kind) => crds.get(`${group}/${kind}`) ?? BUILTIN_CLUSTER_KINDS.has(kind);
    scopes.set(input, f);
  }
  return f;
}
