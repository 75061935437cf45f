import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { diag, InputError } from "../diagnostics.js";
import type { OutputFile } from "../render/files.js";
import { type ChartOrigin, type CheckInput, isK8sObject, isRecord, type RenderedObject } from "./input.js";
import type { Finding } from "./locate.js";
import { runProgram } from "./process.js";
import { parseBlockYaml } from "./schemas/fast-yaml.js";
import { type CrdSchema, crdSchema, type SchemaDir } from "./schemas/schema-dir.js";

/** How `slipway check --render-charts` finds Helm and the charts. */
export interface ChartOptions {
  /** The `helm` binary. @default "helm" (from PATH) */
  readonly helm?: string;
  /**
   * A directory of unpacked charts laid out `<dir>/<version>/` (any directory names: each
   * `Chart.yaml`'s name and version identify the chart). CI: `../shared/charts`.
   */
  readonly chartsDir?: string;
  /**
   * Where charts no local directory has are pulled (`helm pull --untar`) and kept.
   * @default ~/.cache/slipway/charts
   */
  readonly cacheDir?: string;
  /** Never pull: a chart that is neither local nor cached is a finding. @default false */
  readonly offline?: boolean;
  /** Charts rendered at once (each `helm template` is one process). @default 2 */
  readonly concurrency?: number;
}

export interface ChartStats {
  /** Chart sources of Applications found in the tree. */
  readonly sources: number;
  /** Of those, how many `helm template` rendered. */
  readonly rendered: number;
  /** Objects the charts rendered. */
  readonly objects: number;
  /** `helm template` runs (a chart that reads `.Capabilities.APIVersions` may run twice). */
  readonly runs: number;
  /** Applications whose chart's values schema helm could not load (remote `$ref`s, offline). */
  readonly schemaNotLoaded: readonly string[];
  /** Each rendered chart source: its Application, chart and how many objects it rendered. */
  readonly applications: readonly {
    readonly name: string;
    readonly chart: string;
    readonly version: string;
    readonly objects: number;
  }[];
  readonly ms: number;
}

export interface ChartRender {
  /** Objects the charts rendered, each with its {@link ChartOrigin} and Application. */
  readonly objects: readonly RenderedObject[];
  /** One virtual file per Application and template (`helm:<app>/<template>`), for locations. */
  readonly files: readonly OutputFile[];
  readonly findings: readonly Finding[];
  readonly stats: ChartStats;
}

/** The virtual file of a chart template's output: `helm:vault/vault/templates/server-statefulset.yaml`. */
const chartFile = (application: string, template: string) => `helm:${application}/${template}`;

/** One chart source of a rendered Application, read as Argo CD reads it. */
export interface ChartSource {
  readonly application: string;
  /** The Application object, for findings about the source itself. */
  readonly at: Pick<RenderedObject, "file" | "doc">;
  /** Path of the source inside the Application (`spec.sources[0]` or `spec.source`). */
  readonly path: readonly (string | number)[];
  readonly repoURL: string;
  readonly chart: string;
  readonly version: string;
  readonly releaseName: string;
  readonly namespace: string;
  /** The source's `helm` block (valueFiles, values, valuesObject, parameters, skipCrds, …). */
  readonly helm: Record<string, unknown>;
  /** `ref` name of the Application's other sources → their repoURL (for `$ref/…` value files). */
  readonly refs: ReadonlyMap<string, string>;
}

/** Every Helm chart source of every Argo CD Application in the tree, in tree order. */
export function chartSources(input: CheckInput): ChartSource[] {
  const out: ChartSource[] = [];
  for (const o of input.objects) {
    if (o.object.kind !== "Application" || !o.object.apiVersion.startsWith("argoproj.io/")) continue;
    const spec = isRecord(o.object.spec) ? o.object.spec : {};
    const listed: { s: Record<string, unknown>; path: (string | number)[] }[] = [];
    if (isRecord(spec.source)) listed.push({ s: spec.source, path: ["spec", "source"] });
    if (Array.isArray(spec.sources)) {
      spec.sources.forEach((s, i) => {
        if (isRecord(s)) listed.push({ s, path: ["spec", "sources", i] });
      });
    }
    const refs = new Map<string, string>();
    for (const { s } of listed) {
      if (typeof s.ref === "string" && typeof s.repoURL === "string") refs.set(s.ref, s.repoURL);
    }
    const dest = isRecord(spec.destination) ? spec.destination : {};
    for (const { s, path } of listed) {
      if (typeof s.chart !== "string" || typeof s.repoURL !== "string") continue;
      const helm = isRecord(s.helm) ? s.helm : {};
      const name = o.object.metadata.name;
      out.push({
        application: name,
        at: { file: o.file, doc: o.doc },
        path,
        repoURL: s.repoURL,
        chart: s.chart,
        version: typeof s.targetRevision === "string" ? s.targetRevision : "",
        releaseName:
          typeof helm.releaseName === "string" && helm.releaseName !== "" ? helm.releaseName : name,
        namespace:
          typeof helm.namespace === "string" && helm.namespace !== ""
            ? helm.namespace
            : typeof dest.namespace === "string"
              ? dest.namespace
              : "",
        helm,
        refs,
      });
    }
  }
  return out;
}

