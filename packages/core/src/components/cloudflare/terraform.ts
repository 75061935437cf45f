import { diag, InputError } from "../../diagnostics.js";
import type { HostnameDecl, TunnelRule } from "../../render/plan.js";
import { terraformJson, tfName, tfRef } from "../../render/terraform-json.js";
import { GATEWAY } from "../gateway/contract.js";
import { CLOUDFLARE_TERRAFORM_DIR } from "./contract.js";

export interface TunnelIds {
  readonly zoneId?: string | undefined;
  readonly accountId?: string | undefined;
  readonly tunnelId?: string | undefined;
  readonly tunnelName: string;
}

/** The tunnel and DNS settings of the cloudflare component (ADR 0013). */
export interface CloudflareTerraformConfig extends TunnelIds {
  readonly tunnel?: { readonly mode: "dedicated" | "existing"; readonly keep: readonly TunnelRule[] };
  readonly dns?: {
    readonly owner: "slipway" | "external-dns";
    readonly foreignNames: readonly string[];
    readonly import: readonly { readonly hostname: string; readonly recordId: string }[];
  };
}

const CONFIG_PATH = ["spec", "components", "cloudflare"];

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
  ids: CloudflareTerraformConfig,
  hostnames: readonly HostnameDecl[],
): Generator<{ path: string; content: string }> {
  const hosts = publicHostnames(hostnames);
  const kept = ids.tunnel?.mode === "existing" ? ids.tunnel.keep : undefined;
  const dns = ids.dns ?? { owner: "slipway", foreignNames: [], import: [] };
  refuseOwnedHosts(hosts, kept ?? [], dns);
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
  const tunnel = {
    resource: {
      cloudflare_zero_trust_tunnel_cloudflared_config: {
        [tfName(ids.tunnelName)]: {
          account_id: tfRef("var.account_id"),
          tunnel_id: tfRef("var.tunnel_id"),
          config: {
            ingress: [...ingress(hosts, kept)],
          },
        },
      },
    },
  };
  yield { path: `${CLOUDFLARE_TERRAFORM_DIR}/tunnel.tf.json`, content: terraformJson(tunnel) };
  // With external-dns owning the zone, its records route Slipway's hostnames too: none here.
  const ownsDns = dns.owner === "slipway";
  if (ownsDns && hosts.length > 0) {
    const records = { resource: { cloudflare_dns_record: Object.fromEntries(dnsRecords(hosts)) } };
    yield { path: `${CLOUDFLARE_TERRAFORM_DIR}/dns.tf.json`, content: terraformJson(records) };
  }
  // What exists in Cloudflare already is adopted, never created beside nor replaced blindly.
  const imports: Record<string, string>[] = [];
  if (kept) {
    imports.push({
      to: `cloudflare_zero_trust_tunnel_cloudflared_config.${tfName(ids.tunnelName)}`,
      id: `${tfRef("var.account_id")}/${tfRef("var.tunnel_id")}`,
    });
  }
  if (ownsDns) {
    for (const i of [...dns.import].sort((a, b) => (a.hostname < b.hostname ? -1 : 1))) {
      imports.push({
        to: `cloudflare_dns_record.${tfName(i.hostname)}`,
        id: `${tfRef("var.zone_id")}/${i.recordId}`,
      });
    }
  }
  if (imports.length > 0) {
    yield {
      path: `${CLOUDFLARE_TERRAFORM_DIR}/imports.tf.json`,
      content: terraformJson({ import: imports }),
    };
  }
}

/**
 * Refuses a Slipway hostname that another owner has: an exact hostname of a kept tunnel rule
 * (Slipway's rule, first, would take its traffic), a name whose record another owner keeps, and
 * an import for a hostname Slipway does not publish.
 */
function refuseOwnedHosts(
  hosts: readonly PublicHost[],
  kept: readonly TunnelRule[],
  dns: NonNullable<CloudflareTerraformConfig["dns"]>,
): void {
  const mine = new Map(hosts.map((h) => [h.host, h.owner]));
  const problems = [];
  for (const [i, r] of kept.entries()) {
    const owner = r.hostname !== undefined ? mine.get(r.hostname) : undefined;
    if (owner === undefined) continue;
    problems.push(
      diag("SW_CLOUDFLARE_HOST_KEPT", `${r.hostname} (${owner}) is also a rule of the existing tunnel`, {
        path: [...CONFIG_PATH, "tunnel", "keep", i, "hostname"],
        hint: "Slipway's rules come first and would take that host's traffic: change the subdomain, or remove the rule from tunnel.keep (and the tunnel) to hand the host to Slipway.",
      }),
    );
  }
  if (dns.owner === "slipway") {
    for (const [i, name] of dns.foreignNames.entries()) {
      const owner = mine.get(name);
      if (owner === undefined) continue;
      problems.push(
        diag("SW_CLOUDFLARE_DNS_FOREIGN", `${name} (${owner}) has a record another owner keeps`, {
          path: [...CONFIG_PATH, "dns", "foreignNames", i],
          hint: "Change the subdomain, or adopt the record: remove it from dns.foreignNames and list it under dns.import.",
        }),
      );
    }
    for (const [i, imp] of dns.import.entries()) {
      if (mine.has(imp.hostname)) continue;
      problems.push(
        diag("SW_CLOUDFLARE_IMPORT_UNKNOWN", `${imp.hostname} is not a public hostname of the platform`, {
          path: [...CONFIG_PATH, "dns", "import", i, "hostname"],
          hint: "Import only records of hostnames Slipway publishes (a service's or component's public subdomain).",
        }),
      );
    }
  }
  if (problems.length > 0) throw new InputError(problems);
}

/**
 * The tunnel's ingress rules: each public hostname to the gateway, then the catch-all 404; or, on
 * an existing tunnel, its own rules after Slipway's, unchanged (its wildcard keeps every other
 * host, its catch-all stays last).
 */
function* ingress(
  hosts: readonly PublicHost[],
  kept?: readonly TunnelRule[],
): Generator<Record<string, string>> {
  for (const { host } of hosts) yield { hostname: host, service: gatewayOrigin() };
  if (!kept) {
    yield { service: "http_status:404" };
    return;
  }
  for (const r of kept) {
    yield {
      ...(r.hostname !== undefined ? { hostname: r.hostname } : {}),
      ...(r.path !== undefined ? { path: r.path } : {}),
      service: r.service,
    };
  }
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
