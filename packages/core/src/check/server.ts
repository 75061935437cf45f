import { Agent, request } from "node:https";
import { parseAllDocuments } from "yaml";
import { type Diagnostic, diag, InputError } from "../diagnostics.js";
import type { OutputFile } from "../render/files.js";
import { apiGroup, type K8sObject } from "../render/k8s.js";
import { type CheckInput, isK8sObject, isRecord, type RenderedObject } from "./input.js";
import { type Finding, withLocations } from "./locate.js";
import { existingNamespaces } from "./policies/no-existing-collision.js";
import { SchemaDir } from "./schemas/schema-dir.js";

/** How to reach an API server: its URL and credentials, PEM-encoded. */
export interface ApiServer {
  /** @example "https://127.0.0.1:6443" */
  readonly url: string;
  /** Bearer token. */
  readonly token?: string;
  /** Client certificate and key (PEM), when the server authenticates by certificate. */
  readonly cert?: string;
  readonly key?: string;
  /** CA bundle (PEM) the server's certificate must chain to; the system CAs when absent. */
  readonly ca?: string;
  /** Skip verifying the server's certificate (a kubeconfig's `insecure-skip-tls-verify`). */
  readonly insecureSkipTlsVerify?: boolean;
}

export interface ServerCheckOptions {
  readonly server: ApiServer;
  /**
   * `scratch`: the server is a throwaway one (tests, CI): CRDs and Namespaces are created for real,
   * since dry-run objects cannot be seen by later requests. `dry-run`: a user's cluster; nothing is
   * written, and objects whose Namespace or CRD the tree itself would create first are reported
   * as `info` (SW_CHECK_SERVER_NOT_YET), not errors.
   */
  readonly mode: "scratch" | "dry-run";
  /**
   * Objects rendered outside the tree, with their (virtual) files: the charts' `helm template`
   * output (`renderCharts`). Sent in the same order as the tree's; in scratch mode their CRDs are
   * installed with the tree's, in preference to the schema directory's.
   */
  readonly extra?: { readonly objects: readonly RenderedObject[]; readonly files: readonly OutputFile[] };
  /**
   * Upstream schema directory. Scratch: where the CRDs of kinds nothing else defines come from.
   * Dry-run: a kind it has a CRD for is one the platform installs, so an unserved one is `info`.
   */
  readonly schemaDir?: string;
  /** The platform's `cluster.kubernetesVersion` (for the schema directory). */
  readonly kubernetesVersion: string;
  /** @default 60000 — how long to wait for CRDs to be Established and served. */
  readonly timeoutMs?: number;
}

export interface ServerCheckStats {
  /** Objects sent with server-side apply in dry-run (CRDs and Namespaces included). */
  readonly applied: number;
  readonly rejected: number;
  /** CRDs created before the objects (scratch mode: those of kinds some object uses). */
  readonly crdsInstalled: number;
  readonly namespacesCreated: number;
  /** Objects not sent because their kind is not served (reported as diagnostics). */
  readonly unknownKinds: number;
  readonly ms: number;
}

export interface ServerCheckResult {
  readonly diagnostics: readonly Diagnostic[];
  readonly stats: ServerCheckStats;
}

/** What Argo CD reads to order a sync: the sync-wave annotation. */
const WAVE = "argocd.argoproj.io/sync-wave";
/** Argo CD applies these kinds first within a wave (gitops-engine's kind order, abridged). */
const KIND_ORDER = [
  "Namespace",
  "NetworkPolicy",
  "ResourceQuota",
  "LimitRange",
  "PodSecurityPolicy",
  "PodDisruptionBudget",
  "ServiceAccount",
  "Secret",
  "SecretList",
  "ConfigMap",
  "StorageClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleList",
  "ClusterRoleBinding",
  "ClusterRoleBindingList",
  "Role",
  "RoleList",
  "RoleBinding",
  "RoleBindingList",
  "Service",
  "DaemonSet",
  "Pod",
  "ReplicationController",
  "ReplicaSet",
  "Deployment",
  "HorizontalPodAutoscaler",
  "StatefulSet",
  "Job",
  "CronJob",
  "IngressClass",
  "Ingress",
  "APIService",
];

