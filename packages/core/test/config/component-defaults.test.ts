import { describe, expect, it } from "vitest";
import { components } from "../../src/components/index.js";
import { renderPlatform } from "../../src/synth.js";
import { writePlatform } from "../helpers/component-fixture.js";

/**
 * Components read `ctx.config` as loaded: the platform schema gives an omitted component (or one
 * written as `{ enabled: true }`) every default of its config, so no component re-parses it.
 */
describe("component config defaults at load", () => {
  it.each([
    ["no components key at all", undefined],
    ["only enabled flags", { argocd: { enabled: true }, gateway: { enabled: true } }],
  ])("every component's config is complete: %s", (_name, given) => {
    const session = renderPlatform(writePlatform(given as Record<string, unknown> | undefined), components);
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
