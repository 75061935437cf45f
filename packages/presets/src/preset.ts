import type { z } from "zod";
import type { CommonParameters, ProjectDescription } from "./description.js";
import type { GeneratedFile } from "./files.js";
import type { Dockerfile } from "./models/dockerfile.js";
import type { EnvVars } from "./models/env.js";
import type { GitIgnore } from "./models/gitignore.js";
import type { Readme } from "./models/readme.js";
import type { Workflow } from "./models/workflow.js";

/** Files several features touch; customizers adjust them, one contributor renders each. */
export interface ProjectModels {
  readonly gitignore: GitIgnore;
  readonly readme: Readme;
  readonly workflow: Workflow;
  readonly dockerfile: Dockerfile;
  readonly env: EnvVars;
}

/**
 * One feature of a generated project. All `customize` steps run first, in list order, then all
 * `contribute` steps, so a renderer sees every customization regardless of where it sits in the list.
 */
export interface Contributor<P extends CommonParameters = CommonParameters> {
  readonly id: string;
  /** Skip this contributor for descriptions where it does not apply. */
  when?(d: ProjectDescription<P>): boolean;
  customize?(models: ProjectModels, d: ProjectDescription<P>): void;
  contribute?(d: ProjectDescription<P>, models: ProjectModels): readonly GeneratedFile[];
}

/** Any strict parameter object; `definePreset` keeps the precise type for the preset's contributors. */
// biome-ignore lint/suspicious/noExplicitAny: any shape; definePreset keeps the precise one
export type ParametersSchema = z.ZodObject<any>;

export interface Preset<P extends CommonParameters = CommonParameters> {
  /** Stable id (`--preset`, the web form, `.slipway.json`). */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Bumped when generated output changes; recorded in `.slipway.json`. */
  readonly version: string;
  /** Backstage component type. */
  readonly componentType: "service" | "website";
  /** Strict object schema with defaults; the web form is generated from its JSON Schema. */
  readonly parameters: ParametersSchema;
  /** Ordered; common contributors are part of the list, so a preset reads top to bottom. */
  readonly contributors: readonly Contributor<P>[];
}

/** Checks a preset definition against its parameter schema; contributors see the schema's output type. */
export function definePreset<S extends ParametersSchema>(
  preset: Omit<Preset, "parameters" | "contributors"> & {
    readonly parameters: S;
    readonly contributors: readonly Contributor<z.output<S> & CommonParameters>[];
  },
): Preset<z.output<S> & CommonParameters> {
  return preset;
}

/** A contributor that only needs the common parameters, usable in any preset. */
export function defineContributor<P extends CommonParameters = CommonParameters>(
  c: Contributor<P>,
): Contributor<P> {
  return c;
}
