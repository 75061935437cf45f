import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { SCHEMA_FILES } from "../../src/check/schemas/manifest.js";

/** A local stand-in for raw.githubusercontent.com serving the pinned schema files. */
export interface SchemaMirror {
  /** Base URL for `slipway schemas pull --from`. */
  readonly url: string;
  /** Paths requested, `/<repo>/<commit>/<source>`. */
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * Serves `<owner>/<repo>/<commit>/<source>` of every pinned file (SCHEMA_FILES) from the offline
 * copy `dir` (SLIPWAY_SCHEMA_DIR), the layout raw.githubusercontent.com has. `tamper` lists saved
 * paths served with one byte changed (a checksum mismatch), `missing` paths answered 404.
 */
export async function startSchemaMirror(
  dir: string,
  opts: { tamper?: readonly string[]; missing?: readonly string[] } = {},
): Promise<SchemaMirror> {
  const byUrl = new Map(SCHEMA_FILES.map((f) => [`/${f.repo}/${f.commit}/${f.source}`, f.path]));
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = req.url ?? "";
    requests.push(url);
    const path = byUrl.get(url);
    if (path === undefined || opts.missing?.includes(path)) {
      res.writeHead(404).end("404: Not Found");
      return;
    }
    const body = readFileSync(join(dir, path));
    if (opts.tamper?.includes(path)) body[body.length - 1] = (body.at(-1) ?? 0) ^ 1;
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