/**
 * Sends every rendered object to a real API server with server-side apply and `dryRun=All`,
 * `fieldValidation=Strict`, in Argo CD's order (the Application's wave, the object's own wave,
 * kind), and turns each rejection into SW_CHECK_SERVER_REJECTED at the object's file and the
 * field the server names. What this adds to the schema check: CEL rules
 * (`x-kubernetes-validations`), the built-in kinds' own validation, defaulting, scope, and the
 * server's strict decoding. CRDs (the tree's, the charts', then the schema directory's) and
 * Namespaces are created for real first in `scratch` mode.
 *
 * @example
 * const r = await checkServer(buildCheckInput(s.files, s.apps), { server, mode: "scratch", schemaDir, kubernetesVersion: "1.32" });
 */
export async function checkServer(input: CheckInput, opts: ServerCheckOptions): Promise<ServerCheckResult> {
  const started = performance.now();
  const api = new Client(opts.server);
  try {
    return await run(input, opts, api, started);
  } finally {
    api.close();
  }
}

interface Resource {
  readonly name: string;
  readonly namespaced: boolean;
}

interface Ordered {
  readonly o: RenderedObject;
  readonly appWave: number;
  readonly wave: number;
  readonly kindRank: number;
}

/** One run's connection, what it found, and what it counted. */
interface Run {
  readonly api: Client;
  readonly discovery: Discovery;
  readonly dir: SchemaDir | undefined;
  readonly timeoutMs: number;
  readonly findings: Finding[];
  /** Diagnostics about CRDs from the schema directory, which is no file of the tree. */
  readonly outside: Diagnostic[];
  /** Objects created for real before the dry-run pass (scratch): not sent again. */
  readonly created: Set<RenderedObject>;
  readonly tally: { -readonly [K in Exclude<keyof ServerCheckStats, "ms">]: number };
}

async function run(
  input: CheckInput,
  opts: ServerCheckOptions,
  api: Client,
  started: number,
): Promise<ServerCheckResult> {
  const r: Run = {
    api,
    discovery: new Discovery(api),
    dir: opts.schemaDir ? new SchemaDir(opts.schemaDir, opts.kubernetesVersion) : undefined,
    timeoutMs: opts.timeoutMs ?? 60_000,
    findings: [],
    outside: [],
    created: new Set(),
    tally: { applied: 0, rejected: 0, crdsInstalled: 0, namespacesCreated: 0, unknownKinds: 0 },
  };
  const ordered = order([...input.objects, ...(opts.extra?.objects ?? [])]);
  if (opts.mode === "scratch") {
    await installCrds(r, ordered);
    await createNamespaces(r, ordered, input);
  }
  await sendAll(r, ordered, input, opts.mode);
  const files = new Map<string, OutputFile>(
    [...input.files, ...(opts.extra?.files ?? [])].map((f) => [f.path, f]),
  );
  return {
    diagnostics: [...r.outside, ...withLocations(r.findings, files)],
    stats: { ...r.tally, ms: Math.round(performance.now() - started) },
  };
}

/**
 * Scratch, first: the CRDs of every kind an object uses, created for real and waited for until
 * served. The tree's own and the charts' (among `extra`) come first; the schema directory's only
 * for kinds still missing.
 */
