import { existsSync } from "node:fs";
import { type Diagnostic, diag, InputError } from "../diagnostics.js";
import { paths } from "../render/apps.js";
import type { OutputFile } from "../render/files.js";
import { apiGroup } from "../render/k8s.js";
import type { RenderedApp } from "../render/render.js";
import { type ChartOptions, type ChartRender, type ChartStats, renderCharts } from "./charts.js";
import {
  buildCheckInput,
  type ChartOrigin,
  type CheckInput,
  isRecord,
  type RenderedObject,
} from "./input.js";
import { type Finding, withLocations } from "./locate.js";
import { policies as defaultPolicies } from "./policies/index.js";
import type { Policy } from "./policy.js";
import { HelmSchemas } from "./schemas/helm-values.js";
import { validateWithModel } from "./schemas/kube-models.js";
import { removedApi } from "./schemas/removed-apis.js";
import { type CrdSchema, crdSchema, rootedSchema, SchemaDir } from "./schemas/schema-dir.js";
import { type SchemaFinding, validateStructural } from "./schemas/structural.js";

export interface CheckOptions {
  /**
   * Directory of upstream schemas (CRDs, core JSON schemas, charts' values schemas); without it
   * objects are validated offline with the bundled `@kubernetes-models` packages only.
   */
  readonly schemaDir?: string;
  /** The platform's `cluster.kubernetesVersion`, e.g. `1.32`: picks the core schemas. */
  readonly kubernetesVersion: string;
  /** @default every policy in `policies/index.ts` */
  readonly policies?: readonly Policy[];
  /**
   * Render every chart Application with `helm template` as Argo CD would, and check the objects
   * the charts render too (schemas, and the policies marked `chartOutput`). Off by default: it
   * needs Helm and the charts.
   */
  readonly charts?: ChartOptions;
}

export interface CheckStats {
  readonly files: number;
  readonly objects: number;
  readonly applications: number;
  /** Objects validated against each kind of schema. */
  readonly validated: { readonly crd: number; readonly core: number; readonly model: number };
  /** `apiVersion kind` of objects no schema covered. */
  readonly unvalidatedKinds: readonly string[];
  /** Helm values files validated against a chart's values.schema.json. */
  readonly valuesChecked: number;
  /** Charts (`schemaRef` or `repo chart`) whose values could not be validated: no schema. */
  readonly valuesWithoutSchema: readonly string[];
  /** Charts whose schema `$ref`s schemas on the web: those subtrees were not validated. */
  readonly valuesPartiallyValidated: readonly string[];
  readonly policies: readonly string[];
  /** With {@link CheckOptions.charts}: what `helm template` rendered. */
  readonly charts?: ChartStats;
}

export interface CheckResult {
  /** Sorted by file, line, column and code. */
  readonly diagnostics: readonly Diagnostic[];
  readonly stats: CheckStats;
  /** With {@link CheckOptions.charts}: the objects the charts rendered and their virtual files (for `checkServer`'s `extra`). */
  readonly charts?: Pick<ChartRender, "objects" | "files">;
}

/** The parts of a render session `check` reads; `files` is iterated once. */
export interface CheckSession {
  readonly files: Iterable<OutputFile>;
  readonly apps: readonly RenderedApp[];
}

/**
 * Validates the rendered tree in memory: every object against its schema (bundled models, and the
 * schema directory's CRDs in strict mode and core strict schemas), every chart's values against
 * its values.schema.json merged over its defaults, and every policy rule. Throws InputError
 * (SW_CHECK_SCHEMA_DIR) when `schemaDir` does not exist, or has core schema sets but not the one of
 * `kubernetesVersion` (a directory with none, such as the `schemas pull` cache, uses the bundled models).
 * @example const { diagnostics } = await check(renderPlatform("platform.yaml"), { kubernetesVersion: "1.32" });
 */
export async function check(session: CheckSession, opts: CheckOptions): Promise<CheckResult> {
  return checkInput(buildCheckInput(session.files, session.apps), opts);
}

