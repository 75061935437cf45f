import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { components } from "../../src/components/index.js";
import { renderPlatform } from "../../src/synth.js";

const dir = mkdtempSync(join(tmpdir(), "slipway-component-defaults-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function platform(components: Record<string, unknown> | undefined): string {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    stringify({
      apiVersion: "slipway.dev/v1alpha1",
      kind: "Platform",
      metadata: { name: "test" },
      spec: {
        domain: "example.dev",
        git: { repoURL: "https://github.com/example/platform.git" },
        github: { owner: "example" },
        cluster: { distribution: "k3s", nodes: [{ name: "node-1", cpu: 4, memory: "16Gi" }] },
        ...(components !== undefined ? { components } : {}),
      },
    }),
  );
  return file;
}

/**
 * Components read `ctx.config` as loaded: the platform schema gives an omitted component (or one
 * written as `{ enabled: true }`) every default of its config, so no component re-parses it.
 */
describe("component config defaults at load", () => {
  it.each([
    ["no components key at all", undefined],
    ["only enabled flags", { argocd: { enabled: true }, gateway: { enabled: true } }],
  ])("every component's config is complete: %s", (_name, given) => {
    const session = renderPlatform(platform(given as Record<string, unknown> | undefined), components);
    const loaded = session.spec.platform.components;
    for (const c of components) {
      const { enabled: _enabled, ...rest } = loaded[c.id] as Record<string, unknown>;
      expect(rest, c.id).toEqual(c.config.parse({}));
    }
    expect(loaded.argocd).toMatchObject({
      enabled: true,
      hostname: { subdomain: "argocd", exposure: "internal" },
      imageUpdater: { enabled: true },
    });
    expect([...session.files].some((f) => f.path === "argocd/applications/argocd-image-updater.yaml")).toBe(
      true,
    );
  });
});