async function installCrds(r: Run, ordered: readonly Ordered[]): Promise<void> {
  const crds: { source: string; file?: RenderedObject; object: K8sObject }[] = [];
  const defined = new Set<string>();
  for (const { o } of ordered) {
    if (o.object.kind !== "CustomResourceDefinition" || defined.has(crdKey(o.object))) continue;
    defined.add(crdKey(o.object));
    crds.push({ source: o.file, file: o, object: o.object });
  }
  for (const { o } of ordered) {
    const group = apiGroup(o.object.apiVersion);
    const k = `${group}/${o.object.kind}`;
    if (defined.has(k) || !group.includes(".") || (await r.discovery.resource(o.object)) !== undefined)
      continue;
    const doc = r.dir?.crdDocument(group, o.object.kind);
    const object = doc ? (parseAllDocuments(doc.text)[0]?.toJS() as unknown) : undefined;
    if (!doc || !isK8sObject(object)) continue;
    defined.add(k);
    crds.push({ source: doc.source, object });
  }
  // Only CRDs whose kinds some object uses are created (each costs the server its establishing,
  // OpenAPI and storage: all 61 of the example's charts take 15 s more); the rest are dry-run
  // with the other objects.
  const used = new Set(ordered.map((x) => `${apiGroup(x.o.object.apiVersion)}/${x.o.object.kind}`));
  const needed = crds.filter((c) => used.has(crdKey(c.object)));
  // Created, not applied (server-side apply tracks every field of a CRD's large schema, ~1 s
  // each), and all at once: the server compiles their CEL rules in parallel.
  const replies = await Promise.all(
    needed.map((c) => r.api.create(CRD_RESOURCE, withoutConversionWebhook(c.object))),
  );
  const installed: K8sObject[] = [];
  for (const [i, reply] of replies.entries()) {
    const c = needed[i] as (typeof needed)[number];
    if (c.file) r.created.add(c.file);
    r.tally.applied++;
    if (reply.ok || reply.status === 409) {
      installed.push(c.object);
      if (reply.ok) r.tally.crdsInstalled++;
      continue;
    }
    r.tally.rejected++;
    if (c.file) r.findings.push(...rejection(c.file, reply));
    else
      r.outside.push(
        diag("SW_CHECK_SERVER_REJECTED", `CRD ${c.object.metadata.name} (${c.source}): ${reply.message}`, {
          hint: "The API server refused to install this CRD; the kinds it defines are not checked.",
        }),
      );
  }
  await waitEstablished(r.api, installed, r.timeoutMs);
  r.discovery.reset();
  await r.discovery.waitFor(installed, r.timeoutMs);
}

/**
 * Scratch, second: the tree's Namespaces, and those Argo CD creates (`CreateNamespace=true`),
 * created for real, so that the dry-runs of namespaced objects find them.
 */
async function createNamespaces(r: Run, ordered: readonly Ordered[], input: CheckInput): Promise<void> {
  const names = new Set([...createNamespaceDestinations(input), ...existingNamespaces(input)]);
  for (const { o } of ordered) {
    if (!isNamespace(o)) continue;
    const reply = await r.api.apply(`/api/v1/namespaces/${o.object.metadata.name}`, o.object, false);
    r.created.add(o);
    r.tally.applied++;
    names.delete(o.object.metadata.name);
    if (reply.ok) r.tally.namespacesCreated++;
    else {
      r.tally.rejected++;
      r.findings.push(...rejection(o, reply));
    }
  }
  // They have no file of their own to report a rejection at.
  for (const name of names) {
    const object = { apiVersion: "v1", kind: "Namespace", metadata: { name } };
    if ((await r.api.apply(`/api/v1/namespaces/${name}`, object, false)).ok) r.tally.namespacesCreated++;
  }
}

const isNamespace = (o: RenderedObject) => o.object.kind === "Namespace" && o.object.apiVersion === "v1";