/** {@link check} over an already collected input (shared with the budget, or built by tests). */
export async function checkInput(input: CheckInput, opts: CheckOptions): Promise<CheckResult> {
  if (opts.schemaDir !== undefined && !existsSync(opts.schemaDir)) {
    throw new InputError([
      diag("SW_CHECK_SCHEMA_DIR", `schema directory ${opts.schemaDir} does not exist`, {
        hint: "Pass --schemas DIR or set SLIPWAY_SCHEMA_DIR to a directory of upstream schemas (CI: ../shared/upstream).",
      }),
    ]);
  }
  const findings: Finding[] = [];
  const dir = opts.schemaDir ? new SchemaDir(opts.schemaDir, opts.kubernetesVersion) : undefined;
  // A directory with core schema sets but not this version's is a mistake (a platform moved to a
  // new version would quietly be checked against none of them). One with no core sets at all (the
  // `schemas pull` cache: CRDs and chart schemas only) validates core kinds with the bundled models.
  if (dir?.hasAnyCoreSchemas() && !dir.hasCoreSchemas()) {
    throw new InputError([
      diag(
        "SW_CHECK_SCHEMA_DIR",
        `schema directory ${dir.root} has no core schemas for Kubernetes ${opts.kubernetesVersion} (${dir.coreSchemaDir()})`,
        {
          hint: `Add the kubernetes-json-schema v${opts.kubernetesVersion}.0-standalone-strict set there, or set spec.cluster.kubernetesVersion to a version it has.`,
        },
      ),
    ]);
  }
  const validated = { crd: 0, core: 0, model: 0 };
  const unvalidated = new Map<string, RenderedObject[]>();

  const charts = opts.charts
    ? await renderCharts(input, opts.charts, opts.kubernetesVersion, dir)
    : undefined;
  const objects = charts ? [...input.objects, ...charts.objects] : input.objects;
  if (charts) findings.push(...charts.findings);

  // CRDs rendered in the tree (or by its charts) define kinds too, and win: they are what gets installed.
  const local = new Map<string, CrdSchema>();
  for (const o of objects) {
    if (o.object.kind !== "CustomResourceDefinition") continue;
    const c = crdSchema(o.object, o.file);
    if (c) local.set(`${c.group}/${c.kind}`, c);
  }
  const ctx: ValidationContext = { dir, local, kubernetesVersion: opts.kubernetesVersion };
  const objectResults = await Promise.all(objects.map((o) => validateObject(o, ctx)));
  for (const [i, r] of objectResults.entries()) {
    const o = objects[i] as RenderedObject;
    if (r.by) validated[r.by]++;
    else {
      const key = `${o.object.apiVersion} ${o.object.kind}`;
      unvalidated.set(key, [...(unvalidated.get(key) ?? []), o]);
    }
    for (const f of r.findings) findings.push(o.chart ? fromChart(f, o.chart) : f);
  }
  for (const [key, objs] of unvalidated) {
    const first = objs[0] as RenderedObject;
    findings.push({
      file: first.file,
      doc: first.doc,
      diagnostic: diag(
        "SW_CHECK_NO_SCHEMA",
        `no schema for ${key} (${objs.length} object${objs.length === 1 ? "" : "s"}, first here)`,
        {
          severity: "warning",
          path: ["kind"],
          hint: dir
            ? `Add the CRD that defines ${key} under ${dir.root}, or check the apiVersion for a typo.`
            : "Run 'slipway schemas pull' once (or pass --schemas DIR / set SLIPWAY_SCHEMA_DIR) to validate custom resources against their CRDs.",
        },
      ),
    });
  }

  const values = await checkValues(input, dir);
  findings.push(...values.findings);

  const policies = opts.policies ?? defaultPolicies;
  const withCharts: CheckInput = charts ? { ...input, objects } : input;
  const origins = new Map(charts?.objects.map((o) => [o.file, o.chart]));
  for (const p of policies) {
    for (const f of p.check(p.chartOutput ? withCharts : input)) {
      const origin = origins.get(f.file);
      findings.push(origin ? fromChart(f, origin) : f);
    }
  }

  const files = new Map([...input.files, ...(charts?.files ?? [])].map((f) => [f.path, f]));
  const diagnostics = [...input.parseErrors, ...withLocations(findings, files)].sort(compareDiagnostics);
  return {
    diagnostics,
    stats: {
      files: input.files.length,
      objects: input.objects.length,
      applications: input.apps.length,
      validated,
      unvalidatedKinds: [...unvalidated.keys()].sort(),
      valuesChecked: values.checked,
      valuesWithoutSchema: values.withoutSchema,
      valuesPartiallyValidated: values.partial,
      policies: policies.map((p) => p.id),
      ...(charts ? { charts: charts.stats } : {}),
    },
    ...(charts ? { charts: { objects: charts.objects, files: charts.files } } : {}),
  };
}

/** A finding about an object a chart rendered names the Application, the chart and its values. */
function fromChart(f: Finding, c: ChartOrigin): Finding {
  const values = c.valueFiles.length > 0 ? ` from ${c.valueFiles.join(", ")}` : "";
  const d = f.diagnostic;
  return {
    ...f,
    diagnostic: {
      ...d,
      message: `${d.message} (Application ${c.application}: chart ${c.chart} ${c.version}, ${c.template})`,
      hint: `${d.hint ? `${d.hint} ` : ""}The chart renders this object${values}: fix the values that feed it, in the component that renders them.`,
    },
  };
}

interface ObjectResult {
  readonly by?: "crd" | "core" | "model";
  readonly findings: Finding[];
}

/**
 * One object against the best schema there is: the schema directory pins the versions the platform
 * deploys, so when it has the kind it is authoritative; the bundled models cover the rest.
 */
interface ValidationContext {
  readonly dir: SchemaDir | undefined;
  readonly local: ReadonlyMap<string, CrdSchema>;
  readonly kubernetesVersion: string;
}

