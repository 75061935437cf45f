import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  DefaultNamespaceEntityPolicy,
  type Entity,
  EntityPolicies,
  FieldFormatEntityPolicy,
  locationEntityV1alpha1Validator,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
} from "@backstage/catalog-model";
import { templateEntityV1beta3Validator } from "@backstage/plugin-scaffolder-common";
import { describe as describeProject, generate, type Preset, presets } from "@slipway/presets";
import {
  backstageTemplateFiles,
  exportBackstageTemplates,
  TEMPLATE_DESCRIPTION_PATTERN,
} from "@slipway/presets/template";
import { Ajv } from "ajv";
import { createTemplateRenderer, type TemplateValue } from "nunjitsu";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { onboard } from "../src/index.js";
import { EXAMPLE, treeHash } from "./helpers/onboard.js";

const work = mkdtempSync(join(tmpdir(), "slipway-backstage-templates-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The templates as `slipway template backstage` writes them, read back from disk as Backstage reads them. */
const exported = join(work, "templates");
exportBackstageTemplates(exported);
const templateOf = (p: Preset) =>
  parse(readFileSync(join(exported, p.id, "template.yaml"), "utf8")) as {
    spec: {
      parameters: { properties: Record<string, { default?: unknown }>; required: string[] }[];
      steps: any[];
    };
  } & Entity;

/**
 * Backstage's engine configured as its `fetch:template` action and workflow runner configure it
 * (@backstage/plugin-scaffolder-backend 4.3.0: templateActionHandler, NunjucksWorkflowRunner).
 */
const renderer = createTemplateRenderer({ allowRegexExecution: true });

/** The runner's `render`: every string of a step's input through `renderValue`, JSON coercion. */
function renderInput(input: unknown, parameters: Record<string, unknown>): any {
  const context = renderer.prepareContext({ parameters: parameters as TemplateValue });
  return JSON.parse(JSON.stringify(input), (_key, value) => {
    try {
      if (typeof value === "string") return renderer.renderValue(value, context, { coercion: "json" });
    } catch {
      return value;
    }
    return value;
  });
}

/** `fetch:template`: every entry of the skeleton, path and content rendered, mode kept. */
function fetchTemplate(skeletonDir: string, values: unknown, outDir: string): void {
  const context = renderer.prepareContext({ values: values as TemplateValue });
  const walk = (rel: string) => {
    for (const e of readdirSync(join(skeletonDir, rel)).sort()) {
      const from = rel === "" ? e : `${rel}/${e}`;
      const to = join(outDir, renderer.render(from, context));
      const st = statSync(join(skeletonDir, from));
      if (st.isDirectory()) {
        mkdirSync(to, { recursive: true });
        walk(from);
        continue;
      }
      mkdirSync(dirname(to), { recursive: true });
      writeFileSync(to, renderer.render(readFileSync(join(skeletonDir, from), "utf8"), context), {
        mode: st.mode,
      });
    }
  };
  walk("");
}

/** What the scaffolder's form sends: the schema's defaults, then what the person typed. */
function formValues(p: Preset, typed: Record<string, unknown>): Record<string, unknown> {
  const form = templateOf(p).spec.parameters[0] as any;
  const out: Record<string, unknown> = {};
  for (const [k, prop] of Object.entries<any>(form.properties))
    if (prop.default !== undefined) out[k] = prop.default;
  Object.assign(out, typed);
  const ajv = new Ajv({ strict: false });
  expect(ajv.validate(form, out), JSON.stringify(ajv.errors)).toBe(true);
  return out;
}

/** Runs the template's fetch step into a new directory and returns it. */
function runTemplate(p: Preset, typed: Record<string, unknown>): string {
  const t = templateOf(p);
  const step = t.spec.steps.find((s: any) => s.action === "fetch:template");
  const input = renderInput(step.input, formValues(p, typed));
  const out = mkdtempSync(join(work, `${p.id}-`));
  fetchTemplate(join(exported, p.id, step.input.url), input.values, out);
  return out;
}

/** What `generate` (the engine of `slipway new`) writes for the same request, as a map. */
function filesOf(dir: string): Map<string, { content: string; mode: number }> {
  const out = new Map<string, { content: string; mode: number }>();
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel))) {
      const p = rel === "" ? e : `${rel}/${e}`;
      const st = statSync(join(dir, p));
      if (st.isDirectory()) walk(p);
      else out.set(p, { content: readFileSync(join(dir, p), "utf8"), mode: st.mode & 0o777 });
    }
  };
  walk("");
  return out;
}

