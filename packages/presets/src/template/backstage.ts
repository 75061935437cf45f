import { toYaml } from "@slipway/core/lite";
import { diffArrays } from "diff";
import { describe, parametersJsonSchema } from "../describe.js";
import type { GeneratedFile } from "../files.js";
import { generate } from "../generate.js";
import type { Preset } from "../preset.js";
import { presets } from "../registry.js";

/**
 * Every preset as a Backstage Software Template (`scaffolder.backstage.io/v1beta3`) whose
 * `fetch:template` step renders a skeleton into the same files `slipway new` generates (ADR 0011).
 *
 * The skeleton is derived from the preset itself, never written by hand: the preset generates a
 * project with *probe* parameters (values that occur nowhere else), every occurrence of a probe
 * (and of the forms the preset derives from it: PascalCase, package path, lowercased owner) becomes
 * a `${{ values.<x> }}` expression, and the generations that differ in a choice (an enum, an
 * optional parameter given or not) are merged line by line under `{% if %}` blocks. Text that
 * would read as template syntax is kept in `{% raw %}`. The test renders the skeleton with
 * Backstage's own engine (nunjitsu, as `fetch:template` configures it) and compares with
 * `slipway new`, byte for byte.
 */

/** A file of the exported templates directory; `mode` as in {@link GeneratedFile}. */
export type TemplateExportFile = GeneratedFile;

/** Each probe: a parameter value that appears in no preset's fixed text. */
const PROBE = {
  name: "qzv-nm",
  owner: "Qzv-Owner",
  description: "Qzv description text",
  system: "qzv-system",
  port: 47613,
  groupId: "qzv.grp",
  artifactId: "qzv-art",
  packageName: "qzv.pkg.given",
} as const;

/**
 * The values the `fetch:template` step passes to the skeleton: parameters plus the forms presets
 * derive from them, each computed once in the step's input (so skeleton paths hold no filters).
 * Java values are only used by presets with Java parameters.
 */
const STEP_VALUES: Readonly<Record<string, string>> = {
  name: "${{ parameters.name }}",
  namePascal: '${{ parameters.name | replace("-", " ") | title | replace(" ", "") }}',
  nameSnake: '${{ parameters.name | replace("-", "_") }}',
  owner: "${{ parameters.owner }}",
  ownerLower: "${{ parameters.owner | lower }}",
  description: "${{ parameters.description }}",
  system: "${{ parameters.system }}",
  lifecycle: "${{ parameters.lifecycle }}",
  port: "${{ parameters.port }}",
};
const JAVA_STEP_VALUES: Readonly<Record<string, string>> = {
  groupId: "${{ parameters.groupId }}",
  javaVersion: "${{ parameters.javaVersion }}",
  /** As given (absent when not): `.slipway.json` records only what was given. */
  artifactIdGiven: "${{ parameters.artifactId }}",
  packageNameGiven: "${{ parameters.packageName }}",
  artifactId: "${{ parameters.artifactId or parameters.name }}",
  packageName:
    '${{ parameters.packageName or (parameters.groupId + "." + ((parameters.artifactId or parameters.name) | replace("-", ""))) }}',
  packagePath:
    '${{ (parameters.packageName or (parameters.groupId + "." + ((parameters.artifactId or parameters.name) | replace("-", "")))) | replace(".", "/") }}',
};

const isJava = (p: Preset) => "groupId" in p.parameters.shape;

/** A choice the skeleton branches on: one generation per option, merged under `{% if %}`. */
interface Dimension {
  readonly options: readonly {
    readonly condition: string;
    readonly parameters: Readonly<Record<string, unknown>>;
  }[];
}

function dimensions(p: Preset): Dimension[] {
  const dims: Dimension[] = [
    {
      options: ["experimental", "production", "deprecated"].map((v) => ({
        condition: `values.lifecycle == "${v}"`,
        parameters: { lifecycle: v },
      })),
    },
  ];
  if (isJava(p)) {
    dims.push(
      {
        options: ["21", "25"].map((v) => ({
          condition: `values.javaVersion == "${v}"`,
          parameters: { javaVersion: v },
        })),
      },
      {
        options: [
          { condition: "values.artifactIdGiven", parameters: { artifactId: PROBE.artifactId } },
          { condition: "true", parameters: {} },
        ],
      },
      {
        options: [
          { condition: "values.packageNameGiven", parameters: { packageName: PROBE.packageName } },
          { condition: "true", parameters: {} },
        ],
      },
    );
  }
  return dims;
}

