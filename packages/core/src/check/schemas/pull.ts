import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { type Diagnostic, diag } from "../../diagnostics.js";
import { SCHEMA_FILES } from "./manifest.js";
import type { SchemaFile } from "./schema-file.js";

/** Where upstream files are fetched from: `<base>/<repo>/<commit>/<source>`. */
export const UPSTREAM_BASE = "https://raw.githubusercontent.com";

/** The file marking a complete pull (written last); `check` uses a cache directory only with it. */
export const PULL_MARKER = ".slipway-schemas.json";

/** The pinned set's identity: a digest of every path and sha256 (a new pin set gets a new directory). */
export function schemaSetId(files: readonly SchemaFile[] = SCHEMA_FILES): string {
  const h = createHash("sha256");
  for (const f of files) h.update(`${f.path}\0${f.sha256}\n`);
  return h.digest("hex").slice(0, 12);
}

/**
 * The cache directory of the pinned set: `$SLIPWAY_SCHEMA_CACHE/<id>`, else
 * `$XDG_CACHE_HOME/slipway/schemas/<id>`, else `~/.cache/slipway/schemas/<id>`.
 */
export function schemaCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const root =
    env.SLIPWAY_SCHEMA_CACHE || join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "slipway", "schemas");
  return join(root, schemaSetId());
}

/** Where `check` reads schemas from, and why that one. */
export interface SchemaSource {
  readonly dir: string;
  readonly from: "--schemas" | "SLIPWAY_SCHEMA_DIR" | "cache";
}

/**
 * The schema directory `check` uses: `--schemas`, then `$SLIPWAY_SCHEMA_DIR`, then the cache of
 * a completed `slipway schemas pull` of the pinned set; undefined when there is none.
 */
export function resolveSchemaDir(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): SchemaSource | undefined {
  if (flag) return { dir: flag, from: "--schemas" };
  if (env.SLIPWAY_SCHEMA_DIR) return { dir: env.SLIPWAY_SCHEMA_DIR, from: "SLIPWAY_SCHEMA_DIR" };
  const cache = schemaCacheDir(env);
  return existsSync(join(cache, PULL_MARKER)) ? { dir: cache, from: "cache" } : undefined;
}

export interface PullOptions {
  /** Replaces {@link UPSTREAM_BASE} (a mirror; the tests' local server). */
  readonly base?: string;
  /** Target directory. @default {@link schemaCacheDir} */
  readonly dir?: string;
  /** Download again even when the directory holds a complete pull. */
  readonly force?: boolean;
  readonly files?: readonly SchemaFile[];
  readonly concurrency?: number;
  /** Called after each verified file. */
  readonly onFile?: (f: SchemaFile) => void;
}

export interface PullResult {
  readonly dir: string;
  readonly files: number;
  readonly bytes: number;
  /** True when the directory already held a complete, verified pull. */
  readonly upToDate: boolean;
  /** One per file that failed (download or checksum); nothing was written when there are any. */
  readonly diagnostics: readonly Diagnostic[];
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/**
 * Downloads every pinned schema file into `dir` (default: the cache), verifying each against its
 * sha256. All or nothing: files go to a staging directory beside `dir`, which replaces `dir` only
 * when every file arrived intact; on any failure nothing changes and each failure is a diagnostic
 * (SW_SCHEMAS_DOWNLOAD, SW_SCHEMAS_CHECKSUM) naming the URL.
 */
export async function pullSchemas(opts: PullOptions = {}): Promise<PullResult> {
  const files = opts.files ?? SCHEMA_FILES;
  const dir = opts.dir ?? schemaCacheDir();
  const base = (opts.base ?? UPSTREAM_BASE).replace(/\/+$/, "");
  const bytes = files.reduce((n, f) => n + f.size, 0);
  if (!opts.force && verified(dir, files)) {
    return { dir, files: files.length, bytes, upToDate: true, diagnostics: [] };
  }
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const diagnostics: Diagnostic[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < files.length; i = next++) {
      const f = files[i] as SchemaFile;
      const url = `${base}/${f.repo}/${f.commit}/${f.source}`;
      let body: Uint8Array;
      try {
        const res = await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(60_000) });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        body = new Uint8Array(await res.arrayBuffer());
      } catch (e) {
        const why = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
        diagnostics.push(
          diag("SW_SCHEMAS_DOWNLOAD", `${f.path}: could not download ${url}: ${why}`, {
            hint: "Check the network (or --from / SLIPWAY_SCHEMA_MIRROR for a mirror) and run 'slipway schemas pull' again; nothing was written.",
          }),
        );
        continue;
      }
      const got = sha256(body);
      if (got !== f.sha256) {
        diagnostics.push(
          diag("SW_SCHEMAS_CHECKSUM", `${f.path}: ${url} has sha256 ${got}, expected ${f.sha256}`, {
            hint: "The file is not the pinned upstream one (a mirror serving another version, or tampering); nothing was written. Fix the mirror, or report it if the upstream file changed.",
          }),
        );
        continue;
      }
      const target = join(staging, f.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, body);
      opts.onFile?.(f);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 8, files.length) }, worker));
    if (diagnostics.length > 0) {
      diagnostics.sort((a, b) => (a.message < b.message ? -1 : 1));
      return { dir, files: files.length, bytes, upToDate: false, diagnostics };
    }
    writeFileSync(join(staging, "SHA256SUMS"), files.map((f) => `${f.sha256}  ${f.path}\n`).join(""));
    writeFileSync(
      join(staging, PULL_MARKER),
      `${JSON.stringify({ set: schemaSetId(files), base, files: files.length, bytes }, null, 2)}\n`,
    );
    mkdirSync(dirname(dir), { recursive: true });
    const old = `${dir}.old-${process.pid}`;
    if (existsSync(dir)) renameSync(dir, old);
    renameSync(staging, dir);
    rmSync(old, { recursive: true, force: true });
    return { dir, files: files.length, bytes, upToDate: false, diagnostics: [] };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Whether `dir` holds a complete pull of `files` whose every file still has its sha256. */
function verified(dir: string, files: readonly SchemaFile[]): boolean {
  if (!existsSync(join(dir, PULL_MARKER))) return false;
  return files.every((f) => {
    try {
      return sha256(readFileSync(join(dir, f.path))) === f.sha256;
    } catch {
      return false;
    }
  });
}
