// The services component's public module: the labels that select a service's pods
// (docs/adr/0016-module-boundaries.md).
import type { ServiceSpec } from "../../config/schema.js";

/** Labels that select a service's pods; never change them for a running service (the selector is immutable). */
export function selectorLabels(service: ServiceSpec): Record<string, string> {
  return { "app.kubernetes.io/name": service.name, "app.kubernetes.io/instance": service.name };
}
