import { Writable } from "node:stream";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { unzipSync } from "fflate";
import pino from "pino";
import { afterEach } from "vitest";
import { noAuth } from "../src/auth/contract.js";
import { loggerOptions } from "../src/logger.js";
import type { ServerOptions } from "../src/options.js";
import { buildServer } from "../src/server.js";

const open: FastifyInstance[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((a) => a.close()));
});

/** A server without authentication, closed after each test. */
export async function server(options: Partial<ServerOptions> = {}): Promise<FastifyInstance> {
  const app = await buildServer({ auth: noAuth, ...options });
  open.push(app);
  return app;
}

/** The service's pino logger (`loggerOptions()`), writing its JSON lines into `lines`. */
export function logSink(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino(loggerOptions() as pino.LoggerOptions, sink), lines };
}

/** ZIP entries with their Unix modes (from the external attributes). */
export function unzipWithModes(bytes: Uint8Array): Map<string, { text: string; mode: number | undefined }> {
  const out = new Map<string, { text: string; mode: number | undefined }>();
  const files = unzipSync(bytes);
  const modes = centralDirectoryModes(bytes);
  for (const [path, data] of Object.entries(files)) {
    out.set(path, { text: new TextDecoder().decode(data), mode: modes.get(path) });
  }
  return out;
}

/** Reads the central directory: fflate's unzip does not expose external attributes. */
function centralDirectoryModes(bytes: Uint8Array): Map<string, number> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = bytes.length - 22;
  while (eocd >= 0 && view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  const count = view.getUint16(eocd + 10, true);
  let p = view.getUint32(eocd + 16, true);
  const modes = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const external = view.getUint32(p + 38, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    modes.set(name, (external >>> 16) & 0o7777);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return modes;
}

/**
 * A browser's form posts: one CSRF session, then `post(url, fields)` as often as needed, with the
 * session cookie and the form's token.
 */
export async function formPoster(
  app: FastifyInstance,
): Promise<(url: string, fields: Record<string, string>) => Promise<LightMyRequestResponse>> {
  const { cookie, token } = await csrfSession(app);
  return (url, fields) =>
    app.inject({
      method: "POST",
      url,
      headers: { "content-type": "application/x-www-form-urlencoded", cookie },
      payload: new URLSearchParams({ _csrf: token, ...fields }).toString(),
    });
}

/** The CSRF cookie and form token of the home page, freshly fetched from `app`. */
export async function csrfSession(app: FastifyInstance): Promise<{ cookie: string; token: string }> {
  const page = await app.inject({ url: "/", headers: { accept: "text/html" } });
  const setCookie = String(page.headers["set-cookie"]);
  const cookie = setCookie.split(";")[0] as string;
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (token === undefined) throw new Error("no CSRF token in the page");
  return { cookie, token };
}
