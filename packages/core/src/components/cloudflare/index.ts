import { z } from "zod";
import { app, defineComponent, file } from "../../render/component.js";
import type { K8sObject } from "../../render/k8s.js";
import { dnsLabel, imageRef } from "../../spec/primitives.js";
import { externalSecret } from "../external-secrets/external-secret.js";
import { type Resources, resourcesValue } from "../vault/budget.js";
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

const config = z.strictObject({
  /** Zone id of the platform domain (Cloudflare dashboard → Overview). Not a secret. */
  zoneId: hexId("zone").optional(),
  /** Account id owning the tunnel. Not a secret. */
  accountId: hexId("account").optional(),
  /** Id (UUID) of the remotely-managed tunnel; its token lives in Vault `cloudflare/tunnel`. */
  tunnelId: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, {
      error: "must be a tunnel UUID",
    })
    .optional(),
  /** Tunnel name, used for the Terraform resource. @default "platform" */
  tunnelName: dnsLabel.default("platform"),
  /** @default "cloudflare/cloudflared:2025.11.1" */
  image: imageRef.default("cloudflare/cloudflared:2025.11.1"),
  /**
   * One replica by default: on a single node a second one adds no failure domain, and the rolling
   * update below starts the new pod before stopping the old (each cloudflared holds four edge
   * connections already). Raise it on a multi-node cluster.
   */
  replicas: z.int().min(1).max(4).default(1),
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

export const cloudflare = defineComponent({
  id: "cloudflare",
  description: "Cloudflare Tunnel (cloudflared) to the gateway, and DNS + tunnel ingress as Terraform",
  dependsOn: ["gateway", "external-secrets"],
  after: [],
  enabledByDefault: true,
  config,
  plan(ctx) {
    ctx.plan.namespace({ name: CLOUDFLARE_NAMESPACE, project: "platform", owner: ctx.id });
  },
  *contribute(ctx) {
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
    for (const f of cloudflareTerraformFiles(ctx.config, ctx.plan.hostnames)) yield file(f.path, f.content);
  },
});
