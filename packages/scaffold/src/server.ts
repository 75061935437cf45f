import formbody from "@fastify/formbody";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import { apiError, apiErrorOf, isSlipwayError, statusOf } from "./errors.js";
import { loggerOptions } from "./logger.js";
import { Metrics } from "./metrics.js";
import type { ServerOptions } from "./options.js";
import type { RouteContext } from "./routes/context.js";
import { metadataRoutes } from "./routes/metadata.js";
import { opsRoutes } from "./routes/ops.js";
import { starterRoutes } from "./routes/starter.js";
import { uiRoutes } from "./routes/ui.js";
import { Csrf } from "./security/csrf.js";
import { securityHeaders } from "./security/headers.js";
import { RateLimiter } from "./security/rate-limit.js";
import { telemetryActive, traceRequests, tracingChildLoggerFactory } from "./telemetry.js";

/**
 * Builds the scaffold service: the UI, the Initializr-compatible API, probes and metrics, behind
 * `options.auth`. Not listening yet: call `listen()`, or `inject()` in tests.
 *
 * @example
 * const app = await buildServer({ auth: noAuth });
 * await app.listen({ port: 8080, host: "127.0.0.1" });
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const limits = options.limits ?? {};
  const logger =
    options.logger === true ? loggerOptions() : options.logger === undefined ? false : options.logger;
  const app = Fastify({
    ...(typeof logger === "object" && "info" in logger ? { loggerInstance: logger } : { logger }),
    bodyLimit: limits.bodyBytes ?? 65_536,
    trustProxy:
      typeof options.trustProxy === "object" ? [...options.trustProxy] : (options.trustProxy ?? false),
    // Starts each request's server span where fastify makes its logger (see telemetry.ts).
    ...(telemetryActive() ? { childLoggerFactory: tracingChildLoggerFactory } : {}),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  }) as unknown as FastifyInstance;

  const metrics = new Metrics();
  const ctx: RouteContext = {
    auth: options.auth,
    metrics,
    csrf: new Csrf(options.cookieSecret, options.baseUrl?.startsWith("https:") ?? false, (request) =>
      options.auth.sessionId?.(request),
    ),
    archiveLimiter: new RateLimiter(limits.archivesPerWindow ?? 60, limits.windowMs ?? 60_000),
    defaultOwner: options.defaultOwner ?? "slipway",
    baseUrl: options.baseUrl?.replace(/\/+$/, ""),
    platformConfig: options.platformConfig,
    pushTarget: options.pushTarget,
    preparePushTarget: options.preparePushTarget,
    platformRepo: options.platformRepo,
    platformConfigPath: options.platformConfigPath,
    gitToken: options.gitToken,
  };

  // Form bodies are held to the server's bodyLimit: the parser gets no limit of its own.
  await app.register(formbody);
  // First of the hooks: the request's span covers authentication and everything after it.
  traceRequests(app);
  securityHeaders(app, options.auth.formActions);
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    // The catalogue's status for the error's kind (400, 404, 409), the one its body states too.
    if (isSlipwayError(error)) return reply.code(statusOf(error)).send(apiErrorOf(error));
    if (error.validation !== undefined) {
      const v = error.validation[0];
      const fromPath = v?.instancePath.replace(/^\//, "").split("/")[0];
      const extra = (v?.params as { additionalProperty?: string } | undefined)?.additionalProperty;
      const parameter = extra ?? (fromPath || undefined);
      return reply.code(400).send(
        apiError(400, `${parameter ?? "request"} ${v?.message ?? "is invalid"}`, {
          code: extra !== undefined ? "SW_SCAFFOLD_UNKNOWN_PARAMETER" : "SW_SCAFFOLD_INVALID_PARAMETER",
          ...(parameter !== undefined ? { parameter } : {}),
        }),
      );
    }
    const status =
      error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
        ? error.statusCode
        : 500;
    if (status === 500) request.log.error({ err: error }, "request failed");
    return reply.code(status).send(apiError(status, status === 500 ? "internal error" : error.message));
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(apiError(404, `no route ${request.method} ${request.url.split("?")[0]}`)),
  );

  await options.auth.register(app, ctx.csrf);
  opsRoutes(app, ctx);
  metadataRoutes(app, ctx);
  starterRoutes(app, ctx);
  uiRoutes(app, ctx);
  return app;
}
