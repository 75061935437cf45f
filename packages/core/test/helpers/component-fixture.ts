import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { z } from "zod";
import { components as defaultComponents } from "../../src/components/index.js";
import { type AnyComponent, defineComponent } from "../../src/render/component.js";
import type { K8sObject } from "../../src/render/k8s.js";
import type {
  DatabaseDecl,
  HostnameDecl,
  VaultKubernetesRoleDecl,
  VaultPolicyDecl,
} from "../../src/render/plan.js";
import { renderPlatform } from "../../src/synth.js";

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

export function writePlatform(components: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "slipway-component-"));
  const doc = {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "Platform",
    metadata: { name: "test" },
    spec: {
      domain: "example.dev",
      git: { repoURL: "https://github.com/example/platform.git" },
      github: { owner: "example" },
      cluster: { distribution: "k3s", nodes: [{ name: "node-1", cpu: 4, memory: "16Gi" }] },
      // Every component named explicitly: an absent key gets only `{ enabled }`, not its config
      // defaults (zod 4 `.default` does not parse the default; see the report on spec/schema.ts).
      components: { ...Object.fromEntries(defaultComponents.map((c) => [c.id, {}])), ...components },
    },
  };
  const file = join(dir, "platform.yaml");
  writeFileSync(file, stringify(doc));
  return file;
}

export interface RenderedTree {
  readonly files: ReadonlyMap<string, string>;
  readonly session: ReturnType<typeof renderPlatform>;
  /** Every YAML document in files under `prefix`, parsed. */
  objects(prefix: string): K8sObject[];
  /** The parsed YAML or JSON file at `path` (throws when absent). */
  read<T = unknown>(path: string): T;
}

export function renderComponents(
  components: Record<string, unknown>,
  extra: readonly AnyComponent[] = [],
): RenderedTree {
  const session = renderPlatform(writePlatform(components), [...defaultComponents, ...extra]);
  const files = new Map<string, string>();
  for (const f of session.files) files.set(f.path, f.content);
  return {
    files,
    session,
    objects(prefix) {
      return [...files.entries()]
        .filter(([p]) => p.startsWith(prefix) && p.endsWith(".yaml"))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([, c]) => parse(c) as K8sObject);
    },
    read<T>(path: string): T {
      const c = files.get(path);
      if (c === undefined) throw new Error(`not rendered: ${path}`);
      return (path.endsWith(".json") ? JSON.parse(c) : parse(c)) as T;
    },
  };
}