/**
 * `helm template` arguments for one source, as Argo CD's repo server builds them: release name,
 * destination namespace, the cluster's Kubernetes version and API versions, CRDs unless
 * `skipCrds`, the value files in order and then `valuesObject`/`values`, then `parameters`.
 * Test hooks are skipped (Argo CD ignores Helm test hooks).
 */
export function helmTemplateArgs(
  src: ChartSource,
  chartDir: string,
  valueFiles: readonly string[],
  kubernetesVersion: string,
  apiVersions: readonly string[],
): string[] {
  const h = src.helm;
  const args = ["template", src.releaseName, chartDir, "--namespace", src.namespace || "default"];
  const kube = typeof h.kubeVersion === "string" && h.kubeVersion !== "" ? h.kubeVersion : kubernetesVersion;
  args.push("--kube-version", kube);
  const own = Array.isArray(h.apiVersions) ? h.apiVersions.filter((v) => typeof v === "string") : undefined;
  for (const v of own ?? apiVersions) args.push("--api-versions", v);
  if (h.skipCrds !== true) args.push("--include-crds");
  if (h.skipSchemaValidation === true) args.push("--skip-schema-validation");
  args.push("--skip-tests");
  for (const f of valueFiles) args.push("--values", f);
  for (const p of Array.isArray(h.parameters) ? h.parameters.filter(isRecord) : []) {
    if (typeof p.name !== "string") continue;
    const flag = p.forceString === true ? "--set-string" : "--set";
    args.push(flag, `${p.name}=${p.value === undefined || p.value === null ? "" : String(p.value)}`);
  }
  return args;
}

/**
 * `group/version` and `group/version/Kind` of every version the CRDs among `objects` serve: what
 * Argo CD passes as `--api-versions` once those CRDs are installed.
 */
export function crdApiVersions(objects: Iterable<unknown>): Set<string> {
  const crds: CrdSchema[] = [];
  for (const o of objects) {
    const c = isRecord(o) && o.kind === "CustomResourceDefinition" ? crdSchema(o, "") : undefined;
    if (c) crds.push(c);
  }
  return servedApiVersions(crds);
}

/** Adds `group/version` and `group/version/Kind` of every served version of `crds` to `out`. */
function servedApiVersions(crds: Iterable<CrdSchema>, out = new Set<string>()): Set<string> {
  for (const c of crds) {
    for (const v of c.versions) {
      if (!v.served) continue;
      out.add(`${c.group}/${v.name}`);
      out.add(`${c.group}/${v.name}/${c.kind}`);
    }
  }
  return out;
}

interface Job {
  readonly src: ChartSource;
  readonly chartDir: string;
  /** Value files as written to disk for helm, and the tree paths they came from. */
  readonly valueFiles: readonly string[];
  readonly treeValueFiles: readonly string[];
  readonly readsApiVersions: boolean;
}

interface Output {
  readonly job: Job;
  readonly stdout?: string;
  /** helm could not load the chart's values schema (it `$ref`s the web) and rendered without it. */
  readonly schemaNotLoaded?: boolean;
  readonly finding?: Finding;
}

/**
 * Renders every chart Application of the tree with `helm template` exactly as Argo CD would and
 * returns the objects, tagged with their Application and template. Charts come from `chartsDir`,
 * then the cache, then `helm pull`. Failures are findings (SW_CHECK_HELM_TEMPLATE,
 * SW_CHECK_HELM_CHART, SW_CHECK_HELM_VALUES); a missing helm binary or charts directory is an
 * InputError (exit 2).
 */
