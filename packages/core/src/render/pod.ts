// Pod-spec pieces every workload Slipway renders itself shares (services, the scaffold): the
// restricted Pod Security Standard's contexts and HTTP probes on the named `http` port.

/** Name of the container port the Service targets; probes use it too. */
export const HTTP_PORT_NAME = "http";

/** An HTTP probe on the `http` container port; `extra` holds the timings that differ from these. */
export function httpProbe(path: string, extra: Record<string, number>): Record<string, unknown> {
  return {
    httpGet: { path, port: HTTP_PORT_NAME, scheme: "HTTP" },
    periodSeconds: 10,
    timeoutSeconds: 2,
    failureThreshold: 3,
    successThreshold: 1,
    ...extra,
  };
}

/** Pod security context of a workload running as `uid`: non-root, its volumes group-owned by `uid`. */
export function podSecurityContext(uid: number): Record<string, unknown> {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Container security context to match: no privilege escalation, read-only root, no capabilities. */
export function containerSecurityContext(uid: number): Record<string, unknown> {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}
