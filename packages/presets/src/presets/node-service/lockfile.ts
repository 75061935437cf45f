import { readFileSync } from "node:fs";
import { LOCKFILE_TEMPLATE_NAME } from "./manifest.js";

/*
 * `npm ci` needs a lockfile, and resolving one needs the registry, which generation must never touch.
 * So a lockfile resolved once (scripts/update-node-lockfile.mjs) ships as an asset, and each project
 * gets a copy with its own name: only the root `name` fields depend on the project, everything else
 * (resolved URLs, integrity hashes) is about the dependencies, which are the same for every project.
 */

const ASSET = new URL("../../../assets/node-service/package-lock.json", import.meta.url);

let template: Record<string, unknown> | undefined;

/** The lockfile template as parsed JSON (read once, then cached). */
export function lockfileTemplate(): Readonly<Record<string, unknown>> {
  template ??= JSON.parse(readFileSync(ASSET, "utf8")) as Record<string, unknown>;
  return template;
}

/** The template with the project's name in the root `name` fields, serialized as npm does. */
export function projectLockfile(name: string): string {
  const lock = structuredClone(lockfileTemplate()) as {
    name?: string;
    packages?: Record<string, { name?: string }>;
  };
  if (lock.name !== LOCKFILE_TEMPLATE_NAME || lock.packages?.[""]?.name !== LOCKFILE_TEMPLATE_NAME) {
    throw new Error(`the lockfile template is not named ${LOCKFILE_TEMPLATE_NAME}; regenerate it`);
  }
  lock.name = name;
  lock.packages[""].name = name;
  return `${JSON.stringify(lock, null, 2)}\n`;
}
