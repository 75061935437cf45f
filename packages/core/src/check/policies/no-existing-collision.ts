import { CLUSTER_SCOPED_KINDS } from "../../render/k8s.js";
import { type CheckInput, isRecord, type RenderedObject } from "../input.js";
import type { Finding } from "../locate.js";
import { definePolicy, describe, objectFinding, policyDiag } from "../policy.js";

/** Where the argocd component renders the inventory (components/argocd/existing.ts; not imported: check stays free of components). */
const INVENTORY = "argocd/existing.yaml";

interface Existing {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly declaredBy?: string;
}

interface Inventory {
  readonly argocd?: { readonly mode?: string };
  readonly objects: readonly Existing[];
  readonly dns?: { readonly owner?: string; readonly foreignNames?: readonly string[] };
  readonly tunnel?: { readonly keptRules?: readonly Record<string, unknown>[] };
}

const key = (kind: string, namespace: string | undefined, name: string) =>
  `${kind}/${namespace ?? ""}/${name}`;

/**
 * Nothing rendered replaces or collides with what exists and is not Slipway's (ADR 0013), as
 * `argocd/existing.yaml` lists it: no object (the tree's or a chart's) with the kind, namespace
 * and name of an existing one, counting the Deployment and Service the OpenTelemetry operator makes
 * from an `OpenTelemetryCollector`; no Argo CD install while Argo CD is external; no DNS record
 * where external-dns owns the zone or for a name another owner keeps; and an existing tunnel's
 * rendered rules end with the rules it keeps (its wildcard and catch-all).
 */
export const noExistingCollision = definePolicy({
  id: "no-existing-collision",
  description: "No rendered object, Argo CD install, DNS record or tunnel rule replaces what exists",
  chartOutput: true,
  *check(input) {
    const inventory = readInventory(input);
    if (!inventory) return;
    const existing = new Map(inventory.objects.map((o) => [key(o.kind, o.namespace, o.name), o]));
    const argocdExternal = inventory.argocd?.mode === "external";
    for (const o of input.objects) {
      for (const [kind, name, via] of identities(o)) {
        const ns = CLUSTER_SCOPED_KINDS.has(kind)
          ? undefined
          : (o.object.metadata.namespace ?? input.namespaceOf(o));
        const e = existing.get(key(kind, ns, name));
        if (!e) continue;
        yield objectFinding(
          this.id,
          o,
          ["metadata", "name"],
          `${describe(o, ns)}${via} would replace the existing ${kind} ${ns ? `${ns}/` : ""}${name} (${e.declaredBy ?? "spec.cluster.existing"})`,
          "Render around it: use the component's external mode (argocd.mode, otel.collector, observability.*.mode) or drop the object; if it should become Slipway's, remove it from spec.cluster.existing first.",
        );
      }
      if (argocdExternal) yield* argocdInstall(this.id, o);
    }
    yield* dnsAndTunnel(this.id, input, inventory);
  },
});

/** The kind and name an object occupies, plus what an operator makes from it. */
function identities(o: RenderedObject): [string, string, string][] {
  const { kind, metadata } = o.object;
  const out: [string, string, string][] = [[kind, metadata.name, ""]];
  if (kind === "OpenTelemetryCollector" && o.object.apiVersion.startsWith("opentelemetry.io/")) {
    // The operator names the collector's workload and Service `<name>-collector`.
    const made = `${metadata.name}-collector`;
    out.push(["Deployment", made, ` (its Deployment ${made})`], ["Service", made, ` (its Service ${made})`]);
  }
  return out;
}

function* argocdInstall(id: string, o: RenderedObject): Generator<Finding> {
  const { kind, apiVersion } = o.object;
  const spec = isRecord(o.object.spec) ? o.object.spec : {};
  if (kind === "Application" && apiVersion.startsWith("argoproj.io/")) {
    const sources = [
      ...(isRecord(spec.source) ? [spec.source] : []),
      ...(Array.isArray(spec.sources) ? spec.sources.filter(isRecord) : []),
    ];
    if (sources.some((s) => s.chart === "argo-cd" || s.chart === "argocd-image-updater")) {
      yield objectFinding(
        id,
        o,
        ["spec"],
        `${describe(o)} installs Argo CD, which is external`,
        "With argocd.mode: external the existing Argo CD is the only one; remove the Application.",
      );
    }
  }
  if (kind === "CustomResourceDefinition" && spec.group === "argoproj.io") {
    yield objectFinding(
      id,
      o,
      ["spec", "group"],
      `${describe(o)} would replace the external Argo CD's own CRD`,
      "With argocd.mode: external the existing Argo CD owns its CRDs; do not render them.",
    );
  }
}

