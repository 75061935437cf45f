import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { expect } from "vitest";
import { parse, parseAllDocuments, stringify } from "yaml";
import { z } from "zod";
import { components as defaultComponents } from "../../src/components/index.js";
import { type AnyComponent, defineComponent } from "../../src/render/component.js";
import type { OutputFile } from "../../src/render/files.js";
import type { K8sObject } from "../../src/render/k8s.js";
import type {
  DatabaseDecl,
  HostnameDecl,
  VaultKubernetesRoleDecl,
  VaultPolicyDecl,
} from "../../src/render/plan.js";
import { renderPlatform } from "../../src/synth.js";
import { coreValidator, crdValidator, SCHEMA_DIR, validationErrors } from "./strict-schema.js";

/**
 * Small platforms for component tests: a platform.yaml in a temp directory with the given
 * component configs, rendered in memory. `declarations` adds a component that declares
 * hostnames, databases and Vault access the way services and later capabilities do, so a
 * component's rendering of those declarations can be tested before they exist.
 */
export interface Declarations {
  readonly hostnames?: readonly HostnameDecl[];
  readonly databases?: readonly DatabaseDecl[];
  readonly vaultPolicies?: readonly VaultPolicyDecl[];
  readonly vaultKubernetesRoles?: readonly VaultKubernetesRoleDecl[];
}

export function declaring(d: Declarations): AnyComponent {
  return defineComponent({
    id: "test-declarations",
    description: "Declarations made by a test",
    dependsOn: [],
    enabledByDefault: true,
    config: z.strictObject({}),
    plan(ctx) {
      ctx.plan.hostnames.push(...(d.hostnames ?? []));
      ctx.plan.databases.push(...(d.databases ?? []));
      ctx.plan.vaultPolicies.push(...(d.vaultPolicies ?? []));
      ctx.plan.vaultKubernetesRoles.push(...(d.vaultKubernetesRoles ?? []));
    },
    *contribute() {},
  });
}

/** Service specs by name, written as `services/<name>.yaml` beside platform.yaml. */
export type ServiceSpecs = Record<string, Record<string, unknown>>;

/**
 * A platform.yaml in a new directory; `components: undefined` leaves the key out altogether.
 * `cluster` is merged over the one-node K3s cluster (topology: cni, destination, existing).
 * `spec` adds other keys of the platform's spec (e.g. `access`).
 */
export function writePlatform(
  components: Record<string, unknown> | undefined,
  services: ServiceSpecs = {},
  cluster: Record<string, unknown> = {},
  spec: Record<string, unknown> = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), "slipway-component-"));
  const doc = {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "Platform",
    metadata: { name: "test" },
    spec: {
      domain: "example.dev",
      git: { repoURL: "https://github.com/example/platform.git" },
      github: { owner: "example" },
      cluster: { distribution: "k3s", nodes: [{ name: "node-1", cpu: 4, memory: "16Gi" }], ...cluster },
      // An absent component gets its config's defaults (the schema's prefault), as in platform.yaml.
      ...(components !== undefined ? { components } : {}),
      ...spec,
    },
  };
  const file = join(dir, "platform.yaml");
  writeFileSync(file, stringify(doc));
  if (Object.keys(services).length > 0) mkdirSync(join(dir, "services"));
  for (const [name, spec] of Object.entries(services)) {
    writeFileSync(
      join(dir, "services", `${name}.yaml`),
      stringify({ apiVersion: "slipway.dev/v1alpha1", kind: "Service", metadata: { name }, spec }),
    );
  }
  return file;
}

/** A rendered object with the fields tests reach into. */
export type TestObject = K8sObject & { spec?: any; data?: any };

export interface RenderedTree {
  /** The rendered files in render order (`session.files` is a one-shot stream, read here once). */
  readonly fileList: readonly OutputFile[];
  readonly files: ReadonlyMap<string, string>;
  readonly session: ReturnType<typeof renderPlatform>;
  /** Every YAML document in files under `prefix`, parsed, in path order. */
  objects(prefix: string): TestObject[];
  /** The parsed YAML or JSON file at `path` (throws when absent). */
  read<T = TestObject>(path: string): T;
}

/** Renders the platform.yaml at `config` (see {@link writePlatform}) with the default components plus `extra`. */
export function renderFile(config: string, extra: readonly AnyComponent[] = []): RenderedTree {
  const session = renderPlatform(config, [...defaultComponents, ...extra]);
  const fileList = [...session.files];
  const files = new Map(fileList.map((f) => [f.path, f.content]));
  return {
    fileList,
    files,
    session,
    objects(prefix) {
      return [...files.entries()]
        .filter(([p]) => p.startsWith(prefix) && p.endsWith(".yaml"))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .flatMap(([, c]) => parseAllDocuments(c).map((d) => d.toJS() as TestObject));
    },
    read<T>(path: string): T {
      const c = files.get(path);
      if (c === undefined) throw new Error(`not rendered: ${path}`);
      return (path.endsWith(".json") ? JSON.parse(c) : parse(c)) as T;
    },
  };
}

export function renderComponents(
  components: Record<string, unknown>,
  extra: readonly AnyComponent[] = [],
  services: ServiceSpecs = {},
): RenderedTree {
  return renderFile(writePlatform(components, services), extra);
}

/** CRD files (under SCHEMA_DIR) of the custom kinds components render beside core objects. */
export const CRD_FILE = {
  ExternalSecret: "external-secrets/v2.9.0/external-secrets.io_externalsecrets.yaml",
  VaultDynamicSecret: "external-secrets/v2.9.0/generators.external-secrets.io_vaultdynamicsecrets.yaml",
} as const;

/**
 * Every object valid in strict mode: a kind of {@link CRD_FILE} against its CRD, the rest against
 * the strict core schemas. `Kustomization` is kustomize's input, not an API object: skipped.
 */
export function expectStrictlyValid(objs: readonly K8sObject[]): void {
  for (const o of objs) {
    if (o.kind === "Kustomization") continue;
    const crd = CRD_FILE[o.kind as keyof typeof CRD_FILE];
    const fn = crd ? crdValidator(crd, o.apiVersion, o.kind) : coreValidator(o);
    expect(validationErrors(fn, o), `${o.kind}/${o.metadata.name}`).toEqual([]);
  }
}

/**
 * Applies a CRD's `default:`s the way the API server does (ajv `useDefaults`) to a copy of an
 * object's spec; equal to the original means the server would change nothing, so Argo CD's diff
 * stays clean. Status is left out: the controller owns it.
 */
export function serverDefaulted(crdFile: string, o: K8sObject): unknown {
  const [group, version] = o.apiVersion.split("/");
  for (const doc of parseAllDocuments(readFileSync(join(SCHEMA_DIR, crdFile), "utf8"))) {
    const crd = doc.toJS() as null | {
      spec?: {
        group: string;
        names: { kind: string };
        versions: { name: string; schema: { openAPIV3Schema: { properties: Record<string, unknown> } } }[];
      };
    };
    if (!crd?.spec || crd.spec.group !== group || crd.spec.names.kind !== o.kind) continue;
    const schema = crd.spec.versions.find((v) => v.name === version)?.schema.openAPIV3Schema;
    if (!schema) continue;
    const ajv = new Ajv({ strict: false, useDefaults: true, validateFormats: false });
    const validate = ajv.compile({ type: "object", properties: { spec: schema.properties.spec } });
    const copy = structuredClone({ spec: o.spec });
    validate(copy);
    return copy;
  }
  throw new Error(`no ${o.kind} in ${crdFile}`);
}
