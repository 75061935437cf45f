/**
 * The server side of bench/scaffold, one per measurement, in its own process so that its resident
 * memory is its own:
 *
 *   node server.mjs scaffold <port>          the scaffold service as `slipway serve` builds it
 *   node server.mjs static <port> <dir>      bare fastify answering with fixed bytes (the ceiling)
 *
 * `scaffold` is `startServer()` minus its archive rate limit: the same `loadAuth("oidc")` from the
 * environment (anonymous API access from loopback, as in production behind SCAFFOLD_ANONYMOUS_NETWORKS),
 * the same pino request logging (to wherever stdout points), metrics, security headers and routes,
 * but `limits.archivesPerWindow` raised so that the load is not answered with 429s.
 * `SLIPWAY_BENCH_V8_FLAGS` is applied with `v8.setFlagsFromString` before anything is loaded, which
 * is how `packages/cli/bin/slipway.js` sets its flags.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";

const runtimeFlags = process.env.SLIPWAY_BENCH_V8_FLAGS;
if (runtimeFlags) setFlagsFromString(runtimeFlags);

/** A normal exit on SIGTERM/SIGINT, so that `node --cpu-prof` writes its profile. */
function exitOnSignal(close: () => Promise<unknown>): void {
  const onSignal = () => void close().finally(() => process.exit(0));
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}

const [mode, portText, dir] = process.argv.slice(2);
const port = Number(portText);
const host = "127.0.0.1";

if (mode === "scaffold") {
  const { buildServer, loadAuth } = await import("@slipway/scaffold");
  const baseUrl = `http://${host}:${port}`;
  const loaded = await loadAuth("oidc", {
    baseUrl,
    env: {
      // Discovery is lazy and only bearer tokens need it; the load is anonymous from loopback.
      OIDC_ISSUER_URL: "https://issuer.invalid",
      OIDC_CLIENT_ID: "slipway-scaffold",
      OIDC_CLIENT_SECRET: "bench",
      SCAFFOLD_COOKIE_SECRET: "bench-cookie-secret-bench-cookie-secret",
      SCAFFOLD_ANONYMOUS_NETWORKS: "127.0.0.0/8,::1/128",
    },
  });
  const app = await buildServer({
    auth: loaded.auth,
    logger: true,
    baseUrl,
    limits: { archivesPerWindow: Number.MAX_SAFE_INTEGER },
  });
  await app.listen({ port, host });
  exitOnSignal(() => app.close());
} else if (mode === "static" && dir !== undefined) {
  const { default: Fastify } = await import("fastify");
  const { default: formbody } = await import("@fastify/formbody");
  const zip = readFileSync(join(dir, "starter.zip"));
  const metadata = readFileSync(join(dir, "metadata.json"));
  const metadataType = readFileSync(join(dir, "metadata.type"), "utf8");
  const app = Fastify();
  // The form body is parsed like the scaffold's, then ignored.
  await app.register(formbody);
  app.post("/starter.zip", async (_request, reply) =>
    reply.type("application/zip").header("content-disposition", 'attachment; filename="demo.zip"').send(zip),
  );
  app.get("/", async (_request, reply) => reply.type(metadataType).send(metadata));
  await app.listen({ port, host });
  exitOnSignal(() => app.close());
} else {
  process.stderr.write("usage: server.mjs scaffold <port> | static <port> <dir>\n");
  process.exit(2);
}
