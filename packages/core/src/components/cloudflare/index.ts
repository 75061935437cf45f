import { z } from "zod";
import { dnsLabel, imageRef } from "../../config/primitives.js";
import { diag, InputError } from "../../diagnostics.js";
import { app, type ConfigOf, defineComponent, file } from "../../render/component.js";
import type { K8sObject } from "../../render/k8s.js";
import { type Resources, resourcesValue } from "../../render/resources.js";
import { externalSecret } from "../external-secrets/contract.js";
import { cloudflareTerraformFiles } from "./terraform.js";

export const CLOUDFLARE_NAMESPACE = "cloudflare";
/** Vault KV path and property of the tunnel's run token. */
export const TUNNEL_TOKEN_SECRET = { key: "cloudflare/tunnel", property: "token" } as const;

const METRICS_PORT = 2000;
const RESOURCES: Resources = { requests: { cpu: "20m", memory: "48Mi" }, limits: { memory: "128Mi" } };
const LABELS = { "app.kubernetes.io/name": "cloudflared", "app.kubernetes.io/instance": "cloudflared" };

const hexId = (what: string) =>
  z
    .string()
    .regex(/^[0-9a-f]{32}$/, { error: `must be a Cloudflare ${what} id: 32 lowercase hex characters` });

/** An exact or wildcard (`*.example.com`) hostname, as tunnel rules and DNS records name them. */
const ruleHostname = z.string().regex(/^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
  error: "must be a lowercase hostname, or a wildcard such as *.example.com",
});

/** One ingress rule of the existing tunnel, as cloudflared reads it. */
const tunnelRule = z.strictObject({
  /** Absent on the catch-all. */
  hostname: ruleHostname.optional(),
  path: z.string().min(1).optional(),
  /** Origin (`http://…`, `https://…`, `tcp://…`) or a status (`http_status:404`). */
  service: z.string().regex(/^(https?|tcp|ssh|rdp|unix|unix\+tls|http_status|hello_world|bastion)(:|$)/, {
    error: "must be a cloudflared origin such as http://svc.ns:80 or http_status:404",
  }),
});

const tunnel = z
  .strictObject({
    /**
     * `dedicated`: the platform's own tunnel, whose rules Slipway alone writes. `existing`: a tunnel
     * that also serves hosts that are not Slipway's; Slipway's rules go first and `keep` (the
     * tunnel's own rules, its wildcard and catch-all) after them, unchanged (ADR 0013).
     * @default "dedicated"
     */
    mode: z
      .enum(["dedicated", "existing"])
      .default("dedicated")
      .describe("dedicated: the platform's own tunnel; existing: one that also serves other hosts"),
    /** `existing` only: the tunnel's current rules, in order, ending with its catch-all. */
    keep: z
      .array(tunnelRule)
      .default([])
      .describe("existing only: the tunnel's current rules, in order, ending with its catch-all"),
    /**
     * Whether Slipway deploys cloudflared for the tunnel. @default true for `dedicated`, false for
     * `existing` (its connector already runs, in this cluster, so it reaches the gateway)
     */
    connector: z
      .boolean()
      .optional()
      .describe("Whether Slipway deploys cloudflared; default true for dedicated, false for existing"),
  })
  .default({ mode: "dedicated", keep: [] });

const dns = z
  .strictObject({
    /**
     * `slipway`: a proxied CNAME per public hostname (Terraform). `external-dns`: the zone's records
     * are external-dns's; Slipway renders none (ADR 0013). @default "slipway"
     */
    owner: z
      .enum(["slipway", "external-dns"])
      .default("slipway")
      .describe("slipway: a proxied CNAME per public hostname (Terraform); external-dns: none rendered"),
    /** Names whose records another owner keeps (e.g. `*.example.com`): never a Slipway record for them. */
    foreignNames: z
      .array(ruleHostname)
      .default([])
      .describe("Names whose records another owner keeps (e.g. *.example.com)"),
    /**
     * Records that exist already for a Slipway hostname: Terraform adopts them (an `import` block)
     * instead of failing to create a duplicate.
     */
    import: z
      .array(z.strictObject({ hostname: ruleHostname, recordId: hexId("DNS record") }))
      .default([])
      .describe("Existing records of Slipway hostnames that Terraform adopts instead of creating"),
  })
  .default({ owner: "slipway", foreignNames: [], import: [] });

const config = z.strictObject({
  /** Zone id of the platform domain (Cloudflare dashboard → Overview). Not a secret. */
  zoneId: hexId("zone").optional().describe("Zone id of the platform domain (not a secret)"),
  /** Account id owning the tunnel. Not a secret. */
  accountId: hexId("account").optional().describe("Account id owning the tunnel (not a secret)"),
  /** Id (UUID) of the remotely-managed tunnel; its token lives in Vault `cloudflare/tunnel`. */
  tunnelId: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, {
      error: "must be a tunnel UUID",
    })
    .optional()
    .describe("UUID of the remotely-managed tunnel; its token lives in Vault cloudflare/tunnel"),
  /** Tunnel name, used for the Terraform resource. @default "platform" */
  tunnelName: dnsLabel.default("platform").describe("Tunnel name, used for the Terraform resource"),
  /** @default "cloudflare/cloudflared:2025.11.1" */
  image: imageRef.default("cloudflare/cloudflared:2025.11.1").describe("The cloudflared image"),
  /**
   * One replica by default: on a single node a second one adds no failure domain, and the rolling
   * update below starts the new pod before stopping the old (each cloudflared holds four edge
   * connections already). Raise it on a multi-node cluster.
   */
  replicas: z
    .int()
    .min(1)
    .max(4)
    .default(1)
    .describe("cloudflared replicas (1-4); raise on a multi-node cluster"),
  tunnel: tunnel.describe(
    "dedicated: the platform's own tunnel; existing: merge into one that also serves other hosts",
  ),
  dns: dns.describe("Who owns the DNS records: slipway (Terraform) or external-dns; names other owners keep"),
});
type CloudflareConfig = z.output<typeof config>;

