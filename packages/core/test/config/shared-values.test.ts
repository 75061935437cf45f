import { describe, expect, it } from "vitest";
import { components } from "../../src/components/index.js";
import { loadSpec } from "../../src/config/load.js";
import { writePlatform } from "../helpers/component-fixture.js";

const service = (i: number, extra: Record<string, unknown> = {}) => ({
  image: `ghcr.io/example/s${i}:1.0.${i}`,
  port: 8080,
  env: { INDEX: String(i) },
  ...extra,
});

describe("loaded services share what they have in common", () => {
  const spec = loadSpec(
    writePlatform(
      {},
      {
        a: service(1),
        b: service(2),
        c: service(3, {
          health: { liveness: "/live" },
          resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "256Mi" } },
        }),
      },
    ),
    components,
  );
  const [a, b, c] = spec.services;

  it("gives equal values one frozen object and keeps each service's own values", () => {
    expect(a?.health).toBe(b?.health);
    expect(a?.mesh).toBe(b?.mesh);
    expect(a?.resources).toBe(b?.resources);
    expect(Object.isFrozen(a?.health)).toBe(true);
    expect(Object.isFrozen(a?.resources.requests)).toBe(true);
    expect(c?.health).toEqual({ liveness: "/live", readiness: "/readyz" });
    expect(c?.health).not.toBe(a?.health);
    expect(c?.resources.requests).toEqual({ cpu: "10m", memory: "32Mi" });
    // Its limits equal the default's: shared with the others, inside its own resources object.
    expect(c?.resources).not.toBe(a?.resources);
    expect(c?.resources.limits).toBe(a?.resources.limits);
    expect([a?.env, b?.env, c?.env]).toEqual([{ INDEX: "1" }, { INDEX: "2" }, { INDEX: "3" }]);
  });

  it("refuses a change to a shared value instead of changing every service", () => {
    const health = a?.health as { liveness: string };
    expect(() => {
      health.liveness = "/other";
    }).toThrow(TypeError);
    expect(b?.health.liveness).toBe("/healthz");
  });
});
