import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { checkInput } from "../../src/check/check.js";
import { buildCheckInput } from "../../src/check/input.js";
import { adoptFromManifests } from "../../src/init/adopt.js";
import { renderPlatform } from "../../src/synth.js";
import { SCHEMA_DIR } from "../check/helpers.js";
import { diagnosticsOf } from "../helpers/diagnostics.js";

/** An existing GitOps repository shaped like the owner's (its README says what it holds). */
const REPO = join(import.meta.dirname, "../fixtures/gitops-repo");
const tmp: string[] = [];
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});
const scratch = () => {
  const d = mkdtempSync(join(tmpdir(), "slipway-adopt-test-"));
  tmp.push(d);
  return d;
};
/** The fixture repository with `edit(dir)` applied to a copy. */
function edited(edit: (dir: string) => void): string {
  const d = scratch();
  cpSync(REPO, d, { recursive: true });
  edit(d);
  return d;
}

describe("slipway adopt --from-manifests on a repository shaped like the owner's", () => {
  const r = adoptFromManifests(REPO);
  const doc = parse(r.platformYaml) as { spec: Record<string, any> };

  it("proposes the topology it finds: remote Argo CD, Cilium, existing collector, tunnel and DNS owner", () => {
    const { cluster, components, domain, git } = doc.spec;
    expect(domain).toBe("meirong.dev");
    expect(git.repoURL).toBe("https://github.com/meirongdev/homelab-gitops.git");
    expect(cluster.destination).toEqual({ name: "homelab", server: "https://192.168.50.10:6443" });
    expect(cluster.cni).toEqual({
      plugin: "cilium",
      cilium: { exclusive: false, socketLBHostNamespaceOnly: true },
    });
    expect(components.argocd).toMatchObject({ mode: "external" });
    expect(components.otel).toMatchObject({ enabled: true, collector: "existing" });
    expect(components.cloudflare).toMatchObject({
      tunnelId: "f70ff985-a4ef-4643-bbbc-4a0ed4fc8415",
      tunnel: {
        mode: "existing",
        keep: [
          { hostname: "*.meirong.dev", service: "http://envoy-gateway.envoy-gateway-system.svc:80" },
          { service: "http_status:404" },
        ],
      },
      dns: { owner: "external-dns" },
    });
    // Loki and Tempo run where Argo CD does, not on the adopted cluster.
    expect(components.observability.loki).toEqual({
      mode: "existing",
      url: "https://loki.OTHER-CLUSTER.example",
    });
    expect(cluster.existing.namespaces).toEqual([
      "cert-manager",
      "cloudflared",
      "external-dns",
      "kube-system",
      "monitoring",
    ]);
    expect(cluster.existing.objects).toContainEqual({
      kind: "Service",
      namespace: "monitoring",
      name: "otel-collector",
    });
    // Every decision says which file shows it, and the header carries them for the reviewer.
    expect(r.notes.find((n) => n.decision.startsWith("cluster.cni"))?.evidence).toBe(
      "argocd/apps/cilium.yaml",
    );
    expect(r.platformYaml).toMatch(/^# Proposed by `slipway adopt --from-manifests`/);
  });

  it("lists what the repository installs already as a conflict, proposed disabled", () => {
    expect(r.conflicts.map((c) => [c.code, c.severity, c.location?.file])).toEqual([
      ["SW_ADOPT_INSTALLED", "warning", "argocd/apps/cert-manager.yaml"],
    ]);
    expect(doc.spec.components["cert-manager"]).toEqual({ enabled: false });
  });

  it("the proposal is a valid platform that passes check with nothing rendered over what exists", async () => {
    const d = scratch();
    const file = join(d, "platform.yaml");
    writeFileSync(file, r.platformYaml);
    const s = renderPlatform(file);
    const result = await checkInput(buildCheckInput([...s.files], s.apps), {
      schemaDir: SCHEMA_DIR,
      kubernetesVersion: "1.32",
    });
    expect(
      result.diagnostics.filter((x) => x.severity === "error").map((x) => `${x.code} ${x.message}`),
    ).toEqual([]);
  }, 60_000);

  it("blocks on an Application Slipway would replace, and on a collector at another address", () => {
    const repo = edited((d) => {
      // The owner's own Vault Application: Slipway's `vault` Application has the same name.
      const app = readFileSync(join(d, "argocd/apps/external-dns.yaml"), "utf8")
        .replaceAll("external-dns", "vault")
        .replace("chart: vault", "chart: vault-unknown");
      writeFileSync(join(d, "argocd/apps/vault.yaml"), app);
      writeFileSync(join(d, "helm-values/otel-collector.yaml"), "mode: deployment\n");
    });
    const blocked = adoptFromManifests(repo);
    expect(
      blocked.conflicts.filter((c) => c.severity === "error").map((c) => [c.code, c.location?.file]),
    ).toEqual([
      ["SW_ADOPT_COLLECTOR_ADDRESS", "argocd/apps/otel-collector.yaml"],
      ["SW_POLICY_NO_EXISTING_COLLISION", "argocd/applications/vault.yaml"],
    ]);
  });

  it("refuses a directory without YAML (SW_ADOPT_EMPTY)", () => {
    expect(diagnosticsOf(() => adoptFromManifests(scratch()))).toEqual([
      ["SW_ADOPT_EMPTY", ["--from-manifests"]],
    ]);
  });
});
