import type { FastifyReply, FastifyRequest } from "fastify";
import type { AuthPlugin } from "../auth/contract.js";
import type { Metrics } from "../metrics.js";
import type { Csrf } from "../security/csrf.js";
import { clientKey, type RateLimiter } from "../security/rate-limit.js";

/** What every route module gets from `buildServer`. */
export interface RouteContext {
  readonly auth: AuthPlugin;
  readonly metrics: Metrics;
  readonly csrf: Csrf;
  readonly archiveLimiter: RateLimiter;
  readonly defaultOwner: string;
  readonly baseUrl: string | undefined;
  readonly platformConfig: string | undefined;
  readonly pushTarget: string | undefined;
  readonly preparePushTarget: ((url: string) => void) | undefined;
  readonly platformRepo: string | undefined;
  readonly platformConfigPath: string | undefined;
  readonly gitToken: string | undefined;
}

/** Whether **Create repository** has a push target and a platform (a branch or a working tree). */
export function canCreate(ctx: RouteContext): ctx is RouteContext & { readonly pushTarget: string } {
  return ctx.pushTarget !== undefined && (ctx.platformRepo !== undefined || ctx.platformConfig !== undefined);
}

export function baseUrlOf(ctx: RouteContext, request: FastifyRequest): string {
  return ctx.baseUrl ?? `${request.protocol}://${request.host}`;
}

/** Runs a guard; true when it answered (redirect, 401) and the handler must stop. */
export async function guarded(
  guard: (request: FastifyRequest, reply: FastifyReply) => Promise<void>,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<boolean> {
  await guard(request, reply);
  return reply.sent;
}

/** Applies the archive rate limit (per IPv4 address, per IPv6 /64); true when refused with 429. */
export function rateLimited(ctx: RouteContext, request: FastifyRequest, reply: FastifyReply): boolean {
  const wait = ctx.archiveLimiter.hit(clientKey(request.ip));
  if (wait === undefined) return false;
  reply
    .code(429)
    .header("retry-after", String(wait))
    .send({ status: 429, error: "Too Many Requests", message: "too many archive requests; retry later" });
  return true;
}