/** Then every object not created above, in sync order, with `dryRun=All`. */
async function sendAll(
  r: Run,
  ordered: readonly Ordered[],
  input: CheckInput,
  mode: ServerCheckOptions["mode"],
): Promise<void> {
  const scratch = mode === "scratch";
  const plannedNamespaces = new Set(createNamespaceDestinations(input));
  for (const { o } of ordered) if (isNamespace(o)) plannedNamespaces.add(o.object.metadata.name);
  const plannedKinds = new Set(
    ordered.filter((x) => x.o.object.kind === "CustomResourceDefinition").map((x) => crdKey(x.o.object)),
  );
  const finding = (o: RenderedObject, diagnostic: Diagnostic) =>
    r.findings.push({ file: o.file, doc: o.doc, diagnostic });
  for (const { o } of ordered) {
    if (r.created.has(o)) continue;
    const what = `${o.object.kind} ${o.object.metadata.name}`;
    const res = await r.discovery.resource(o.object);
    if (!res) {
      r.tally.unknownKinds++;
      const group = apiGroup(o.object.apiVersion);
      // A kind some component's CRD defines (the tree's, a chart's, an upstream one): on a user's
      // cluster that component's Application installs it earlier in the same sync.
      const notYet =
        !scratch &&
        (plannedKinds.has(`${group}/${o.object.kind}`) ||
          r.dir?.crdDocument(group, o.object.kind) !== undefined);
      finding(
        o,
        notYet
          ? diag(
              "SW_CHECK_SERVER_NOT_YET",
              `${what}: the API server does not serve ${o.object.apiVersion} ${o.object.kind} yet`,
              {
                path: ["apiVersion"],
                severity: "info",
                hint: "Its CRD is installed by the platform itself (or by a chart it deploys), earlier in the sync; once it is, check again to cover this object.",
              },
            )
          : diag(
              "SW_CHECK_SERVER_UNKNOWN_KIND",
              `${what}: the API server does not serve ${o.object.apiVersion} ${o.object.kind}`,
              {
                path: ["apiVersion"],
                hint: "Install the CRD that defines it first (a chart's, or one the platform renders), or fix the apiVersion.",
              },
            ),
      );
      continue;
    }
    const namespace = res.namespaced ? (input.namespaceOf(o) ?? "default") : undefined;
    const body: K8sObject = {
      ...o.object,
      metadata: namespace
        ? { ...o.object.metadata, namespace }
        : omitNamespace(o.object.metadata as Record<string, unknown>),
    };
    const reply = await r.api.apply(objectPath(o.object, res, namespace), body, true);
    r.tally.applied++;
    for (const w of reply.warnings.filter((w) => !ARGO_FINALIZER_WARNING.test(w))) {
      finding(
        o,
        diag("SW_CHECK_SERVER_WARNING", `${what}: ${w}`, {
          severity: "warning",
          hint: "The API server accepted the object with this warning.",
        }),
      );
    }
    if (reply.ok) {
      for (const n of normalized(body, reply.body)) {
        finding(
          o,
          diag(
            "SW_CHECK_SERVER_NORMALIZED",
            `${what}: the API server stores ${JSON.stringify(n.stored)} where the file says ${JSON.stringify(n.sent)}`,
            {
              path: n.path,
              severity: "warning",
              hint: "Render the value as the server stores it, or Argo CD may show the object OutOfSync after every sync.",
            },
          ),
        );
      }
    } else if (
      !scratch &&
      reply.status === 404 &&
      namespace !== undefined &&
      plannedNamespaces.has(namespace)
    ) {
      finding(
        o,
        diag(
          "SW_CHECK_SERVER_NOT_YET",
          `${what}: namespace ${namespace} does not exist yet, so the server could not check it`,
          {
            path: ["metadata", "namespace"],
            severity: "info",
            hint: "The platform creates this namespace earlier in the sync; once it exists, check again to cover this object.",
          },
        ),
      );
    } else if (reply.status === 401 || reply.status === 403) {
      // Not the object's fault: the kubeconfig's user may not write it (a dry-run needs the same rights).
      throw forbidden(`${what} in ${namespace ?? "the cluster"}`, reply);
    } else {
      r.tally.rejected++;
      r.findings.push(...rejection(o, reply));
    }
  }
}

const REQUEST_TIMEOUT_MS = 30_000;

