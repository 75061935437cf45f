import type { FastifyInstance } from "fastify";
import type { RouteContext } from "./context.js";

/** Probes and metrics: unauthenticated and cheap. */
export function opsRoutes(app: FastifyInstance, ctx: RouteContext): void {
  let ready = false;
  app.addHook("onReady", async () => {
    ready = true;
  });
  // Draining: once close() starts, load balancers should stop sending new requests.
  app.addHook("preClose", async () => {
    ready = false;
  });
  app.get("/healthz", { logLevel: "warn" }, async () => ({ status: "ok" }));
  app.get("/readyz", { logLevel: "warn" }, async (_request, reply) =>
    ready ? { status: "ready" } : reply.code(503).send({ status: "not ready" }),
  );
  app.get("/metrics", { logLevel: "warn" }, async (_request, reply) => {
    reply.type(ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}
