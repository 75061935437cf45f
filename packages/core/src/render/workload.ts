import type { PlatformSpec, ServiceSpec } from "../config/schema.js";
import type { K8sObject } from "./k8s.js";

/** An environment variable of the service container: a literal or a key of a Kubernetes Secret. */
export type EnvSource =
  | { readonly value: string }
  | { readonly secret: { readonly name: string; readonly key: string } };

/**
 * The shared model of one service's workload (STYLE.md 4): customizers adjust it in order, then
 * the services component's `renderWorkload` is the one contributor that turns it into objects.
 * It lives in core, not in the services component, so a capability's customizer (pushed into the
 * {@link Plan} from its own component's `plan()`) needs nothing from the services folder.
 */
export interface WorkloadModel {
  readonly service: ServiceSpec;
  readonly platform: PlatformSpec;
  /** Container environment by name; rendered sorted. */
  readonly env: Map<string, EnvSource>;
  /** Secrets whose every key becomes an env var. */
  readonly envFromSecrets: string[];
  readonly podLabels: Record<string, string>;
  readonly podAnnotations: Record<string, string>;
  /** Extra objects rendered beside the Deployment (ExternalSecrets, config). */
  readonly extraObjects: K8sObject[];
  /** Only workloads that call the Kubernetes API get a token mounted. */
  automountServiceAccountToken: boolean;
}

/** One ordered, conditional adjustment of a {@link WorkloadModel}. */
export interface WorkloadCustomizer {
  /** Stable id, for tests and ordering discussions. */
  readonly id: string;
  /** Whether it adjusts this service; capabilities also check that their component is enabled. */
  applies(service: ServiceSpec, platform: PlatformSpec): boolean;
  customize(model: WorkloadModel): void;
}
