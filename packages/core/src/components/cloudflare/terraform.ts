import { diag, InputError } from "../../diagnostics.js";
import type { FileContent } from "../../render/component.js";
import type { HostnameDecl } from "../../render/plan.js";
import { GATEWAY } from "../gateway/ref.js";
import { lazyList, lazyMap, terraformJson, terraformJsonChunks, tfName, tfRef } from "./tf-json.js";

export const CLOUDFLARE_TERRAFORM_DIR = "cloudflare/terraform";

export interface TunnelIds {
  readonly zoneId?: string | undefined;
  readonly accountId?: string | undefined;
  readonly tunnelId?: string | undefined;
  readonly tunnelName: string;
}

/** Where the tunnel sends every public hostname: the platform gateway, plain HTTP inside the cluster. */
export const gatewayOrigin = (): string => `http://${GATEWAY.serviceHost}:${GATEWAY.servicePort}`;

/** A public hostname and who declared it (named in its DNS record's comment). */
interface PublicHost {
  readonly host: string;
  readonly owner: string;
}

/** Public hostnames, each once, sorted by hostname: the order of the tunnel's rules. */
function publicHostnames(hostnames: readonly HostnameDecl[]): PublicHost[] {
  const seen = new Map<string, string>();
  for (const h of hostnames) {
    if (!h.public) continue;
    const prev = seen.get(h.host);
    if (prev !== undefined && prev !== h.owner) {
      throw new InputError([
        diag("SW_CLOUDFLARE_DUPLICATE_HOSTNAME", `${h.host} is declared by both ${prev} and ${h.owner}`, {
          hint: "A public hostname routes to one backend; change one subdomain.",
        }),
      ]);
    }
    seen.set(h.host, h.owner);
  }
  return [...seen]
    .map(([host, owner]) => ({ host, owner }))
    .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
}

function variable(description: string, value: string | undefined): Record<string, unknown> {
  // A configured id becomes the default; without one, `terraform apply` asks (or reads TF_VAR_*).
  return { type: "string", description, ...(value !== undefined ? { default: value } : {}) };
}

/**
 * DNS and tunnel ingress as Terraform JSON (Cloudflare provider v5): a proxied CNAME per public
 * hostname onto the tunnel (TLS ends at Cloudflare's edge) and the remotely-managed tunnel's
 * ingress rules, each public hostname to the gateway, then the catch-all 404 cloudflared requires.
 * The API token is read by the provider from CLOUDFLARE_API_TOKEN; it is never written here.
 */
export function* cloudflareTerraformFiles(
  ids: TunnelIds,
  hostnames: readonly HostnameDecl[],
): Generator<{ path: string; content: FileContent }> {
  const hosts = publicHostnames(hostnames);
  const providers = {
    terraform: {
      required_version: ">= 1.6.0",
      required_providers: { cloudflare: { source: "cloudflare/cloudflare", version: "~> 5.0" } },
    },
    provider: { cloudflare: {} },
  };
  yield { path: `${CLOUDFLARE_TERRAFORM_DIR}/providers.tf.json`, content: terraformJson(providers) };
  const variables = {
    variable: {
      zone_id: variable("Cloudflare zone id of the platform domain (not a secret)", ids.zoneId),
      account_id: variable("Cloudflare account id that owns the tunnel (not a secret)", ids.accountId),
      tunnel_id: variable(`Id of the remotely-managed tunnel ${ids.tunnelName} (not a secret)`, ids.tunnelId),
    },
  };
  yield { path: `${CLOUDFLARE_TERRAFORM_DIR}/variables.tf.json`, content: terraformJson(variables) };
  // The two files of one entry per public hostname are made in pieces, as they are written.
  const tunnel = () => ({
    resource: {
      cloudflare_zero_trust_tunnel_cloudflared_config: {
        [tfName(ids.tunnelName)]: {
          account_id: tfRef("var.account_id"),
          tunnel_id: tfRef("var.tunnel_id"),
          config: {
            ingress: lazyList(ingress(hosts)),
          },
        },
      },
    },
  });
  yield { path: `${CLOUDFLARE_TERRAFORM_DIR}/tunnel.tf.json`, content: () => terraformJsonChunks(tunnel()) };
  if (hosts.length > 0) {
    const records = () => ({ resource: { cloudflare_dns_record: lazyMap(dnsRecords(hosts)) } });
    yield { path: `${CLOUDFLARE_TERRAFORM_DIR}/dns.tf.json`, content: () => terraformJsonChunks(records()) };
  }
}

/** The tunnel's ingress rules: each public hostname to the gateway, then the catch-all 404. */
function* ingress(hosts: readonly PublicHost[]): Generator<Record<string, string>> {
  for (const { host } of hosts) yield { hostname: host, service: gatewayOrigin() };
  yield { service: "http_status:404" };
}

/** One proxied CNAME onto the tunnel per public hostname, sorted by Terraform name as JSON keys are. */
function* dnsRecords(hosts: readonly PublicHost[]): Generator<readonly [string, Record<string, unknown>]> {
  const byName = hosts
    .map(({ host, owner }) => [tfName(host), host, owner] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [i, [id, host, owner]] of byName.entries()) {
    if (id === byName[i - 1]?.[0]) {
      throw new InputError([
        diag("SW_CLOUDFLARE_RECORD_NAME_CLASH", `two hostnames map to the Terraform name ${id}`, {
          hint: "Hostnames differing only in characters other than letters, digits and '-' collide; rename one.",
        }),
      ]);
    }
    yield [
      id,
      {
        zone_id: tfRef("var.zone_id"),
        name: host,
        type: "CNAME",
        content: `${tfRef("var.tunnel_id")}.cfargotunnel.com`,
        proxied: true,
        // 1 = automatic, the only TTL Cloudflare allows for proxied records.
        ttl: 1,
        comment: `Managed by Slipway (${owner})`,
      },
    ];
  }
}