function forbidden(what: string, reply: Reply): InputError {
  return new InputError([
    diag("SW_CHECK_SERVER_FORBIDDEN", `HTTP ${reply.status} for ${what}: ${reply.message}`, {
      hint: "Use a kubeconfig context whose user may get, list and patch every kind the platform deploys (a dry-run is authorized like a write).",
    }),
  ]);
}

/**
 * Kubernetes warns about finalizer names without a path; Argo CD's cascade-delete finalizer is
 * named so and cannot be renamed, so that warning would only be noise on every Application.
 */
const ARGO_FINALIZER_WARNING =
  /^metadata\.finalizers: "resources-finalizer\.argocd\.argoproj\.io": prefer a domain-qualified finalizer name/;

const CRD_RESOURCE: Resource = { name: "customresourcedefinitions", namespaced: false };

function crdKey(crd: K8sObject): string {
  const spec = isRecord(crd.spec) ? crd.spec : {};
  const names = isRecord(spec.names) ? spec.names : {};
  return `${String(spec.group)}/${String(names.kind)}`;
}

function omitNamespace(meta: Record<string, unknown>): K8sObject["metadata"] {
  const { namespace: _, ...rest } = meta;
  return rest as K8sObject["metadata"];
}

/**
 * A CRD converting through a webhook would make every request for a non-storage version fail on a
 * scratch server, where the operator's webhook never runs: convert with `None` instead (the
 * object is still validated against the schema of the version it is sent in).
 */
function withoutConversionWebhook(crd: K8sObject): K8sObject {
  const spec = isRecord(crd.spec) ? crd.spec : undefined;
  const conversion = spec && isRecord(spec.conversion) ? spec.conversion : undefined;
  if (!spec || conversion?.strategy !== "Webhook") return crd;
  return { ...crd, spec: { ...spec, conversion: { strategy: "None" } } };
}

/**
 * Scalars of the sent object that the server stored differently (a quantity written `1000m` kept
 * as `1`, a value rewritten by defaulting). Fields the server adds are not compared: only what
 * the file says can drift from what is live.
 */
function normalized(
  sent: unknown,
  stored: unknown,
  path: (string | number)[] = [],
): { path: (string | number)[]; sent: unknown; stored: unknown }[] {
  if (path.length === 1 && path[0] === "metadata") return [];
  if (Array.isArray(sent)) {
    if (!Array.isArray(stored)) return sent.length === 0 ? [] : [{ path, sent, stored }];
    return sent.flatMap((v, i) => normalized(v, stored[i], [...path, i]));
  }
  if (isRecord(sent)) {
    if (!isRecord(stored)) return Object.keys(sent).length === 0 ? [] : [{ path, sent, stored }];
    return Object.entries(sent).flatMap(([k, v]) => normalized(v, stored[k], [...path, k]));
  }
  // A number sent as such and stored as the same number is equal; `null` means "unset" in apply.
  if (sent === null || sent === stored) return [];
  // Zero values are omitted when stored (Go's omitempty); Argo CD's diff omits them alike.
  if (stored === undefined && (sent === false || sent === 0 || sent === "")) return [];
  return [{ path, sent, stored }];
}

/** Destinations of Applications that let Argo CD create their namespace (`CreateNamespace=true`). */
function createNamespaceDestinations(input: CheckInput): string[] {
  const out: string[] = [];
  for (const { object } of input.objects) {
    if (object.kind !== "Application" || !isRecord(object.spec)) continue;
    const sync = isRecord(object.spec.syncPolicy) ? object.spec.syncPolicy : {};
    const options = Array.isArray(sync.syncOptions) ? sync.syncOptions : [];
    const dest = isRecord(object.spec.destination) ? object.spec.destination : {};
    if (options.includes("CreateNamespace=true") && typeof dest.namespace === "string")
      out.push(dest.namespace);
  }
  return out;
}

