import type { z } from "zod";
import type { PlatformSpec, ServiceSpec } from "../config/schema.js";
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
  /** Typed config of another enabled component (for endpoints, names). */
  configOf<T = unknown>(id: string): T;
}

export interface ComponentDefinition<S extends z.ZodObject = z.ZodObject> {
  /** Stable id: the key under `spec.components` and the prefix of its Applications. */
  readonly id: string;
  readonly description: string;
  /** Components that must be enabled when this one is; they sync in earlier waves. */
  readonly dependsOn: readonly string[];
  /** Components this one syncs after when they are enabled, without requiring them. */
  readonly after?: readonly string[];
  readonly enabledByDefault: boolean;
  /** Config schema of `spec.components.<id>` (without `enabled`, which every component has). */
  readonly config: S;
  /** Declare cross-cutting needs (hostnames, namespaces, databases, Vault access) before anything renders. */
  plan?(ctx: PlanContext<z.output<S>>): void;
  contribute(ctx: RenderContext<z.output<S>>): Iterable<Contribution>;
}

/** Identity function that gives a component literal its types. */
export function defineComponent<S extends z.ZodObject>(def: ComponentDefinition<S>): ComponentDefinition<S> {
  return def;
}

export type AnyComponent = ComponentDefinition<any>;