async function validateObject(o: RenderedObject, ctx: ValidationContext): Promise<ObjectResult> {
  const { dir, kubernetesVersion } = ctx;
  const { apiVersion, kind } = o.object;
  const removed = removedApi(apiVersion, kind, kubernetesVersion);
  if (removed) {
    const message = `${kind} ${o.object.metadata.name}: ${apiVersion} is not served since Kubernetes ${removed.removedIn} (the platform runs ${kubernetesVersion})`;
    return {
      by: "core",
      findings: [
        {
          file: o.file,
          doc: o.doc,
          diagnostic: diag("SW_CHECK_NOT_SERVED", message, {
            path: ["apiVersion"],
            hint: `Use ${removed.use}.`,
          }),
        },
      ],
    };
  }
  const group = apiGroup(apiVersion);
  const version = apiVersion.slice(apiVersion.indexOf("/") + 1);
  const out = (by: ObjectResult["by"], fs: readonly SchemaFinding[]): ObjectResult => ({
    ...(by ? { by } : {}),
    findings: fs.map((f) => ({
      file: o.file,
      doc: o.doc,
      diagnostic: diag(f.code, `${kind} ${o.object.metadata.name}: ${f.message}`, {
        path: f.path,
        hint:
          f.code === "SW_CHECK_UNKNOWN_FIELD"
            ? "The API server silently drops unknown fields; fix the name or remove the field."
            : `Fix the value so it matches the ${kind} ${apiVersion} schema.`,
      }),
    })),
  });
  const crd = ctx.local.get(`${group}/${kind}`) ?? dir?.crd(group, kind);
  if (crd) {
    const v = crd.versions.find((x) => x.name === version);
    if (!v?.served) {
      const served = crd.versions.filter((x) => x.served).map((x) => `${group}/${x.name}`);
      return {
        by: "crd",
        findings: [
          {
            file: o.file,
            doc: o.doc,
            diagnostic: diag(
              "SW_CHECK_NOT_SERVED",
              `${kind} ${o.object.metadata.name}: ${apiVersion} is ${v ? "not served" : "not a version"} of the ${kind} CRD (${crd.source})`,
              {
                path: ["apiVersion"],
                hint: `Use a served version: ${served.join(", ") || "none is served"}.`,
              },
            ),
          },
        ],
      };
    }
    if (v.schema) {
      return out("crd", validateStructural(o.object, rootedSchema(v.schema), { pruning: true }));
    }
  } else if (dir) {
    const core = dir.core(group, version, kind);
    if (core) return out("core", validateStructural(o.object, core, { pruning: false }));
  }
  const m = await validateWithModel(o.object);
  return m.modelled ? out("model", m.findings) : { findings: [] };
}

async function checkValues(
  input: CheckInput,
  dir: SchemaDir | undefined,
): Promise<{ findings: Finding[]; checked: number; withoutSchema: string[]; partial: string[] }> {
  const findings: Finding[] = [];
  const withoutSchema = new Set<string>();
  const partial = new Set<string>();
  let checked = 0;
  const helm = dir ? new HelmSchemas(dir.root) : undefined;
  for (const a of input.apps) {
    const h = a.spec.helm;
    if (!h) continue;
    const file = paths.values(a.spec.name);
    const rendered = input.parsed.get(file)?.docs[0];
    const values = isRecord(rendered) ? rendered : h.values;
    if (helm && h.schemaRef && !(await helm.chart(h.schemaRef))) {
      findings.push({
        file,
        doc: 0,
        diagnostic: diag(
          "SW_CHECK_NO_SCHEMA",
          `chart ${h.chart}: schemaRef ${h.schemaRef} is not in the schema directory`,
          {
            severity: "warning",
            hint: `Add the chart's values.yaml and values.schema.json under ${h.schemaRef}, or fix the schemaRef.`,
          },
        ),
      });
    }
    const result = helm && h.schemaRef ? await helm.validate(h.schemaRef, values) : undefined;
    if (!result) {
      withoutSchema.add(h.schemaRef ?? `${h.repoURL} ${h.chart}`);
      continue;
    }
    checked++;
    const remote = h.schemaRef ? (await helm?.chart(h.schemaRef))?.remoteRefs : undefined;
    if (remote && h.schemaRef) partial.add(`${h.schemaRef} (${remote} remote $refs)`);
    for (const f of result) {
      findings.push({
        file,
        doc: 0,
        diagnostic: diag(
          "SW_CHECK_VALUES",
          `values of chart ${h.chart} ${h.version} (Application ${a.spec.name}): ${f.message}`,
          {
            path: f.path,
            hint:
              f.code === "SW_CHECK_UNKNOWN_FIELD"
                ? `The chart's values.schema.json (${h.schemaRef}) has no such key: Helm would refuse to render.`
                : `Merged over the chart's defaults as Helm does, the values do not match ${h.schemaRef}/values.schema.json.`,
          },
        ),
      });
    }
  }
  return { findings, checked, withoutSchema: [...withoutSchema].sort(), partial: [...partial].sort() };
}

function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  const fa = a.location?.file ?? "";
  const fb = b.location?.file ?? "";
  if (fa !== fb) return fa < fb ? -1 : 1;
  const la = a.location?.line ?? 0;
  const lb = b.location?.line ?? 0;
  if (la !== lb) return la - lb;
  const ca = a.location?.col ?? 0;
  const cb = b.location?.col ?? 0;
  if (ca !== cb) return ca - cb;
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}