/** Argo CD's order: the Application's wave, then the object's own wave, then kind, then file. */
function order(objects: readonly RenderedObject[]): Ordered[] {
  const rank = (kind: string) => {
    const i = KIND_ORDER.indexOf(kind);
    return i < 0 ? KIND_ORDER.length : i;
  };
  const list = objects.map((o) => {
    const w = Number(o.object.metadata.annotations?.[WAVE] ?? 0);
    return {
      o,
      // Files outside an Application's directory (argocd/) are what the root Application syncs.
      appWave: o.app ? o.app.wave : Number.NEGATIVE_INFINITY,
      wave: Number.isFinite(w) ? w : 0,
      kindRank: rank(o.object.kind),
    };
  });
  return list.sort(
    (a, b) =>
      a.appWave - b.appWave ||
      a.wave - b.wave ||
      a.kindRank - b.kindRank ||
      (a.o.file < b.o.file ? -1 : a.o.file > b.o.file ? 1 : a.o.doc - b.o.doc),
  );
}

/** `/api/v1` or `/apis/<group>/<version>`: where an apiVersion's resources are served. */
function apiBase(apiVersion: string): string {
  const group = apiGroup(apiVersion);
  const version = apiVersion.slice(apiVersion.indexOf("/") + 1);
  return group === "" ? `/api/${version}` : `/apis/${group}/${version}`;
}

function objectPath(o: K8sObject, res: Resource, namespace: string | undefined): string {
  const ns = namespace === undefined ? "" : `/namespaces/${encodeURIComponent(namespace)}`;
  return `${apiBase(o.apiVersion)}${ns}/${res.name}/${encodeURIComponent(o.metadata.name)}`;
}

/** A Kubernetes `Status` as returned with a failed request. */
interface Status {
  readonly message?: string;
  readonly reason?: string;
  readonly details?: { readonly causes?: readonly { field?: string; message?: string; reason?: string }[] };
}

interface Reply {
  readonly ok: boolean;
  readonly status: number;
  readonly body: unknown;
  readonly message: string;
  readonly warnings: readonly string[];
}