const REQUESTS: Record<string, unknown>[] = [
  { name: "demo", owner: "octocat" },
  {
    name: "my-svc-2",
    owner: "Some-Org",
    description: "Orders and payments (v2), in EUR/USD.",
    system: "shop",
    lifecycle: "production",
    port: 9090,
  },
  {
    name: "a-1b",
    owner: "x",
    lifecycle: "deprecated",
    javaVersion: "25",
    artifactId: "art-x",
    groupId: "org.acme",
  },
  { name: "billing", owner: "acme", packageName: "org.foo.bar", artifactId: "zz-top", javaVersion: "21" },
];
const forPreset = (p: Preset, r: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(r).filter(([k]) => k in p.parameters.shape));

describe("presets as Backstage Software Templates", () => {
  it("exports one template per preset and a Location listing them, deterministically", () => {
    const files = backstageTemplateFiles();
    expect(files.filter((f) => f.path.endsWith("/template.yaml")).map((f) => f.path)).toEqual(
      presets.map((p) => `${p.id}/template.yaml`).sort(),
    );
    expect(backstageTemplateFiles()).toEqual(files);
    const all = parse(readFileSync(join(exported, "all.yaml"), "utf8"));
    expect(all.spec.targets).toEqual(presets.map((p) => `./${p.id}/template.yaml`));
  });

  it("every template is valid for Backstage: the scaffolder's v1beta3 schema and the catalog's entity policies", async () => {
    const policy = EntityPolicies.allOf([
      new DefaultNamespaceEntityPolicy(),
      new NoForeignRootFieldsEntityPolicy(),
      new FieldFormatEntityPolicy(),
      new SchemaValidEntityPolicy(),
    ]);
    for (const p of presets) {
      const t = templateOf(p);
      expect(await templateEntityV1beta3Validator.check(t), p.id).toBe(true);
      expect(await policy.enforce(structuredClone(t)), p.id).toBeDefined();
      expect(t.spec.steps.map((s: any) => s.action)).toEqual([
        "fetch:template",
        "publish:github",
        "catalog:register",
      ]);
    }
    const all = parse(readFileSync(join(exported, "all.yaml"), "utf8"));
    expect(await locationEntityV1alpha1Validator.check(all)).toBe(true);
    // The validator refuses a broken template (a step without its action), so the check above means something.
    const broken = templateOf(presets[0] as Preset);
    delete broken.spec.steps[0].action;
    await expect(templateEntityV1beta3Validator.check(broken)).rejects.toThrow();
  });

  for (const p of presets) {
    it(`${p.id}: the template's steps write exactly the files generate() does, for every request`, () => {
      for (const r of REQUESTS) {
        const typed = forPreset(p, r);
        const got = filesOf(runTemplate(p, typed));
        const want = generate(describeProject(p.id, typed));
        expect([...got.keys()].sort(), JSON.stringify(typed)).toEqual(want.map((f) => f.path));
        for (const f of want) {
          const g = got.get(f.path);
          expect(g?.content, `${p.id} ${f.path} ${JSON.stringify(typed)}`).toBe(f.content);
          expect(g?.mode, f.path).toBe(f.mode ?? 0o644);
        }
      }
    });
  }

  it("the template and `slipway new` produce identical repositories (paths, modes, bytes)", () => {
    for (const p of presets) {
      const typed = forPreset(p, REQUESTS[1] as Record<string, unknown>);
      const platform = join(work, `platform-${p.id}`);
      cpSync(EXAMPLE, platform, { recursive: true });
      const repo = join(work, `new-${p.id}`);
      const { name, ...parameters } = typed;
      onboard({
        platformConfig: join(platform, "platform.yaml"),
        name: name as string,
        presetId: p.id,
        parameters,
        repoOut: repo,
      });
      rmSync(join(repo, ".git"), { recursive: true, force: true });
      const fromTemplate = runTemplate(p, typed);
      // The same paths, bytes and modes (directories' modes: both made under the same umask).
      expect(filesOf(fromTemplate), p.id).toEqual(filesOf(repo));
      expect(filesOf(fromTemplate).size).toBeGreaterThan(5);
    }
  });

  it("the form accepts only descriptions every file keeps verbatim; slipway new accepts them all", () => {
    const re = new RegExp(TEMPLATE_DESCRIPTION_PATTERN);
    for (const ok of ["A service on the Slipway platform", "Orders and payments (v2), in EUR/USD."]) {
      expect(re.test(ok), ok).toBe(true);
    }
    // Characters some file escapes (XML, Markdown, YAML, JSON) or a YAML reader would retype.
    for (const bad of ["true", "a & b", "x: y", "with `code`", 'quote "x"', "trailing ", "#tag it", "123"]) {
      expect(re.test(bad), bad).toBe(false);
    }
  });

  it("the example platform carries the templates as `slipway template backstage` writes them", () => {
    const committed = join(EXAMPLE, "backstage/templates");
    expect(treeHash(committed)).toBe(treeHash(exported));
  });
});
