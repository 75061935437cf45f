/**
 * The contract other components use to attach routes to the platform gateway. Kept apart from
 * the component so that importing it does not pull the gateway's rendering code.
 */
export const GATEWAY = {
  namespace: "traefik",
  name: "platform",
  /** Listener for plain HTTP inside the cluster: TLS ends at Cloudflare's edge. */
  listener: "web",
  className: "traefik",
  /** In-cluster address cloudflared forwards to. */
  serviceHost: "traefik.traefik.svc.cluster.local",
  servicePort: 80,
  /** Traefik's `web` entry point (container port); Gateway listeners name entry-point ports, not Service ports. */
  listenerPort: 8000,
  /**
   * Namespace label the `web` listener selects routes by. Only namespaces that host a declared
   * hostname carry it, so a stray HTTPRoute elsewhere cannot claim a hostname on the gateway.
   */
  routesLabel: { key: "gateway.slipway.dev/routes", value: "platform" },
} as const;

/** An explicit parentRef (every field the API server would default is written out). */
export function gatewayParentRef(): Record<string, unknown> {
  return {
    group: "gateway.networking.k8s.io",
    kind: "Gateway",
    name: GATEWAY.name,
    namespace: GATEWAY.namespace,
    sectionName: GATEWAY.listener,
  };
}
