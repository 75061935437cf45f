// The example of docs/guides/adding-a-component.md, kept as a test fixture: in the product this
// file is packages/core/src/components/whoami/index.ts and its imports start `../../` instead of
// `../../../src/`; registering it is the one line `whoami,` in components/index.ts, which the
// tests do by passing `[...components, whoami]` where synth takes the registry.
import { z } from "zod";
import { dnsLabel } from "../../../src/config/primitives.js";
import { app, type ConfigOf, defineComponent } from "../../../src/render/component.js";
import type { K8sObject } from "../../../src/render/k8s.js";

/** The namespace whoami owns; declared below, so no service may take it. */
export const WHOAMI_NAMESPACE = "whoami";

/** traefik/whoami, pinned (the image `slipway init` also uses for its first service). */
export const WHOAMI_IMAGE = "docker.io/traefik/whoami:v1.10.1";

/** The port the container listens on: unprivileged, so it runs as a non-root user. */
const CONTAINER_PORT = 8080;
/** The port of its Service, which the gateway's route targets. */
const SERVICE_PORT = 80;
/** `nobody`: the image is FROM scratch and names no user of its own. */
const UID = 65534;

const config = z.strictObject({
  /** whoami answers at `<subdomain>.<domain>`. @default "whoami" */
  subdomain: dnsLabel.default("whoami").describe("whoami answers at <subdomain>.<domain>"),
  /** Pods behind the route; more than one shows the gateway balancing between them. @default 1 */
  replicas: z.int().min(1).max(3).default(1).describe("Number of whoami pods (1-3)"),
});

const labels = {
  "app.kubernetes.io/name": "whoami",
  "app.kubernetes.io/instance": "whoami",
  "app.kubernetes.io/managed-by": "slipway",
};
const selector = { "app.kubernetes.io/name": "whoami", "app.kubernetes.io/instance": "whoami" };

function deployment(replicas: number): K8sObject {
  const probe = { httpGet: { path: "/health", port: "http", scheme: "HTTP" }, periodSeconds: 10 };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "whoami", namespace: WHOAMI_NAMESPACE, labels },
    spec: {
      replicas,
      revisionHistoryLimit: 3,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: UID,
            runAsGroup: UID,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [
            {
              name: "whoami",
              image: WHOAMI_IMAGE,
              imagePullPolicy: "IfNotPresent",
              args: [`--port=${CONTAINER_PORT}`],
              ports: [{ name: "http", containerPort: CONTAINER_PORT, protocol: "TCP" }],
              livenessProbe: probe,
              readinessProbe: probe,
              resources: { requests: { cpu: "5m", memory: "16Mi" }, limits: { memory: "32Mi" } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ["ALL"] },
              },
            },
          ],
        },
      },
    },
  };
}

function service(): K8sObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "whoami", namespace: WHOAMI_NAMESPACE, labels },
    spec: {
      type: "ClusterIP",
      selector,
      ports: [{ name: "http", port: SERVICE_PORT, targetPort: "http", protocol: "TCP" }],
    },
  };
}

/**
 * traefik/whoami behind the platform's gateway at `whoami.<domain>`: an HTTP echo of the request,
 * to see a route, TLS and the gateway working before any service exists.
 */
export const whoami = defineComponent({
  id: "whoami",
  description: "traefik/whoami at whoami.<domain>: echoes each request, to try the gateway",
  dependsOn: ["gateway"],
  enabledByDefault: false,
  namespaces: [WHOAMI_NAMESPACE],
  config,
  plan(ctx) {
    ctx.plan.namespace({ name: WHOAMI_NAMESPACE, project: "platform", owner: ctx.id });
    // The gateway renders the route (and the ReferenceGrant here); internal: no DNS record.
    ctx.plan.hostnames.push({
      host: `${ctx.config.subdomain}.${ctx.platform.domain}`,
      namespace: WHOAMI_NAMESPACE,
      service: "whoami",
      port: SERVICE_PORT,
      public: false,
      protocol: "http",
      owner: ctx.id,
    });
  },
  *contribute(ctx) {
    yield app({
      name: "whoami",
      project: "platform",
      namespace: WHOAMI_NAMESPACE,
      manifests: [deployment(ctx.config.replicas), service()],
    });
  },
});

declare module "../../../src/render/component.js" {
  interface ComponentConfigs {
    whoami: ConfigOf<typeof config>;
  }
}
