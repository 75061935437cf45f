import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkTerraform } from "../../src/check/terraform.js";
import { gatewayOrigin } from "../../src/components/cloudflare/terraform.js";
import { GATEWAY } from "../../src/components/gateway/contract.js";
import { InputError } from "../../src/diagnostics.js";
import type { K8sObject } from "../../src/render/k8s.js";
import type { HostnameDecl } from "../../src/render/plan.js";
import { declaring, expectStrictlyValid, renderComponents } from "../helpers/component-fixture.js";
import { diagnosticsOf } from "../helpers/diagnostics.js";
import { tool } from "../helpers/tools.js";

const host = (name: string, pub: boolean): HostnameDecl => ({
  host: `${name}.example.dev`,
  namespace: name,
  service: name,
  port: 8080,
  public: pub,
  protocol: "http",
  owner: `service:${name}`,
});

const ids = {
  zoneId: "0123456789abcdef0123456789abcdef",
  accountId: "fedcba9876543210fedcba9876543210",
  tunnelId: "f70ff985-a4ef-4643-bbbc-4a0ed4fc8415",
  tunnelName: "homelab",
};

interface DnsRecord {
  zone_id: string;
  name: string;
  type: string;
  content: string;
  proxied: boolean;
  ttl: number;
}

const render = (hosts: HostnameDecl[], config: Record<string, unknown> = ids) =>
  renderComponents({ cloudflare: config }, [declaring({ hostnames: hosts })]);

const records = (tree: ReturnType<typeof render>) =>
  tree.files.has("cloudflare/terraform/dns.tf.json")
    ? tree.read<{ resource: { cloudflare_dns_record: Record<string, DnsRecord> } }>(
        "cloudflare/terraform/dns.tf.json",
      ).resource.cloudflare_dns_record
    : {};

describe("cloudflare component: Terraform", () => {
  const tree = render([host("blog", true), host("admin", false), host("auth", true)]);

  it("renders one proxied CNAME onto the tunnel per public hostname, none for internal ones", () => {
    const recs = Object.values(records(tree));
    expect(recs.map((r) => r.name)).toEqual(["auth.example.dev", "blog.example.dev"]);
    for (const r of recs) {
      expect(r).toMatchObject({
        zone_id: "${var.zone_id}",
        type: "CNAME",
        content: "${var.tunnel_id}.cfargotunnel.com",
        proxied: true,
        ttl: 1,
      });
    }
  });

  it("routes each public hostname to the gateway, then a catch-all 404", () => {
    const tunnel = tree.read<{
      resource: {
        cloudflare_zero_trust_tunnel_cloudflared_config: Record<
          string,
          {
            account_id: string;
            tunnel_id: string;
            config: { ingress: { hostname?: string; service: string }[] };
          }
        >;
      };
    }>("cloudflare/terraform/tunnel.tf.json").resource.cloudflare_zero_trust_tunnel_cloudflared_config;
    expect(Object.keys(tunnel)).toEqual(["homelab"]);
    const origin = `http://${GATEWAY.serviceHost}:${GATEWAY.servicePort}`;
    expect(gatewayOrigin()).toBe(origin);
    expect(tunnel.homelab?.config.ingress).toEqual([
      { hostname: "auth.example.dev", service: origin },
      { hostname: "blog.example.dev", service: origin },
      { service: "http_status:404" },
    ]);
    expect(tunnel.homelab).toMatchObject({ account_id: "${var.account_id}", tunnel_id: "${var.tunnel_id}" });
  });

  it("puts ids in variables and no credential in any file", () => {
    const vars = tree.read<{ variable: Record<string, { default?: string }> }>(
      "cloudflare/terraform/variables.tf.json",
    );
    expect(vars.variable.zone_id?.default).toBe(ids.zoneId);
    expect(vars.variable.account_id?.default).toBe(ids.accountId);
    expect(vars.variable.tunnel_id?.default).toBe(ids.tunnelId);
    const providers = tree.read<{ provider: { cloudflare: Record<string, unknown> }; terraform: any }>(
      "cloudflare/terraform/providers.tf.json",
    );
    expect(providers.provider.cloudflare).toEqual({});
    expect(providers.terraform.required_providers.cloudflare).toMatchObject({
      source: "cloudflare/cloudflare",
      version: "~> 5.0",
    });
    for (const [path, content] of tree.files) {
      if (path.startsWith("cloudflare/"))
        expect(content, path).not.toMatch(/api_token|TUNNEL_TOKEN"?\s*[:=]\s*"[^$]/i);
    }
  });

  it("adding a service adds its record with no other change", () => {
    const before = records(render([host("blog", true)]));
    const after = records(render([host("blog", true), host("shop", true)]));
    expect(Object.keys(after).filter((k) => !(k in before))).toEqual(["shop_example_dev"]);
    expect(after.blog_example_dev).toEqual(before.blog_example_dev);
  });

  it("orders records by Terraform name, as sorted JSON keys are, also where hostname order differs", () => {
    // "a.example.dev" sorts before "a0.example.dev" ('.' < '0'), but a_example_dev after a0_example_dev.
    const t = render([host("a", true), host("a0", true), host("b-c", true)]);
    const text = t.files.get("cloudflare/terraform/dns.tf.json") as string;
    const keys = Object.keys(records(t));
    expect(keys).toEqual(["a0_example_dev", "a_example_dev", "b-c_example_dev"]);
    // The file is the conventional two-space JSON of the whole, byte for byte.
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  });

  it("refuses two public hostnames that map to one Terraform name", () => {
    const clash = () =>
      render([
        { ...host("x", true), host: "x.y.example.dev" },
        { ...host("xy", true), host: "x_y.example.dev" },
      ]);
    expect(diagnosticsOf(clash).map(([code]) => code)).toContain("SW_CLOUDFLARE_RECORD_NAME_CLASH");
  });

  it("leaves ids to Terraform when not configured", () => {
    const vars = render([], { tunnelName: "t" }).read<{ variable: Record<string, { default?: string }> }>(
      "cloudflare/terraform/variables.tf.json",
    );
    expect(vars.variable.zone_id).not.toHaveProperty("default");
  });

  it("rejects malformed ids", () => {
    expect(() => render([], { zoneId: "not-a-zone" })).toThrow(InputError);
    expect(diagnosticsOf(() => render([], { ...ids, zoneId: "not-a-zone" }))).toEqual([
      ["SW_SPEC_FORMAT", ["spec", "components", "cloudflare", "zoneId"]],
    ]);
  });
});

