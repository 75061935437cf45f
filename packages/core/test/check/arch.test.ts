import { describe, expect, it } from "vitest";
import { archFindings, canonicalRepository, IMAGE_ARCHES } from "../../src/check/arch.js";
import { buildCheckInput } from "../../src/check/input.js";
import { renderPlatform } from "../../src/synth.js";
import { exampleVariant } from "../helpers/example-variant.js";
import { yamlFile } from "./helpers.js";

const nodes = (...arches: string[]) =>
  arches.map((arch, i) => ({ name: `n${i}`, cpu: 4, memory: "16Gi", arch }));

function exampleOn(...arches: string[]) {
  const session = renderPlatform(exampleVariant({ nodes: nodes(...arches) }));
  return { input: buildCheckInput(session.files, session.apps), platform: session.spec.platform };
}

const deployment = (image: string) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "x", namespace: "x" },
  spec: { template: { spec: { containers: [{ name: "x", image }] } } },
});

const codes = (fs: ReturnType<typeof archFindings>) =>
  fs.map(
    (f) =>
      `${f.diagnostic.severity ?? "error"} ${f.diagnostic.code} ${f.file} ${f.diagnostic.path.join(".")}`,
  );

describe("node architecture of every image (spec.cluster.nodes[].arch)", () => {
  it("knows every image the example pins: arm64 and mixed nodes pass with no warning", () => {
    for (const arches of [["arm64"], ["amd64", "arm64"]]) {
      const { input, platform } = exampleOn(...arches);
      expect(codes(archFindings(input.objects, platform))).toEqual([]);
    }
  });

  it("fails an image not published for a node's architecture, at the container's image", () => {
    const { input, platform } = exampleOn("amd64", "arm64");
    // The same tree against a table where Vault is amd64-only: every pod running it is reported.
    const table = { ...IMAGE_ARCHES, "docker.io/hashicorp/vault": ["amd64"] as const };
    const found = codes(archFindings(input.objects, platform, table));
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((f) => f.startsWith("error SW_CHECK_IMAGE_ARCH "))).toBe(true);
    expect(found.some((f) => f.includes("backups-vault/") && f.endsWith(".image"))).toBe(true);
    // On amd64 nodes only, the same table is fine.
    const amd = exampleOn("amd64");
    expect(codes(archFindings(amd.input.objects, amd.platform, table))).toEqual([]);
  });

  it("warns about an image it cannot vouch for, only when a node is not amd64", () => {
    const input = buildCheckInput(
      [yamlFile("k8s/helm/manifests/x/deployment-x.yaml", [deployment("example.org/tool:1.0")])],
      [],
    );
    const own = buildCheckInput(
      [yamlFile("k8s/helm/manifests/x/deployment-x.yaml", [deployment("ghcr.io/acme/app:1.0")])],
      [],
    );
    const platform = (arch: string) =>
      ({ cluster: { nodes: nodes(arch) }, github: { owner: "Acme" } }) as never;
    expect(codes(archFindings(input.objects, platform("arm64")))).toEqual([
      "warning SW_CHECK_IMAGE_ARCH k8s/helm/manifests/x/deployment-x.yaml spec.template.spec.containers.0.image",
    ]);
    expect(codes(archFindings(input.objects, platform("amd64")))).toEqual([]);
    // The platform's own services are built for both by the preset CI.
    expect(codes(archFindings(own.objects, platform("arm64")))).toEqual([]);
  });

  it("names images the way registries do", () => {
    expect(canonicalRepository("postgres:17.6")).toBe("docker.io/library/postgres");
    expect(canonicalRepository("cloudflare/cloudflared:2025.11.1")).toBe("docker.io/cloudflare/cloudflared");
    expect(canonicalRepository("ghcr.io/a/b:1@sha256:00")).toBe("ghcr.io/a/b");
    expect(canonicalRepository("localhost:5000/app:1")).toBe("localhost:5000/app");
  });
});