export async function renderCharts(
  input: CheckInput,
  opts: ChartOptions,
  kubernetesVersion: string,
  schemaDir: SchemaDir | undefined,
): Promise<ChartRender> {
  const started = performance.now();
  const helm = opts.helm ?? "helm";
  if (opts.chartsDir !== undefined && !existsSync(opts.chartsDir)) {
    throw new InputError([
      diag("SW_CHECK_CHARTS_DIR", `charts directory ${opts.chartsDir} does not exist`, {
        hint: "Pass --charts DIR or set SLIPWAY_CHARTS_DIR to a directory of unpacked charts (<chart>/<version>/).",
      }),
    ]);
  }
  await assertHelm(helm);
  const sources = chartSources(input);
  const work = mkdtempSync(join(tmpdir(), "slipway-charts-"));
  try {
    const { jobs, findings } = await prepareJobs(input, sources, new ChartStore(helm, opts), work);
    const limit = Math.max(1, opts.concurrency ?? 2);
    const render = async (j: Job, apiVersions: ReadonlySet<string>): Promise<Rendered> => {
      const out = await template(helm, j, kubernetesVersion, [...apiVersions].sort());
      return { ...out, docs: out.stdout === undefined ? [] : documents(out.stdout) };
    };
    // The cluster serves the CRDs the platform installs, and the charts' own are known only once
    // they are rendered: a chart that reads `.Capabilities.APIVersions` is rendered again when
    // the charts added any, as Argo CD would render it on a cluster where they are installed.
    const known = installedApiVersions(input, schemaDir);
    const first = await pool(jobs, limit, (j) => render(j, known));
    const all = new Set(known);
    for (const out of first) for (const v of crdApiVersions(out.docs.map((d) => d.value))) all.add(v);
    const again = all.size > known.size ? first.filter((o) => o.job.readsApiVersions) : [];
    const second = new Map((await pool(again, limit, (o) => render(o.job, all))).map((o) => [o.job, o]));
    const outputs = first.map((o) => second.get(o.job) ?? o);

    const objects: RenderedObject[] = [];
    const files: OutputFile[] = [];
    const applications: ChartStats["applications"][number][] = [];
    for (const out of outputs) {
      if (out.finding) findings.push(out.finding);
      if (out.stdout === undefined) continue;
      const r = chartObjects(input, out);
      objects.push(...r.objects);
      files.push(...r.files);
      const { src } = out.job;
      applications.push({
        name: src.application,
        chart: src.chart,
        version: src.version,
        objects: r.objects.length,
      });
    }
    return {
      objects,
      files,
      findings,
      stats: {
        sources: sources.length,
        rendered: applications.length,
        objects: objects.length,
        runs: jobs.length + again.length,
        schemaNotLoaded: outputs.filter((o) => o.schemaNotLoaded).map((o) => o.job.src.application),
        applications,
        ms: Math.round(performance.now() - started),
      },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

interface Rendered extends Output {
  readonly docs: ReturnType<typeof documents>;
}

/** Each source's chart directory and value files on disk; what cannot be found is a finding. */
async function prepareJobs(
  input: CheckInput,
  sources: readonly ChartSource[],
  store: ChartStore,
  work: string,
): Promise<{ jobs: Job[]; findings: Finding[] }> {
  const jobs: Job[] = [];
  const findings: Finding[] = [];
  for (const [i, src] of sources.entries()) {
    const chart = await store.dir(src);
    if ("finding" in chart) {
      findings.push(chart.finding);
      continue;
    }
    const values = writeValueFiles(input, src, chart.dir, join(work, String(i)));
    if ("finding" in values) {
      findings.push(values.finding);
      continue;
    }
    jobs.push({ src, chartDir: chart.dir, ...values, readsApiVersions: store.readsApiVersions(chart.dir) });
  }
  return { jobs, findings };
}

/**
 * API versions of the CRDs the platform installs before any chart is rendered: those rendered as
 * manifests, and those of the groups an Application declares it installs from elsewhere
 * (`AppSpec.crds`, e.g. Gateway API from its Git repository), found in the schema directory.
 */
function installedApiVersions(input: CheckInput, schemaDir: SchemaDir | undefined): Set<string> {
  const elsewhere = input.apps.flatMap((a) =>
    (a.spec.crds ?? []).flatMap((g) => schemaDir?.crdsOfGroup(g) ?? []),
  );
  return servedApiVersions(elsewhere, crdApiVersions(input.objects.map((o) => o.object)));
}

/**
 * One chart's output as checked objects and their virtual files, one per template. A `List`
 * document is flattened as Argo CD does; findings in its items are located at the List.
 */
function chartObjects(input: CheckInput, out: Rendered): { objects: RenderedObject[]; files: OutputFile[] } {
  const { src, treeValueFiles } = out.job;
  const app = input.apps.find((a) => a.spec.name === src.application);
  const owner = app?.owner ?? src.application;
  const objects: RenderedObject[] = [];
  const byTemplate = new Map<string, string[]>();
  for (const d of out.docs) {
    const texts = byTemplate.get(d.template) ?? [];
    const items =
      isRecord(d.value) && d.value.kind === "List" && Array.isArray(d.value.items)
        ? d.value.items
        : [d.value];
    for (const object of items) {
      if (!isK8sObject(object)) continue;
      objects.push({
        file: chartFile(src.application, d.template),
        doc: texts.length,
        object,
        owner,
        ...(app ? { app } : {}),
        chart: {
          application: src.application,
          chart: src.chart,
          version: src.version,
          template: d.template,
          valueFiles: treeValueFiles,
        },
      });
    }
    texts.push(d.text);
    byTemplate.set(d.template, texts);
  }
  const files = [...byTemplate].map(([template, texts]) => ({
    path: chartFile(src.application, template),
    content: texts.join("---\n"),
    owner,
  }));
  return { objects, files };
}

/**
 * The documents of `helm template` output, each with its `# Source:` template; empty ones dropped.
 * A file of `crds/` is printed under one `# Source:` line however many documents it holds, so a
 * document without the line belongs to the template before it.
 */
export function documents(stdout: string): { template: string; text: string; value: unknown }[] {
  const out: { template: string; text: string; value: unknown }[] = [];
  let template: string | undefined;
  for (const chunk of stdout.split(/^---[ \t]*$/m)) {
    template = /^\s*# Source: (.+)/.exec(chunk)?.[1]?.trim() ?? template;
    if (template === undefined) continue;
    const text = chunk.replace(/^\n/, "");
    const value = parseBlockYaml(text);
    if (value === null || value === undefined) continue;
    out.push({ template, text: text.endsWith("\n") ? text : `${text}\n`, value });
  }
  return out;
}

async function template(
  helm: string,
  job: Job,
  kube: string,
  apiVersions: readonly string[],
): Promise<Output> {
  const args = helmTemplateArgs(job.src, job.chartDir, job.valueFiles, kube, apiVersions);
  let r = await runProgram(helm, args, { timeoutMs: 180_000 });
  // A chart whose values.schema.json `$ref`s schemas on the web (ZITADEL's) makes helm fetch them;
  // offline that fails before anything renders. Slipway's own values check covers those schemas
  // without the remote parts (SW_CHECK_VALUES), so the chart is rendered without helm's
  // validation and the gap is reported in the stats.
  if (r.code !== 0 && /failing loading "https?:\/\//.test(r.stderr)) {
    r = await runProgram(helm, [...args, "--skip-schema-validation"], { timeoutMs: 180_000 });
    if (r.code === 0) return { job, stdout: r.stdout, schemaNotLoaded: true };
  }
  if (r.code === 0) return { job, stdout: r.stdout };
  const src = job.src;
  const error = helmError(r.stderr || r.error || `exit ${r.code}`);
  const where = error.template ? ` in ${error.template}` : "";
  const values = job.treeValueFiles[0];
  return {
    job,
    finding: {
      ...(values ? { file: values, doc: 0 } : src.at),
      diagnostic: diag(
        "SW_CHECK_HELM_TEMPLATE",
        `helm template of chart ${src.chart} ${src.version} (Application ${src.application}${values ? `, values ${job.treeValueFiles.join(", ")}` : ""}) failed${where}: ${error.message}`,
        {
          path: values ? [] : [...src.path, "helm"],
          hint: "Argo CD would fail the same way: fix the values the chart rejects (the component that renders them), then run slipway check --render-charts again.",
        },
      ),
    },
  };
}

/** helm's `Error: … at (chart/templates/x.yaml:27:7): message` split into template and message. */
export function helmError(stderr: string): { message: string; template?: string } {
  const lines = stderr.split("\n").map((l) => l.trim());
  const start = lines.findIndex((l) => l.startsWith("Error:"));
  // helm's message may go on for lines (schema violations list one per line) until a blank line.
  const rest = start < 0 ? [] : lines.slice(start + 1);
  const end = rest.findIndex((l) => l === "" || l.startsWith("Use --debug"));
  const text = (
    start < 0
      ? (lines.filter((l) => l !== "").pop() ?? "")
      : [lines[start] as string, ...(end < 0 ? rest : rest.slice(0, end))].join(" ")
  ).replace(/^Error:\s*/, "");
  const m = /\bat \(([^():]+):\d+:\d+\):\s*/.exec(text);
  return m?.[1] ? { message: text, template: m[1] } : { message: text };
}

/**
 * Writes the value files of one source for helm: `$ref/path` from the rendered tree (the
 * repository the `ref` source names is this one), a plain path from inside the chart, then
 * `valuesObject` (or `values`), which Argo CD applies after the files.
 */
function writeValueFiles(
  input: CheckInput,
  src: ChartSource,
  chartDir: string,
  dir: string,
): { valueFiles: string[]; treeValueFiles: string[] } | { finding: Finding } {
  mkdirSync(dir, { recursive: true });
  const h = src.helm;
  const valueFiles: string[] = [];
  const treeValueFiles: string[] = [];
  const files = new Map(input.files.map((f) => [f.path, f]));
  const listed = Array.isArray(h.valueFiles) ? h.valueFiles : [];
  for (const [i, entry] of listed.entries()) {
    if (typeof entry !== "string") continue;
    const missing = (why: string): { finding: Finding } | undefined =>
      h.ignoreMissingValueFiles === true
        ? undefined
        : {
            finding: {
              ...src.at,
              diagnostic: diag(
                "SW_CHECK_HELM_VALUES",
                `Application ${src.application}: value file ${entry} ${why}`,
                {
                  path: [...src.path, "helm", "valueFiles", i],
                  hint: "Argo CD fails the sync when a value file is missing: render it, or fix the path.",
                },
              ),
            },
          };
    const ref = /^\$([^/]+)\/(.+)$/.exec(entry);
    if (ref) {
      const [, name, path] = ref as unknown as [string, string, string];
      const f = src.refs.has(name) ? files.get(path) : undefined;
      if (!f) {
        const m = missing(
          src.refs.has(name) ? "is not in the rendered tree" : `names no source with ref ${name}`,
        );
        if (m) return m;
        continue;
      }
      const out = join(dir, `${valueFiles.length}.yaml`);
      writeFileSync(out, f.content);
      valueFiles.push(out);
      treeValueFiles.push(path);
      continue;
    }
    const inChart = join(chartDir, entry);
    if (/^[a-z]+:\/\//.test(entry) || entry.split(/[\\/]/).includes("..") || !existsSync(inChart)) {
      const m = missing("is not a file inside the chart (remote value files are not fetched)");
      if (m) return m;
      continue;
    }
    valueFiles.push(inChart);
  }
  const inline = isRecord(h.valuesObject)
    ? JSON.stringify(h.valuesObject)
    : typeof h.values === "string"
      ? h.values
      : undefined;
  if (inline !== undefined && inline.trim() !== "") {
    const out = join(dir, "inline.yaml");
    writeFileSync(out, inline);
    valueFiles.push(out);
  }
  return { valueFiles, treeValueFiles };
}

/** Finds each source's chart: local directory, then cache, then `helm pull` (unless offline). */
class ChartStore {
  readonly #helm: string;
  readonly #opts: ChartOptions;
  #local: Map<string, string> | undefined;
  readonly #pulls = new Map<string, Promise<{ dir: string } | { error: string }>>();
  readonly #reads = new Map<string, boolean>();

  constructor(helm: string, opts: ChartOptions) {
    this.#helm = helm;
    this.#opts = opts;
  }

  async dir(src: ChartSource): Promise<{ dir: string } | { finding: Finding }> {
    const key = chartKey(src.chart, src.version);
    const local = this.#index().get(key);
    if (local) return { dir: local };
    const cacheRoot = this.#opts.cacheDir ?? join(homedir(), ".cache", "slipway", "charts");
    const target = join(cacheRoot, safe(src.repoURL), safe(src.chart), safe(src.version));
    if (existsSync(join(target, "Chart.yaml"))) return { dir: target };
    const fail = (why: string) => ({
      finding: {
        ...src.at,
        diagnostic: diag(
          "SW_CHECK_HELM_CHART",
          `Application ${src.application}: chart ${src.chart} ${src.version} from ${src.repoURL} ${why}`,
          {
            path: [...src.path, "chart"],
            hint: "Pass --charts DIR (or SLIPWAY_CHARTS_DIR) with the chart unpacked as <chart>/<version>/, or check the chart name and targetRevision.",
          },
        ),
      },
    });
    if (this.#opts.offline) {
      return fail(`is neither in ${this.#opts.chartsDir ?? "a charts directory"} nor in the cache (offline)`);
    }
    let p = this.#pulls.get(target);
    if (!p) {
      p = pull(this.#helm, src, cacheRoot, target);
      this.#pulls.set(target, p);
    }
    const r = await p;
    return "dir" in r ? r : fail(`could not be pulled: ${r.error}`);
  }

  /** Whether any template of the chart (or its subcharts) reads `.Capabilities.APIVersions`. */
  readsApiVersions(dir: string): boolean {
    let r = this.#reads.get(dir);
    if (r === undefined) {
      r = (readdirSync(dir, { recursive: true }) as string[]).some(
        (f) =>
          /(^|[/\\])templates[/\\].+\.(ya?ml|tpl|txt)$/.test(f) &&
          readFileSync(join(dir, f), "utf8").includes("APIVersions"),
      );
      this.#reads.set(dir, r);
    }
    return r;
  }

  #index(): Map<string, string> {
    if (this.#local) return this.#local;
    const index = new Map<string, string>();
    const root = this.#opts.chartsDir;
    if (root) {
      for (const a of readdirSync(root, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort()) {
        for (const b of readdirSync(join(root, a), { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => e.name)
          .sort()) {
          const dir = join(root, a, b);
          const file = join(dir, "Chart.yaml");
          if (!existsSync(file)) continue;
          const c = parse(readFileSync(file, "utf8")) as unknown;
          if (!isRecord(c) || typeof c.name !== "string" || c.version === undefined) continue;
          const key = chartKey(c.name, String(c.version));
          if (!index.has(key)) index.set(key, dir);
        }
      }
    }
    this.#local = index;
    return index;
  }
}

/** Chart name and version as Helm compares them (`v1.2.3` and `1.2.3` are the same version). */
const chartKey = (name: string, version: string) => `${name}@${version.replace(/^v(?=\d)/, "")}`;
const safe = (s: string) => s.replace(/^[a-z]+:\/\//, "").replace(/[^A-Za-z0-9._-]+/g, "_");

/**
 * `helm pull --untar` into the cache: HTTP repositories with `--repo`, OCI ones (`oci://…` or a
 * bare registry path, as Argo CD writes them) by reference. Unpacked next to the target, then
 * renamed into place, so an interrupted pull leaves no half chart.
 */
async function pull(
  helm: string,
  src: ChartSource,
  cacheRoot: string,
  target: string,
): Promise<{ dir: string } | { error: string }> {
  mkdirSync(cacheRoot, { recursive: true });
  const tmp = mkdtempSync(join(cacheRoot, ".pull-"));
  try {
    const oci = src.repoURL.startsWith("oci://") || !/^[a-z]+:\/\//.test(src.repoURL);
    const ref = oci
      ? `oci://${src.repoURL.replace(/^oci:\/\//, "").replace(/\/+$/, "")}/${src.chart}`
      : src.chart;
    const args = ["pull", ref, "--version", src.version, "--untar", "--untardir", tmp];
    if (!oci) args.push("--repo", src.repoURL);
    const r = await runProgram(helm, args, { timeoutMs: 300_000 });
    if (r.code !== 0) return { error: helmError(r.stderr || r.error || `exit ${r.code}`).message };
    mkdirSync(join(target, ".."), { recursive: true });
    renameSync(join(tmp, src.chart), target);
    return { dir: target };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function assertHelm(helm: string): Promise<void> {
  const r = await runProgram(helm, ["version", "--short"], { timeoutMs: 30_000 });
  if (r.code === 0) return;
  throw new InputError([
    diag("SW_CHECK_HELM_MISSING", `helm (${helm}) does not run: ${r.error ?? r.stderr.trim()}`, {
      hint: "Install Helm or pass --helm PATH (or set SLIPWAY_HELM); this repository builds it with `bash tools/build.sh helm`.",
    }),
  ]);
}

/** Maps `items` with at most `limit` calls in flight, keeping their order. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