function* dnsAndTunnel(id: string, input: CheckInput, inv: Inventory): Generator<Finding> {
  const foreign = new Set(inv.dns?.foreignNames ?? []);
  const externalDns = inv.dns?.owner === "external-dns";
  const kept = inv.tunnel?.keptRules;
  for (const [path, parsed] of input.parsed) {
    if (!path.endsWith(".tf.json")) continue;
    const resource =
      isRecord(parsed.docs[0]) && isRecord(parsed.docs[0].resource) ? parsed.docs[0].resource : {};
    const records = isRecord(resource.cloudflare_dns_record) ? resource.cloudflare_dns_record : {};
    for (const [name, r] of Object.entries(records)) {
      const host = isRecord(r) && typeof r.name === "string" ? r.name : "";
      const at = ["resource", "cloudflare_dns_record", name];
      if (externalDns) {
        yield finding(
          id,
          path,
          at,
          `DNS record ${host} is rendered, but external-dns owns the zone`,
          "With dns.owner: external-dns, Slipway renders no record; external-dns publishes the hostnames.",
        );
      } else if (foreign.has(host)) {
        yield finding(
          id,
          path,
          at,
          `DNS record ${host} is owned by another owner`,
          "Change the subdomain, or adopt the record with dns.import instead of listing it in dns.foreignNames.",
        );
      }
    }
    if (!kept) continue;
    const configs = isRecord(resource.cloudflare_zero_trust_tunnel_cloudflared_config)
      ? resource.cloudflare_zero_trust_tunnel_cloudflared_config
      : {};
    for (const [name, c] of Object.entries(configs)) {
      const ingress =
        isRecord(c) && isRecord(c.config) && Array.isArray(c.config.ingress) ? c.config.ingress : [];
      const tail = ingress.slice(Math.max(0, ingress.length - kept.length));
      if (
        tail.length === kept.length &&
        JSON.stringify(tail.map(sorted)) === JSON.stringify(kept.map(sorted))
      )
        continue;
      yield finding(
        id,
        path,
        ["resource", "cloudflare_zero_trust_tunnel_cloudflared_config", name, "config", "ingress"],
        "the existing tunnel's rules (its wildcard and catch-all) are not kept at the end of its ingress",
        "Slipway's rules go before the tunnel's own, which stay unchanged and last (cloudflare.tunnel.keep).",
      );
    }
  }
}

const sorted = (v: unknown) =>
  isRecord(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v;

function finding(
  id: string,
  file: string,
  path: (string | number)[],
  message: string,
  hint: string,
): Finding {
  return { file, doc: 0, diagnostic: policyDiag(id, message, { path, hint }) };
}

/**
 * Namespaces that exist before the first sync without being rendered: the existing ones the
 * inventory lists, and Argo CD's own when Argo CD is external. The server stage's scratch mode
 * creates them, as they are on the user's cluster.
 */
export function existingNamespaces(input: Pick<CheckInput, "parsed">): string[] {
  const inv = readInventory(input);
  if (!inv) return [];
  const out = inv.objects.filter((o) => o.kind === "Namespace").map((o) => o.name);
  if (inv.argocd?.mode === "external") out.push("argocd");
  return out;
}

function readInventory(input: Pick<CheckInput, "parsed">): Inventory | undefined {
  const doc = input.parsed.get(INVENTORY)?.docs[0];
  if (!isRecord(doc)) return undefined;
  const objects = Array.isArray(doc.objects)
    ? doc.objects.filter(
        (o): o is Existing => isRecord(o) && typeof o.kind === "string" && typeof o.name === "string",
      )
    : [];
  return { ...(doc as Omit<Inventory, "objects">), objects };
}
