import { diag, internalError, NotFoundError } from "@slipway/core/lite";
import type { Preset } from "./preset.js";
import { nodeService } from "./presets/node-service/index.js";
import { springBootMicroservice } from "./presets/spring/microservice.js";
import { springBootPostgresOidc } from "./presets/spring/postgres-oidc.js";
import { staticFrontend } from "./presets/static-frontend/index.js";

/** Every preset, in the order the UI lists them. Adding a preset means adding it here. */
export const presets: readonly Preset[] = [
  springBootPostgresOidc,
  springBootMicroservice,
  staticFrontend,
  nodeService,
];

const byId = new Map<string, Preset>();
for (const p of presets) {
  if (byId.has(p.id)) {
    throw internalError([
      diag("SW_PRESET_DUPLICATE_ID", `preset id '${p.id}' is registered twice`, {
        hint: "Each preset in registry.ts needs a unique id.",
      }),
    ]);
  }
  byId.set(p.id, p);
}

/** @throws NotFoundError `SW_PRESET_NOT_FOUND` with the known ids as hint. */
export function getPreset(id: string): Preset {
  const preset = byId.get(id);
  if (preset === undefined) {
    throw new NotFoundError([
      diag("SW_PRESET_NOT_FOUND", `no preset ${JSON.stringify(id)}`, {
        path: ["preset"],
        hint: `presets: ${presets.map((p) => p.id).join(", ")}`,
      }),
    ]);
  }
  return preset;
}
