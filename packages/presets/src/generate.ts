import { describe } from "./describe.js";
import type { ProjectDescription } from "./description.js";
import { FileCollector, type GeneratedFile } from "./files.js";
import { Dockerfile } from "./models/dockerfile.js";
import { EnvVars } from "./models/env.js";
import { GitIgnore } from "./models/gitignore.js";
import { Readme } from "./models/readme.js";
import { Workflow } from "./models/workflow.js";
import type { ProjectModels } from "./preset.js";
import { getPreset } from "./registry.js";

/**
 * Renders a described project: pure (no I/O beyond reading the preset's bundled assets, no network,
 * no clock), and deterministic — the same description gives byte-identical files, sorted by path.
 * Paths are validated: never absolute, never `..`.
 *
 * A description may come back from storage (`.slipway.json`) or another process, so its parameters
 * are validated again (well under a millisecond): generators only ever see a valid description.
 *
 * @throws InputError, NotFoundError as {@link describe} does
 */
export function generate(untrusted: ProjectDescription): GeneratedFile[] {
  const description = describe(untrusted.preset.id, untrusted.parameters);
  const preset = getPreset(description.preset.id);
  const p = description.parameters;
  const models: ProjectModels = {
    gitignore: new GitIgnore(),
    readme: new Readme(p.name, p.description),
    workflow: new Workflow(),
    dockerfile: new Dockerfile(),
    env: new EnvVars(),
  };
  const active = preset.contributors.filter((c) => c.when === undefined || c.when(description));
  for (const c of active) c.customize?.(models, description);
  const files = new FileCollector();
  for (const c of active) for (const f of c.contribute?.(description, models) ?? []) files.add(f);
  return files.sorted();
}