/** One diagnostic per cause the server gives, at the field it names (or the object when none). */
function rejection(o: RenderedObject, r: Reply): Finding[] {
  const status = (isRecord(r.body) ? r.body : {}) as Status;
  const causes = status.details?.causes ?? [];
  const what = `${o.object.kind} ${o.object.metadata.name}`;
  const hint = `The API server (HTTP ${r.status}${status.reason ? ` ${status.reason}` : ""}) refuses this object: Argo CD's sync would fail the same way.`;
  const withField = causes.filter((c) => c.field);
  if (withField.length === 0) {
    // Strict decoding and typed-patch errors name the field in the message, in
    // structured-merge-diff's notation: `…: .spec.containers[name="app"].env: duplicate entries …`.
    const m = /(?:^|[\s(:])(\.(?:[^\s:[]|\[[^\]]*\])+): /.exec(r.message);
    const path = m?.[1] ? fieldPath(m[1], o.object) : [];
    return [
      {
        file: o.file,
        doc: o.doc,
        diagnostic: diag("SW_CHECK_SERVER_REJECTED", `${what}: ${r.message}`, { path, hint }),
      },
    ];
  }
  return withField.map((c) => ({
    file: o.file,
    doc: o.doc,
    diagnostic: diag("SW_CHECK_SERVER_REJECTED", `${what}: ${c.field}: ${c.message ?? r.message}`, {
      path: fieldPath(c.field ?? "", o.object),
      hint,
    }),
  }));
}

/**
 * A field path as the API server writes it — `spec.rules[0].matches[0].path`,
 * `metadata.annotations[a.b/c]`, or structured-merge-diff's `.spec.containers[name="app"].image` —
 * as a path into the object (list entries named by key resolved to their index).
 */
export function fieldPath(text: string, object: unknown): (string | number)[] {
  const out: (string | number)[] = [];
  let node: unknown = object;
  let i = text.startsWith(".") ? 1 : 0;
  const step = (seg: string | number) => {
    out.push(seg);
    node =
      Array.isArray(node) && typeof seg === "number" ? node[seg] : isRecord(node) ? node[seg] : undefined;
  };
  while (i < text.length) {
    if (text[i] === "[") {
      const end = text.indexOf("]", i);
      const inner = text.slice(i + 1, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end + 1;
      if (/^\d+$/.test(inner)) step(Number(inner));
      else if (Array.isArray(node) && inner.includes("=")) {
        const keys = [...inner.matchAll(/(\w*)=("(?:[^"\\]|\\.)*"|[^,]*)/g)].map(([, k, v]) => {
          const value = v?.startsWith('"') ? (JSON.parse(v) as unknown) : v;
          return [k ?? "", value] as const;
        });
        const idx = node.findIndex((e) =>
          keys.every(([k, v]) => (k === "" ? e === v : isRecord(e) && String(e[k]) === String(v))),
        );
        if (idx < 0) break;
        step(idx);
      } else step(inner);
      if (text[i] === ".") i++;
      continue;
    }
    let end = i;
    while (end < text.length && text[end] !== "." && text[end] !== "[") end++;
    const seg = text.slice(i, end);
    if (seg !== "") step(seg);
    i = text[end] === "." ? end + 1 : end;
  }
  return out;
}

/** Discovery, one group/version at a time: kind → resource name and scope. */
class Discovery {
  readonly #api: Client;
  #groups = new Map<string, Promise<Map<string, Resource> | undefined>>();

  constructor(api: Client) {
    this.#api = api;
  }

  reset(): void {
    this.#groups.clear();
  }

  async resource(o: K8sObject): Promise<Resource | undefined> {
    return (await this.#group(o.apiVersion))?.get(o.kind);
  }

  /** Waits until every CRD's kinds are served at each of its served versions. */
  async waitFor(crds: readonly K8sObject[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const crd of crds) {
      const spec = isRecord(crd.spec) ? crd.spec : {};
      const names = isRecord(spec.names) ? spec.names : {};
      const versions = Array.isArray(spec.versions) ? spec.versions.filter(isRecord) : [];
      for (const v of versions) {
        if (v.served !== true) continue;
        const apiVersion = `${String(spec.group)}/${String(v.name)}`;
        for (;;) {
          const kinds = await this.#group(apiVersion);
          if (kinds?.has(String(names.kind))) break;
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${apiVersion} to be served`);
          this.#groups.delete(apiVersion);
          await sleep(100);
        }
      }
    }
  }

  #group(apiVersion: string): Promise<Map<string, Resource> | undefined> {
    let p = this.#groups.get(apiVersion);
    if (!p) {
      p = this.#load(apiVersion);
      this.#groups.set(apiVersion, p);
    }
    return p;
  }

  async #load(apiVersion: string): Promise<Map<string, Resource> | undefined> {
    const path = apiBase(apiVersion);
    const r = await this.#api.send("GET", path);
    if (r.status === 404) return undefined;
    if (r.status === 401 || r.status === 403) throw forbidden(`GET ${path}`, r);
    if (!r.ok) throw new Error(`discovery of ${apiVersion} failed: HTTP ${r.status} ${r.message}`);
    const out = new Map<string, Resource>();
    const list = isRecord(r.body) && Array.isArray(r.body.resources) ? r.body.resources : [];
    for (const res of list) {
      if (!isRecord(res) || typeof res.name !== "string" || res.name.includes("/")) continue;
      out.set(String(res.kind), { name: res.name, namespaced: res.namespaced === true });
    }
    return out;
  }
}

async function waitEstablished(api: Client, crds: readonly K8sObject[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const crd of crds) {
    const path = objectPath(crd, CRD_RESOURCE, undefined);
    for (;;) {
      const r = await api.send("GET", path);
      const status = isRecord(r.body) && isRecord(r.body.status) ? r.body.status : {};
      const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isRecord) : [];
      if (conditions.some((c) => c.type === "Established" && c.status === "True")) break;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for CRD ${crd.metadata.name} to be Established`);
      await sleep(100);
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A small HTTPS client for the few API calls made here (no kubectl, no client library). */
class Client {
  readonly #server: ApiServer;
  readonly #url: URL;
  readonly #agent: Agent;

  constructor(server: ApiServer) {
    this.#server = server;
    this.#url = new URL(server.url);
    this.#agent = new Agent({
      keepAlive: true,
      maxSockets: 8,
      ...(server.ca ? { ca: server.ca } : {}),
      ...(server.cert ? { cert: server.cert } : {}),
      ...(server.key ? { key: server.key } : {}),
      rejectUnauthorized: server.insecureSkipTlsVerify !== true,
    });
  }

  close(): void {
    this.#agent.destroy();
  }

  /** Server-side apply; `dryRun` true sends `dryRun=All`. Unknown and duplicate fields are errors. */
  apply(path: string, object: K8sObject, dryRun: boolean): Promise<Reply> {
    const q = new URLSearchParams({ fieldManager: "slipway", force: "true", fieldValidation: "Strict" });
    if (dryRun) q.set("dryRun", "All");
    return this.send("PATCH", `${path}?${q}`, JSON.stringify(object), "application/apply-patch+yaml");
  }

  /** POST to the collection; 409 when it exists already. */
  create(res: Resource, object: K8sObject): Promise<Reply> {
    const q = new URLSearchParams({ fieldManager: "slipway", fieldValidation: "Strict" });
    return this.send(
      "POST",
      `${apiBase(object.apiVersion)}/${res.name}?${q}`,
      JSON.stringify(object),
      "application/json",
    );
  }

  send(method: string, path: string, body?: string, contentType?: string): Promise<Reply> {
    const base = this.#url.pathname.replace(/\/$/, "");
    return new Promise((resolve, reject) => {
      const req = request(
        {
          protocol: this.#url.protocol,
          hostname: this.#url.hostname,
          port: this.#url.port || 443,
          path: `${base}${path}`,
          method,
          agent: this.#agent,
          headers: {
            accept: "application/json",
            ...(this.#server.token ? { authorization: `Bearer ${this.#server.token}` } : {}),
            ...(contentType ? { "content-type": contentType } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text) as unknown;
            } catch {
              // Not JSON (a proxy's error page): keep the text as the message.
            }
            const status = res.statusCode ?? 0;
            const message = isRecord(parsed) && typeof parsed.message === "string" ? parsed.message : text;
            resolve({
              ok: status >= 200 && status < 300,
              status,
              body: parsed,
              message,
              warnings: warnings(res.headers.warning),
            });
          });
        },
      );
      // Unreachable, refused, or a certificate that does not verify: the connection is the
      // user's input (their kubeconfig), not a finding about the tree.
      const unreachable = (e: Error) =>
        reject(
          new InputError([
            diag("SW_CHECK_SERVER_UNREACHABLE", `${this.#url.origin}: ${e.message}`, {
              hint: "Check the kubeconfig's server URL and CA (certificate-authority[-data]), and that the cluster is up.",
            }),
          ]),
        );
      req.setTimeout(REQUEST_TIMEOUT_MS, () =>
        req.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS} ms`)),
      );
      req.on("error", unreachable);
      req.end(body);
    });
  }
}

/** `Warning: 299 - "text"` headers (RFC 7234 as Kubernetes uses them) → their texts. */
function warnings(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  const out: string[] = [];
  for (const h of Array.isArray(header) ? header : [header]) {
    for (const m of h.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g))
      out.push((m[1] ?? "").replace(/\\(.)/g, "$1"));
  }
  return out;
}

/** The client, for `bootstrap`'s probes and its few writes (a Secret, the root Application). */
export { Client as KubeClient };
