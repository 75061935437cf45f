import type { FastifyRequest, FastifyServerOptions } from "fastify";
import { traceFields } from "./telemetry.js";

/**
 * pino options: JSON lines, request URLs without their query (OIDC callbacks carry codes), and
 * credentials redacted wherever a header object is logged. With telemetry started, every line
 * written while a span is current (and every line of a request's logger) carries `trace_id`,
 * `span_id` and `trace_flags`.
 */
export function loggerOptions(): NonNullable<FastifyServerOptions["logger"]> {
  return {
    level: process.env.LOG_LEVEL ?? "info",
    mixin: (_merge: object, _level: number, logger: object) => traceFields(logger),
    redact: {
      paths: [
        "req.headers.authorization",
        "req.headers.cookie",
        "res.headers['set-cookie']",
        "headers.authorization",
        "headers.cookie",
        "*.access_token",
        "*.id_token",
        "*.refresh_token",
        "*.client_secret",
      ],
      censor: "[redacted]",
    },
    serializers: {
      req: (req: FastifyRequest) => ({
        method: req.method,
        url: req.url.split("?")[0] ?? "",
        remoteAddress: req.ip,
      }),
    },
  };
}
