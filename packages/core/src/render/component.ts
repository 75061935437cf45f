import type { z } from "zod";
import type { PlatformSpec, ServiceSpec } from "../config/schema.js";
import type { Diagnostic, SourceLocation } from "../diagnostics.js";
import type { K8sObject } from "./k8s.js";
import type { Plan } from "./plan.js";

/** CPU (millicores) and memory (bytes) of one workload, replicas already applied. */
export interface BudgetEntry {
  readonly workload: string;
  readonly replicas: number;
  readonly requests: { readonly cpuMillis: number; readonly memoryBytes: number };
  readonly limits: { readonly cpuMillis: number; readonly memoryBytes: number };
}

export interface HelmSource {
  readonly repoURL: string;
  readonly chart: string;
  readonly version: string;
  /** Values written to `k8s/helm/values/<app>.yaml`; only what differs from the chart's defaults. */
  readonly values: Record<string, unknown>;
  readonly releaseName?: string;
  /**
   * Where the chart's `values.schema.json` and `values.yaml` live under the schema directory,
   * e.g. `helm-traefik/41.3.0`; `slipway check` validates the values against them.
   */
  readonly schemaRef?: string;
}

/**
 * One Argo CD Application, as data. The shared renderer turns it into
 * `argocd/applications/<name>.yaml`, `k8s/helm/values/<name>.yaml` and `k8s/helm/manifests/<name>/`.
 */
