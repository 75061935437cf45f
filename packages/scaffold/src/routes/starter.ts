import { diag, InputError } from "@slipway/core/lite";
import { generate } from "@slipway/presets";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { archiveEntries } from "../archive/entries.js";
import { bufferPool } from "../archive/pool.js";
import { tgzArchive } from "../archive/tar.js";
import { zipArchive } from "../archive/zip.js";
import { type StarterQuery, starterRequest, starterSchema } from "../initializr/request.js";
import { withSpan } from "../telemetry.js";
import { guarded, type RouteContext, rateLimited } from "./context.js";

type Format = "zip" | "tgz";

const CONTENT_TYPE: Record<Format, string> = { zip: "application/zip", tgz: "application/gzip" };

/** ZIP archives are written into reused buffers, each returned when its response has finished. */
const zipBuffers = bufferPool();

/** `GET|POST /starter.zip`, `/starter.tgz` and `/pom.xml`: the Initializr download endpoints. */
export function starterRoutes(app: FastifyInstance, ctx: RouteContext): void {
  for (const format of ["zip", "tgz"] as const) {
    const url = `/starter.${format}`;
    const handler = (source: "query" | "body") => async (request: FastifyRequest, reply: FastifyReply) => {
      if (await guarded(ctx.auth.requireApi, request, reply)) return reply;
      if (rateLimited(ctx, request, reply)) return reply;
      const query = ((source === "query" ? request.query : request.body) ?? {}) as StarterQuery;
      return sendArchive(ctx, reply, query, format);
    };
    app.get(url, { schema: { querystring: starterSchema } }, handler("query"));
    app.post(url, { schema: { body: starterSchema } }, handler("body"));
  }
  // Initializr's build-file endpoint (type maven-build): the Spring presets' pom.xml alone.
  for (const url of ["/pom.xml", "/pom"]) {
    const handler = (source: "query" | "body") => async (request: FastifyRequest, reply: FastifyReply) => {
      if (await guarded(ctx.auth.requireApi, request, reply)) return reply;
      if (rateLimited(ctx, request, reply)) return reply;
      const query = ((source === "query" ? request.query : request.body) ?? {}) as StarterQuery;
      return sendPom(ctx, reply, query);
    };
    app.get(url, { schema: { querystring: starterSchema } }, handler("query"));
    app.post(url, { schema: { body: starterSchema } }, handler("body"));
  }
}

/** The pom.xml of the project `query` describes; a preset without one (not Maven) is a 400. */
function sendPom(ctx: RouteContext, reply: FastifyReply, query: StarterQuery): FastifyReply {
  const { preset, pom } = withSpan("scaffold.generate", { "scaffold.output": "pom" }, (span) => {
    const { description } = starterRequest(query, { owner: ctx.defaultOwner });
    span.setAttribute("scaffold.preset", description.preset.id);
    const file = generate(description).find((f) => f.path === "pom.xml");
    if (file === undefined) {
      throw new InputError([
        diag(
          "SW_SCAFFOLD_NO_BUILD_FILE",
          `${description.preset.id} is not a Maven project: it has no pom.xml`,
          {
            path: [query.preset ? "preset" : "type"],
            hint: "use /starter.zip for this preset, or ask for a Spring preset (type=maven-build)",
          },
        ),
      ]);
    }
    return { preset: description.preset.id, pom: file.content };
  });
  ctx.metrics.generations.inc({ preset, output: "pom" });
  return reply
    .type("application/xml")
    .header("content-disposition", 'attachment; filename="pom.xml"')
    .header("cache-control", "no-store")
    .send(pom);
}

/**
 * Describes, generates and archives in a `scaffold.generate` span; InputErrors become 400s in the
 * server's error handler (and are recorded on the span).
 */
function sendArchive(
  ctx: RouteContext,
  reply: FastifyReply,
  query: StarterQuery,
  format: Format,
): FastifyReply {
  const { description, baseDir, bytes } = withSpan(
    "scaffold.generate",
    { "scaffold.output": format },
    (span) => {
      const described = starterRequest(query, { owner: ctx.defaultOwner });
      span.setAttribute("scaffold.preset", described.description.preset.id);
      const files = generate(described.description);
      const entries = archiveEntries(files, described.baseDir);
      const archive = format === "zip" ? zipArchive(entries, zipBuffers.take) : tgzArchive(entries);
      span.setAttributes({ "scaffold.files": files.length, "scaffold.bytes": archive.byteLength });
      return { ...described, bytes: archive };
    },
  );
  ctx.metrics.generations.inc({ preset: description.preset.id, output: format });
  if (format === "zip") {
    // 'finish': the socket has written the last byte; a response that ends otherwise keeps its buffer.
    reply.raw.once("finish", () => zipBuffers.give(bytes));
  }
  const file = `${baseDir.replace(/\/$/, "").split("/").pop() || description.parameters.name}.${format === "zip" ? "zip" : "tar.gz"}`;
  return reply
    .type(CONTENT_TYPE[format])
    .header("content-disposition", `attachment; filename="${file}"`)
    .header("cache-control", "no-store")
    .send(bytes);
}