function deployment(c: CloudflareConfig): K8sObject {
  const probe = (path: string) => ({ httpGet: { path, port: "metrics", scheme: "HTTP" } });
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "cloudflared", namespace: CLOUDFLARE_NAMESPACE, labels: LABELS },
    spec: {
      replicas: c.replicas,
      selector: { matchLabels: LABELS },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: LABELS },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            // The image's `nonroot` user.
            runAsUser: 65532,
            runAsGroup: 65532,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [
            {
              name: "cloudflared",
              image: c.image,
              imagePullPolicy: "IfNotPresent",
              // Remotely managed: ingress rules come from Cloudflare (Terraform), only the token is local.
              args: ["tunnel", "--no-autoupdate", "--metrics", `0.0.0.0:${METRICS_PORT}`, "run"],
              env: [
                {
                  name: "TUNNEL_TOKEN",
                  valueFrom: { secretKeyRef: { name: "cloudflared-tunnel", key: "token" } },
                },
              ],
              ports: [{ name: "metrics", containerPort: METRICS_PORT, protocol: "TCP" }],
              // /ready answers 200 only while the tunnel holds at least one edge connection.
              readinessProbe: { ...probe("/ready"), periodSeconds: 10, failureThreshold: 3 },
              livenessProbe: {
                ...probe("/ready"),
                initialDelaySeconds: 10,
                periodSeconds: 10,
                failureThreshold: 6,
              },
              resources: resourcesValue(RESOURCES),
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
              },
            },
          ],
        },
      },
    },
  };
}

const deploysConnector = (c: CloudflareConfig): boolean =>
  c.tunnel.connector ?? c.tunnel.mode === "dedicated";

/**
 * The kept rules of an existing tunnel must be a valid cloudflared ingress on their own: at least
 * the catch-all, last and only last (cloudflared refuses a config whose last rule matches less
 * than everything, and never reaches a rule after it).
 */
function checkTunnelRules(c: CloudflareConfig): void {
  const at = ["spec", "components", "cloudflare", "tunnel"];
  const keep = c.tunnel.keep;
  if (c.tunnel.mode === "dedicated") {
    if (keep.length === 0) return;
    throw new InputError([
      diag("SW_CLOUDFLARE_TUNNEL_KEEP", "tunnel.keep is for an existing tunnel", {
        path: [...at, "keep"],
        hint: "Set tunnel.mode: existing to merge into a tunnel that serves other hosts, or remove tunnel.keep.",
      }),
    ]);
  }
  const catchAll = (r: (typeof keep)[number]) => r.hostname === undefined && r.path === undefined;
  const first = keep.findIndex(catchAll);
  if (first === keep.length - 1 && keep.length > 0) return;
  throw new InputError([
    diag(
      "SW_CLOUDFLARE_TUNNEL_CATCH_ALL",
      first < 0
        ? "the existing tunnel's rules must end with its catch-all"
        : `rule ${first} of the existing tunnel matches everything, so the rules after it are never reached`,
      {
        path: [...at, "keep", ...(first < 0 ? [] : [first])],
        hint: "Copy the tunnel's ingress rules in order (cloudflared tunnel ingress, or the dashboard), the last one without hostname, e.g. { service: http_status:404 }.",
      },
    ),
  ]);
}

export const cloudflare = defineComponent({
  id: "cloudflare",
  description: "Cloudflare Tunnel (cloudflared) to the gateway, and DNS + tunnel ingress as Terraform",
  dependsOn: ["gateway", "external-secrets"],
  after: [],
  enabledByDefault: true,
  // A service's public hostname gets its DNS record and tunnel route here.
  before: ["services"],
  namespaces: [CLOUDFLARE_NAMESPACE],
  config,
  plan(ctx) {
    const c = ctx.config;
    checkTunnelRules(c);
    ctx.plan.dns.owner = c.dns.owner;
    ctx.plan.dns.foreignNames.push(...c.dns.foreignNames);
    if (c.tunnel.mode === "existing") ctx.plan.tunnel = { keptRules: c.tunnel.keep.map((r) => ({ ...r })) };
    if (deploysConnector(c)) {
      ctx.plan.namespace({ name: CLOUDFLARE_NAMESPACE, project: "platform", owner: ctx.id });
    }
  },
  *contribute(ctx) {
    for (const f of cloudflareTerraformFiles(ctx.config, ctx.plan.hostnames)) yield file(f.path, f.content);
    if (!deploysConnector(ctx.config)) return;
    yield app({
      name: "cloudflare",
      project: "platform",
      namespace: CLOUDFLARE_NAMESPACE,
      manifests: [
        externalSecret({
          name: "cloudflared-tunnel",
          namespace: CLOUDFLARE_NAMESPACE,
          labels: LABELS,
          annotations: { "argocd.argoproj.io/sync-wave": "-1" },
          data: [
            { secretKey: "token", key: TUNNEL_TOKEN_SECRET.key, property: TUNNEL_TOKEN_SECRET.property },
          ],
        }),
        deployment(ctx.config),
      ],
    });
  },
});

declare module "../../render/component.js" {
  interface ComponentConfigs {
    cloudflare: ConfigOf<typeof config>;
  }
}