export interface AppSpec {
  readonly name: string;
  readonly project: "platform" | "workloads";
  /** Destination namespace. */
  readonly namespace: string;
  /** Position inside the component's sync-wave band (0–9), for components with several Applications. */
  readonly order?: number;
  /** Absolute sync wave, when the Application belongs to another graph node (a service). */
  readonly wave?: number;
  readonly helm?: HelmSource;
  /** A directory of another Git repository at a tag (e.g. upstream CRDs that no chart ships). */
  readonly git?: { readonly repoURL: string; readonly revision: string; readonly path: string };
  /** Plain objects, one file each under `k8s/helm/manifests/<name>/` (a list; any iterable will do). */
  readonly manifests?: Iterable<K8sObject>;
  /**
   * Renders a kustomization.yaml over the manifests, pinning images. Image Updater does not edit it
   * (Slipway owns it): it writes `.argocd-source-<app>.yaml` beside it, which Argo CD applies on top (ADR 0004).
   */
  readonly kustomize?: {
    readonly images: readonly { name: string; newName?: string; newTag?: string; digest?: string }[];
  };
  readonly syncOptions?: readonly string[];
  /**
   * Automated pruning. Off for Applications whose objects must outlive a removal (CRDs: pruning
   * one deletes every object of its kind). @default true
   */
  readonly prune?: boolean;
  /**
   * The resources finalizer (deleting the Application deletes what it deployed). Off where that
   * would be destructive, as for CRDs. @default true
   */
  readonly finalizer?: boolean;
  /**
   * Deploys into the cluster Argo CD runs in (its cluster Secret), not the platform's cluster; the
   * two differ only when Argo CD is remote (`spec.cluster.destination`, ADR 0013). @default false
   */
  readonly argocdCluster?: boolean;
  readonly ignoreDifferences?: readonly Record<string, unknown>[];
  /**
   * API groups whose CustomResourceDefinitions this Application installs (e.g. `cert-manager.io`).
   * `slipway check` requires custom resources of these groups in other Applications to sync later.
   */
  readonly crds?: readonly string[];
  /** Requests and limits of chart workloads (objects in `manifests` are read directly). */
  readonly budget?: readonly BudgetEntry[];
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export type Contribution =
  | { readonly type: "app"; readonly app: AppSpec }
  | { readonly type: "file"; readonly path: string; readonly content: string };

export const app = (spec: AppSpec): Contribution => ({ type: "app", app: spec });
export const file = (path: string, content: string): Contribution => ({ type: "file", path, content });

/**
 * Config of each component by id, for a component that reads another's (an endpoint, a name). Each
 * component adds its own entry from its folder, beside its schema:
 *
 * ```ts
 * declare module "../../render/component.js" {
 *   interface ComponentConfigs { postgres: ConfigOf<typeof postgres> }
 * }
 * ```
 *
 * so `ctx.configOf("postgres")` and `componentConfig(platform, "postgres")` are typed while core
 * names no component. The values are what `loadSpec` validated: defaults applied, enabled or not.
 */
// biome-ignore lint/suspicious/noEmptyInterface: empty on purpose: each component adds its entry by declaration merging, which a type alias cannot take
export interface ComponentConfigs {}

/** The validated config of component `id` (defaults applied, whether it is enabled or not). */
export function componentConfig<K extends keyof ComponentConfigs>(
  platform: Pick<PlatformSpec, "components">,
  id: K,
): ComponentConfigs[K] {
  // The one place a config is read untyped: platformSchema built it from the component's own schema.
  return platform.components[id] as unknown as ComponentConfigs[K];
}

/**
 * A service feature a component provides (`auth: oidc`, a database): a service that uses it while
 * the component is disabled is refused at the feature's line (`SW_SPEC_CAPABILITY_DISABLED`).
 */
export interface ServiceCapability {
  /** The feature as the error names it, e.g. `auth: oidc`. */
  readonly feature: string;
  /** Where a service's file sets it (`["spec", "auth"]`); undefined when the service does not use it. */
  path(service: ServiceSpec): (string | number)[] | undefined;
}

/** What a component's own cross-field rules see, after validation and before anything renders. */
export interface RuleContext<C> {
  readonly platform: PlatformSpec;
  readonly services: readonly ServiceSpec[];
  /** This component's validated config, whether it is enabled or not. */
  readonly config: C;
  isEnabled(id: string): boolean;
  /** Whether a component is registered: a rule about another one is moot without it. */
  isRegistered(id: string): boolean;
  /** Where a path is in platform.yaml (`key`: the key rather than its value), for the diagnostic. */
  locate(path: (string | number)[], key?: boolean): SourceLocation | undefined;
}

export interface PlanContext<C> {
  readonly id: string;
  readonly platform: PlatformSpec;
  readonly services: readonly ServiceSpec[];
  readonly config: C;
  readonly plan: Plan;
  isEnabled(id: string): boolean;
}

export interface RenderContext<C> extends PlanContext<C> {
  /** The component's sync wave (its band start); Applications add their `order`. */
  readonly wave: number;
  /** Sync wave of any enabled component or `service:<name>` node. */
  waveOf(node: string): number;
  /** Config of another component (for endpoints, names), typed by {@link ComponentConfigs}. */
  configOf<K extends keyof ComponentConfigs>(id: K): ComponentConfigs[K];
}

export interface ComponentDefinition<S extends z.ZodObject = z.ZodObject> {
  /** Stable id: the key under `spec.components` and the prefix of its Applications. */
  readonly id: string;
  readonly description: string;
  /** Components that must be enabled when this one is; they sync in earlier waves. */
  readonly dependsOn: readonly string[];
  /** Components this one syncs after when they are enabled, without requiring them. */
  readonly after?: readonly string[];
  /**
   * Components that sync after this one when both are enabled: the mirror of `after`, so a provider
   * names its consumer (`["services"]` for one whose objects or CRDs services use) instead of the
   * consumer keeping a list of every provider.
   */
  readonly before?: readonly string[];
  /**
   * Namespaces this component deploys its own workloads into, whether its config uses each or not
   * (identity declares both providers'). Services may not use them (`SW_SPEC_RESERVED_NAMESPACE`,
   * checked for every registered component, enabled or not), and the contract test requires every
   * namespace the component renders into to be one of these or one a component it syncs after owns.
   */
  readonly namespaces?: readonly string[];
  /** Service features this component provides; see {@link ServiceCapability}. */
  readonly capabilities?: readonly ServiceCapability[];
  /**
   * Rules about this component's config that span other parts of the platform (another
   * component, `spec.access`), reported with the user's file and line before anything renders.
   * Run for every registered component, enabled or not: each checks what it needs.
   */
  rules?(ctx: RuleContext<z.output<S>>): Diagnostic[];
  readonly enabledByDefault: boolean;
  /** Config schema of `spec.components.<id>` (without `enabled`, which every component has). */
  readonly config: S;
  /**
   * Declare cross-cutting needs before anything renders: hostnames, namespaces, databases, Vault
   * access, and customizers of namespaces and service workloads.
   */
  plan?(ctx: PlanContext<z.output<S>>): void;
  contribute(ctx: RenderContext<z.output<S>>): Iterable<Contribution>;
}

/** Identity function that gives a component literal its types. */
export function defineComponent<S extends z.ZodObject>(def: ComponentDefinition<S>): ComponentDefinition<S> {
  return def;
}

/**
 * A component of any config, as the registry lists them. Each one's config type was checked where it
 * was defined (defineComponent); a list of different configs can only erase it.
 */
// biome-ignore lint/suspicious/noExplicitAny: the erased config type of a heterogeneous list (unknown does not type-check against plan/contribute's parameters)
export type AnyComponent = ComponentDefinition<any>;

/**
 * The validated config type of a config schema (`ConfigOf<typeof identityConfig>`) or of a component
 * literal (`ConfigOf<typeof vault>`). Prefer the schema: the literal's type depends on its methods'
 * bodies, so a component whose `contribute` reads another's config through `configOf` would make
 * the two types depend on each other.
 */
export type ConfigOf<T> = T extends z.ZodType
  ? z.output<T>
  : T extends ComponentDefinition<infer S>
    ? z.output<S>
    : never;