describe("cloudflare component: cloudflared", () => {
  const tree = render([host("blog", true)]);
  const objs = tree.objects("k8s/helm/manifests/cloudflare/");
  const dep = objs.find((o) => o.kind === "Deployment") as K8sObject & { spec: any };

  it("runs a pinned, non-root, read-only cloudflared with the token from Vault", () => {
    const pod = dep.spec.template.spec;
    const c = pod.containers[0];
    expect(c.image).toMatch(/^cloudflare\/cloudflared:\d{4}\.\d+\.\d+$/);
    expect(c.args).toEqual(["tunnel", "--no-autoupdate", "--metrics", "0.0.0.0:2000", "run"]);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(c.readinessProbe.httpGet).toMatchObject({ path: "/ready", port: "metrics" });
    expect(c.env).toEqual([
      { name: "TUNNEL_TOKEN", valueFrom: { secretKeyRef: { name: "cloudflared-tunnel", key: "token" } } },
    ]);
    const es = objs.find((o) => o.kind === "ExternalSecret") as K8sObject & { spec: any };
    expect(es.spec.data).toEqual([
      { secretKey: "token", remoteRef: { key: "cloudflare/tunnel", property: "token" } },
    ]);
    expect(objs.filter((o) => o.kind === "Secret")).toEqual([]);
  });

  it("validates strictly", () => {
    expectStrictlyValid(objs);
  });
});

/** The owner's tunnel: a wildcard onto the ingress they run, then the catch-all. */
const WILDCARD = { hostname: "*.example.dev", service: "https://traefik.kube-system.svc:443" };
const CATCH_ALL = { service: "http_status:404" };
const existingTunnel = (extra: Record<string, unknown> = {}) => ({
  ...ids,
  tunnel: { mode: "existing", keep: [WILDCARD, CATCH_ALL] },
  ...extra,
});
type Ingress = { hostname?: string; service: string }[];
const ingressOf = (tree: ReturnType<typeof render>): Ingress =>
  Object.values(
    tree.read<{
      resource: {
        cloudflare_zero_trust_tunnel_cloudflared_config: Record<string, { config: { ingress: Ingress } }>;
      };
    }>("cloudflare/terraform/tunnel.tf.json").resource.cloudflare_zero_trust_tunnel_cloudflared_config,
  )[0]?.config.ingress ?? [];