/** Probe text → skeleton expression, longest first so a form is replaced before its parts. */
function substitutions(parameters: Readonly<Record<string, unknown>>): [string, string][] {
  const artifact = typeof parameters.artifactId === "string" ? parameters.artifactId : PROBE.name;
  const pkg =
    typeof parameters.packageName === "string"
      ? parameters.packageName
      : `${PROBE.groupId}.${artifact.replace(/[^a-z0-9_]/g, "")}`;
  const v = (x: string) => `\${{ values.${x} }}`;
  const pairs: [string, string][] = [
    [pkg.replaceAll(".", "/"), v("packagePath")],
    [pkg, v("packageName")],
    [PROBE.description, v("description")],
    [PROBE.groupId, v("groupId")],
    [PROBE.system, v("system")],
    [PROBE.owner, v("owner")],
    [PROBE.owner.toLowerCase(), v("ownerLower")],
    [PROBE.artifactId, v("artifactId")],
    ["QzvNm", v("namePascal")],
    ["qzv_nm", v("nameSnake")],
    [PROBE.name, v("name")],
    [String(PROBE.port), v("port")],
  ];
  return pairs.sort((a, b) => b[0].length - a[0].length);
}

/** Template syntax `fetch:template` would interpret: `${{`, `{%`, `{#`. */
const SYNTAX = /\$\{\{|\{%|\{#/;

/** A verbatim piece of text, kept verbatim by the template engine. */
const verbatim = (s: string) => (SYNTAX.test(s) ? `{% raw %}${s}{% endraw %}` : s);

/** One line (or path) with every probe replaced; nothing spans a newline, so merges cut cleanly. */
function templateLine(line: string, subs: readonly [string, string][]): string {
  let out = "";
  let rest = line;
  while (rest.length > 0) {
    let best: { at: number; probe: string; expr: string } | undefined;
    for (const [probe, expr] of subs) {
      const at = rest.indexOf(probe);
      if (at !== -1 && (best === undefined || at < best.at)) best = { at, probe, expr };
    }
    if (best === undefined) break;
    out += verbatim(rest.slice(0, best.at)) + best.expr;
    rest = rest.slice(best.at + best.probe.length);
  }
  return out + verbatim(rest);
}

const templateText = (text: string, subs: readonly [string, string][]) =>
  text
    .split("\n")
    .map((l) => templateLine(l, subs))
    .join("\n");

interface SkeletonFile {
  readonly content: string;
  readonly mode?: number;
}

/** A text as tokens: lines, or `{% if %}` blocks a merge made, which later merges never cut. */
type Tokens = readonly string[];

const tokens = (text: string): Tokens => text.split(/(?<=\n)/);

/** `{% if c %}A{% else %}B{% endif %}` over each run of tokens where two texts differ. */
function merge(condition: string, a: Tokens, b: Tokens): Tokens {
  const out: string[] = [];
  let left = "";
  let right = "";
  const flush = () => {
    if (left !== "" || right !== "") out.push(`{% if ${condition} %}${left}{% else %}${right}{% endif %}`);
    left = "";
    right = "";
  };
  for (const part of diffArrays([...a], [...b])) {
    if (part.added) right += part.value.join("");
    else if (part.removed) left += part.value.join("");
    else {
      flush();
      out.push(...part.value);
    }
  }
  flush();
  return out;
}

interface Variant {
  readonly tokens: Tokens;
  readonly mode?: number;
}

function skeleton(
  p: Preset,
  dims: readonly Dimension[],
  fixed: Readonly<Record<string, unknown>>,
): Map<string, Variant> {
  const [dim, ...rest] = dims;
  if (dim === undefined) {
    const parameters = {
      name: PROBE.name,
      owner: PROBE.owner,
      description: PROBE.description,
      system: PROBE.system,
      port: PROBE.port,
      ...(isJava(p) ? { groupId: PROBE.groupId } : {}),
      ...fixed,
    };
    const subs = substitutions(parameters);
    const out = new Map<string, Variant>();
    for (const f of generate(describe(p.id, parameters))) {
      out.set(templateLine(f.path, subs), {
        tokens: tokens(templateText(f.content, subs)),
        ...(f.mode !== undefined ? { mode: f.mode } : {}),
      });
    }
    return out;
  }
  const variants = dim.options.map((o) => skeleton(p, rest, { ...fixed, ...o.parameters }));
  const last = variants[variants.length - 1] as Map<string, Variant>;
  const merged = new Map<string, Variant>();
  for (const [path, file] of last) {
    let content = file.tokens;
    for (let i = variants.length - 2; i >= 0; i--) {
      const other = variants[i]?.get(path);
      if (other === undefined || other.mode !== file.mode) {
        throw new Error(`preset ${p.id}: ${path} is not generated in every variant alike`);
      }
      content = merge(dim.options[i]?.condition as string, other.tokens, content);
    }
    merged.set(path, { tokens: content, ...(file.mode !== undefined ? { mode: file.mode } : {}) });
  }
  for (const v of variants) {
    for (const path of v.keys()) {
      if (!merged.has(path)) throw new Error(`preset ${p.id}: ${path} is not generated in every variant`);
    }
  }
  return merged;
}

/** Characters a description may hold so that every file's escaping (XML, Markdown, YAML, JSON) is the identity. */
export const TEMPLATE_DESCRIPTION_PATTERN = "^[A-Za-z][A-Za-z0-9,.()/-]*( [A-Za-z0-9,.()/-]+)+$";

/**
 * The form: the preset's own parameter schema (JSON Schema from its zod schema), without the
 * `$schema` and strictness keywords react-jsonschema-form does not read, the description limited to
 * {@link TEMPLATE_DESCRIPTION_PATTERN}.
 */
function formParameters(p: Preset): Record<string, unknown> {
  const schema = parametersJsonSchema(p) as {
    properties: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  const properties: Record<string, Record<string, unknown>> = {};
  for (const [key, prop] of Object.entries(schema.properties)) {
    const { $schema: _s, ...rest } = prop;
    properties[key] = key === "description" ? { ...rest, pattern: TEMPLATE_DESCRIPTION_PATTERN } : rest;
  }
  return {
    title: p.name,
    required: [...(schema.required ?? [])],
    properties,
  };
}

/** The Template entity of one preset. */
export function softwareTemplate(p: Preset): Record<string, unknown> {
  const values = { ...STEP_VALUES, ...(isJava(p) ? JAVA_STEP_VALUES : {}) };
  return {
    apiVersion: "scaffolder.backstage.io/v1beta3",
    kind: "Template",
    metadata: {
      name: p.id,
      title: p.name,
      description: p.description,
      tags: ["slipway", p.componentType],
      annotations: { "slipway.dev/preset-version": p.version },
    },
    spec: {
      type: p.componentType,
      parameters: [formParameters(p)],
      steps: [
        {
          id: "fetch",
          name: "Generate the repository (the files slipway new writes)",
          action: "fetch:template",
          input: { url: "./skeleton", values },
        },
        {
          id: "publish",
          name: "Publish to GitHub",
          action: "publish:github",
          input: {
            repoUrl: "github.com?owner=${{ parameters.owner }}&repo=${{ parameters.name }}",
            description: "${{ parameters.description }}",
            defaultBranch: "main",
          },
        },
        {
          id: "register",
          name: "Register in the catalog",
          action: "catalog:register",
          input: {
            repoContentsUrl: "${{ steps.publish.output.repoContentsUrl }}",
            catalogInfoPath: "/catalog-info.yaml",
          },
        },
      ],
      output: {
        links: [
          { title: "Repository", url: "${{ steps.publish.output.remoteUrl }}" },
          { title: "Open in catalog", icon: "catalog", entityRef: "${{ steps.register.output.entityRef }}" },
        ],
      },
    },
  };
}

/** The skeleton of one preset: paths and contents as `fetch:template` reads them. */
export function presetSkeleton(p: Preset): Map<string, SkeletonFile> {
  const out = new Map<string, SkeletonFile>();
  for (const [path, v] of skeleton(p, dimensions(p), {})) {
    out.set(path, { content: v.tokens.join(""), ...(v.mode !== undefined ? { mode: v.mode } : {}) });
  }
  return out;
}

/**
 * Everything `slipway template backstage` writes: per preset `<id>/template.yaml` and
 * `<id>/skeleton/…`, and `all.yaml`, the Location the platform's catalog points at
 * (`backstage/catalog/all.yaml` → `../templates/all.yaml`).
 */
export function backstageTemplateFiles(): TemplateExportFile[] {
  const files: TemplateExportFile[] = [];
  for (const p of presets) {
    files.push({ path: `${p.id}/template.yaml`, content: toYaml(softwareTemplate(p)) });
    for (const [path, f] of presetSkeleton(p)) {
      files.push({
        path: `${p.id}/skeleton/${path}`,
        content: f.content,
        ...(f.mode !== undefined ? { mode: f.mode } : {}),
      });
    }
  }
  files.push({
    path: "all.yaml",
    content: toYaml({
      apiVersion: "backstage.io/v1alpha1",
      kind: "Location",
      metadata: { name: "slipway-templates", description: "Every Slipway preset as a Software Template" },
      spec: { targets: presets.map((p) => `./${p.id}/template.yaml`) },
    }),
  });
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
