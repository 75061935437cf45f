import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse } from "yaml";
import type { AppSpec } from "../../src/render/component.js";
import type { OutputFile } from "../../src/render/files.js";
import type { RenderedApp } from "../../src/render/render.js";
import { toYaml } from "../../src/render/yaml.js";

/** The upstream schema directory (CI and development: ../shared/upstream). */
export const SCHEMA_DIR =
  process.env.SLIPWAY_SCHEMA_DIR ?? join(import.meta.dirname, "../../../../../shared/upstream");

export const FIXTURES = join(import.meta.dirname, "../fixtures/check");

/** One rendered file holding `objects` (several documents when more than one). */
export function yamlFile(path: string, objects: readonly unknown[], owner = "test"): OutputFile {
  return { path, content: objects.map((o) => toYaml(o)).join("---\n"), owner };
}

/**
 * A namespaced CustomResourceDefinition serving and storing `v1` of `group`/`kind` (plural:
 * lower-case kind + "s"), whose `spec` has the schema `specSchema`.
 */
export function crdFixture(group: string, kind: string, specSchema: Record<string, unknown>) {
  const plural = `${kind.toLowerCase()}s`;
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      scope: "Namespaced",
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: { type: "object", properties: { spec: { type: "object", ...specSchema } } },
          },
        },
      ],
    },
  };
}

export function renderedApp(
  spec: Partial<AppSpec> & { name: string },
  wave = 0,
  owner = spec.name,
): RenderedApp {
  return { spec: { project: "platform", namespace: spec.name, ...spec }, owner, wave };
}

/**
 * A fixture tree on disk: every file under `dir` is a rendered file (path relative to `dir`), except
 * `apps.yaml`, which lists the rendered Applications as `{name, owner, wave, ...AppSpec}`.
 * `replacements` splice values into the text (credential-shaped strings are never committed).
 */
export function loadFixture(
  dir: string,
  replacements: Readonly<Record<string, string>> = {},
): { files: OutputFile[]; apps: RenderedApp[] } {
  const files: OutputFile[] = [];
  let apps: RenderedApp[] = [];
  for (const rel of (readdirSync(dir, { recursive: true }) as string[]).sort()) {
    const abs = join(dir, rel);
    let content: string;
    try {
      content = readFileSync(abs, "utf8");
      for (const [k, v] of Object.entries(replacements)) content = content.split(k).join(v);
    } catch {
      continue; // a directory
    }
    const path = relative(dir, abs).split("\\").join("/");
    if (path === "apps.yaml") {
      const list = (parse(content) ?? []) as (Partial<AppSpec> & {
        name: string;
        owner?: string;
        wave?: number;
      })[];
      apps = list.map(({ owner, wave, ...spec }) => renderedApp(spec, wave ?? 0, owner ?? spec.name));
    } else {
      const app = /^k8s\/helm\/manifests\/([^/]+)\//.exec(path)?.[1];
      files.push({ path, content, owner: app ?? "test" });
    }
  }
  return { files, apps };
}