describe("cloudflare component: an existing tunnel and other DNS owners (ADR 0013)", () => {
  const mirror = mkdtempSync(join(tmpdir(), "slipway-tf-mirror-"));
  afterAll(() => rmSync(mirror, { recursive: true, force: true }));
  const tree = render([host("blog", true), host("auth", true)], existingTunnel());

  it("keeps the tunnel's wildcard and catch-all after Slipway's hosts, unchanged and in order", () => {
    const origin = gatewayOrigin();
    expect(ingressOf(tree)).toEqual([
      { hostname: "auth.example.dev", service: origin },
      { hostname: "blog.example.dev", service: origin },
      WILDCARD,
      CATCH_ALL,
    ]);
  });

  it("adopts the tunnel's configuration with an import block, and OpenTofu loads it with every reference resolved", async () => {
    expect(tree.read<{ import: unknown[] }>("cloudflare/terraform/imports.tf.json").import).toEqual([
      {
        to: "cloudflare_zero_trust_tunnel_cloudflared_config.homelab",
        id: "${var.account_id}/${var.tunnel_id}",
      },
    ]);
    const r = await checkTerraform(tree.fileList, {
      tofu: tool("tofu"),
      tfrefs: tool("slipway-tfrefs"),
      providerMirror: mirror,
    });
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(r.roots).toContainEqual({
      root: "cloudflare/terraform",
      references: "ok",
      init: "providers-unavailable",
      validate: "skipped",
    });
    // slipway-tfrefs does not read import addresses (tools/tofu/tfrefs declares the block only):
    // the address must name the resource the root declares.
    const tunnelConfig = tree.read<{ resource: Record<string, Record<string, unknown>> }>(
      "cloudflare/terraform/tunnel.tf.json",
    ).resource.cloudflare_zero_trust_tunnel_cloudflared_config;
    expect(Object.keys(tunnelConfig ?? {})).toEqual(["homelab"]);
  });

  it("deploys no second connector for an existing tunnel unless asked", () => {
    expect(tree.objects("k8s/helm/manifests/cloudflare/")).toEqual([]);
    expect(tree.files.has("k8s/helm/manifests/namespaces/namespace-cloudflare.yaml")).toBe(false);
    const withConnector = render(
      [host("blog", true)],
      existingTunnel({ tunnel: { mode: "existing", keep: [CATCH_ALL], connector: true } }),
    );
    expect(withConnector.objects("k8s/helm/manifests/cloudflare/").map((o) => o.kind)).toEqual([
      "Deployment",
      "ExternalSecret",
    ]);
  });

  it("refuses kept rules that cloudflared would refuse: no catch-all, or one before the end", () => {
    const keep = (k: unknown[]) => () => render([], { ...ids, tunnel: { mode: "existing", keep: k } });
    expect(diagnosticsOf(keep([WILDCARD]))).toEqual([
      ["SW_CLOUDFLARE_TUNNEL_CATCH_ALL", ["spec", "components", "cloudflare", "tunnel", "keep"]],
    ]);
    expect(diagnosticsOf(keep([CATCH_ALL, WILDCARD]))).toEqual([
      ["SW_CLOUDFLARE_TUNNEL_CATCH_ALL", ["spec", "components", "cloudflare", "tunnel", "keep", 0]],
    ]);
    expect(diagnosticsOf(() => render([], { ...ids, tunnel: { keep: [CATCH_ALL] } }))).toEqual([
      ["SW_CLOUDFLARE_TUNNEL_KEEP", ["spec", "components", "cloudflare", "tunnel", "keep"]],
    ]);
  });

  it("refuses a Slipway host that is an exact rule of the existing tunnel", () => {
    const cfg = existingTunnel({
      tunnel: {
        mode: "existing",
        keep: [{ hostname: "blog.example.dev", service: "http://blog.old:80" }, CATCH_ALL],
      },
    });
    expect(diagnosticsOf(() => render([host("blog", true)], cfg))).toEqual([
      ["SW_CLOUDFLARE_HOST_KEPT", ["spec", "components", "cloudflare", "tunnel", "keep", 0, "hostname"]],
    ]);
  });

  it("with external-dns owning the zone, renders no record at all", () => {
    const t = render([host("blog", true)], existingTunnel({ dns: { owner: "external-dns" } }));
    expect(t.files.has("cloudflare/terraform/dns.tf.json")).toBe(false);
    expect(t.read("argocd/existing.yaml")).toMatchObject({ dns: { owner: "external-dns" } });
  });

  it("never renders a record for a name another owner keeps; adopts an existing one by import", () => {
    expect(
      diagnosticsOf(() =>
        render([host("blog", true)], {
          ...ids,
          dns: { foreignNames: ["*.example.dev", "blog.example.dev"] },
        }),
      ),
    ).toEqual([
      ["SW_CLOUDFLARE_DNS_FOREIGN", ["spec", "components", "cloudflare", "dns", "foreignNames", 1]],
    ]);
    const recordId = "00112233445566778899aabbccddeeff";
    const t = render([host("blog", true)], {
      ...ids,
      dns: { import: [{ hostname: "blog.example.dev", recordId }] },
    });
    expect(t.read<{ import: unknown[] }>("cloudflare/terraform/imports.tf.json").import).toEqual([
      { to: "cloudflare_dns_record.blog_example_dev", id: `\${var.zone_id}/${recordId}` },
    ]);
    expect(Object.keys(records(t))).toEqual(["blog_example_dev"]);
    expect(
      diagnosticsOf(() =>
        render([host("blog", true)], {
          ...ids,
          dns: { import: [{ hostname: "www.example.dev", recordId }] },
        }),
      ),
    ).toEqual([
      ["SW_CLOUDFLARE_IMPORT_UNKNOWN", ["spec", "components", "cloudflare", "dns", "import", 0, "hostname"]],
    ]);
  });
});
