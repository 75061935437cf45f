import { diag, InputError } from "@slipway/core/lite";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { apiError, apiErrorOf, statusOf } from "../errors.js";
import { BOOT_VERSION, BOOT_VERSION_IDS } from "../initializr/catalog.js";
import { clientMetadata, dependenciesMetadata, helpText } from "../initializr/metadata.js";
import { METADATA_TYPES, type MetadataType, negotiate, parseAccept } from "../initializr/negotiate.js";
import { baseUrlOf, guarded, type RouteContext } from "./context.js";
import { renderHome } from "./ui.js";

const HOME_TYPES = [...METADATA_TYPES, "text/html"] as const;
const CLI_AGENT = /^(curl|httpie)\//i;

/** `preset`, and the form's values to prefill (Explore links back with them); IDE clients send none. */
const homeQuery = {
  type: "object",
  properties: { preset: { type: "string", maxLength: 100 } },
  additionalProperties: { type: "string", maxLength: 1000 },
  maxProperties: 40,
} as const;

/** `GET /` (UI, metadata or help by negotiation), `/metadata/client`, `/dependencies?bootVersion=`. */
export function metadataRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get<{ Querystring: { preset?: string } & Record<string, string> }>(
    "/",
    { schema: { querystring: homeQuery } },
    async (request, reply) => {
      const accept = request.headers.accept;
      reply.header("vary", "Accept, User-Agent");
      if (CLI_AGENT.test(request.headers["user-agent"] ?? "") && !namesJson(accept)) {
        if (await guarded(ctx.auth.requireApi, request, reply)) return reply;
        return reply.type("text/plain; charset=utf-8").send(helpText(baseUrlOf(ctx, request)));
      }
      const chosen = negotiate(accept, HOME_TYPES);
      if (chosen === "text/html") {
        if (await guarded(ctx.auth.requirePage, request, reply)) return reply;
        const { preset, ...values } = request.query;
        return renderHome(ctx, request, reply, preset, 200, values);
      }
      return sendMetadata(ctx, request, reply, chosen);
    },
  );

  app.get("/metadata/client", async (request, reply) => {
    return sendMetadata(ctx, request, reply, negotiate(request.headers.accept, METADATA_TYPES));
  });

  app.get(
    "/dependencies",
    {
      schema: {
        querystring: {
          type: "object",
          properties: { bootVersion: { type: "string", maxLength: 50 } },
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      if (await guarded(ctx.auth.requireApi, request, reply)) return reply;
      const chosen = negotiate(request.headers.accept, METADATA_TYPES);
      if (chosen === undefined) return notAcceptable(reply);
      const { bootVersion } = request.query as { bootVersion?: string };
      if (bootVersion !== undefined && bootVersion !== "" && !BOOT_VERSION_IDS.has(bootVersion)) {
        const e = new InputError([
          diag("SW_SCAFFOLD_UNSUPPORTED", `no dependencies for Spring Boot ${bootVersion}`, {
            path: ["bootVersion"],
            hint: `the Spring presets use Spring Boot ${BOOT_VERSION}: use bootVersion=${BOOT_VERSION}, or leave it out`,
          }),
        ]);
        return reply.code(statusOf(e)).send(apiErrorOf(e));
      }
      return reply.type(chosen).send(dependenciesMetadata());
    },
  );
}

async function sendMetadata(
  ctx: RouteContext,
  request: FastifyRequest,
  reply: FastifyReply,
  chosen: string | undefined,
): Promise<FastifyReply> {
  if (await guarded(ctx.auth.requireApi, request, reply)) return reply;
  if (chosen === undefined || chosen === "text/html") return notAcceptable(reply);
  const type = chosen as MetadataType;
  return reply
    .type(type)
    .header("vary", "Accept, User-Agent")
    .header("cache-control", "no-cache")
    .send(cachedMetadata(baseUrlOf(ctx, request), type));
}

function notAcceptable(reply: FastifyReply): FastifyReply {
  return reply
    .code(406)
    .type("application/json")
    .send(apiError(406, `acceptable types: ${METADATA_TYPES.join(", ")}`));
}

/** True when the client explicitly asks for JSON metadata (then even curl gets it). */
function namesJson(accept: string | undefined): boolean {
  return parseAccept(accept).some((r) => r.type.includes("json") && r.q > 0);
}

/**
 * The serialized document per base URL and version: it only changes with the preset list, which is
 * fixed for the life of the process. Bounded, because the base URL may come from the Host header.
 */
const metadataCache = new Map<string, string>();
function cachedMetadata(base: string, type: MetadataType): string {
  const key = `${type} ${base}`;
  let json = metadataCache.get(key);
  if (json === undefined) {
    if (metadataCache.size >= 64) metadataCache.clear();
    json = JSON.stringify(clientMetadata(base, type));
    metadataCache.set(key, json);
  }
  return json;
}
