import { once } from "node:events";
import { Agent, createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { trustProxyOption } from "../src/start.js";
import { startTelemetry, type Telemetry, telemetryActive, withSpan } from "../src/telemetry.js";
import { csrfSession, logSink, server } from "./helpers.js";

/**
 * The OTLP/HTTP receiver here is a plain HTTP server standing in for the platform's OpenTelemetry
 * Collector (which cannot run in the test environment): it records what the exporter posts to
 * /v1/traces. The JSON tests decode OTLP/JSON (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`); the
 * platform renders `http/protobuf`, which one test checks on the wire without a protobuf decoder.
 */
interface Received {
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
}

async function receiver(): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const srv = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        path: req.url ?? "",
        contentType: String(req.headers["content-type"]),
        body: Buffer.concat(chunks),
      });
      res.writeHead(200, { "content-type": String(req.headers["content-type"]) }).end();
    });
  });
  srv.listen(0, "127.0.0.1");
  await once(srv, "listening");
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, received, server: srv };
}

interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  readonly status?: { code?: number; message?: string };
  readonly events?: readonly { name: string }[];
  readonly attrs: Record<string, unknown>;
  readonly resource: Record<string, unknown>;
}

type KeyValues = readonly { key: string; value: Record<string, unknown> }[] | undefined;

function flatten(kvs: KeyValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of kvs ?? []) {
    const v = Object.values(value)[0];
    out[key] =
      "intValue" in value
        ? Number(v)
        : "arrayValue" in value
          ? (v as { values: Record<string, unknown>[] }).values.map((x) => Object.values(x)[0])
          : v;
  }
  return out;
}

/** OTLP/JSON ExportTraceServiceRequest bodies → spans with flat attributes. */
function spansOf(received: readonly Received[]): OtlpSpan[] {
  const spans: OtlpSpan[] = [];
  for (const r of received) {
    expect(r.path).toBe("/v1/traces");
    expect(r.contentType).toBe("application/json");
    const body = JSON.parse(r.body.toString("utf8")) as {
      resourceSpans: {
        resource: { attributes: KeyValues };
        scopeSpans: { spans: (Omit<OtlpSpan, "attrs" | "resource"> & { attributes: KeyValues })[] }[];
      }[];
    };
    for (const rs of body.resourceSpans) {
      const resource = flatten(rs.resource.attributes);
      for (const ss of rs.scopeSpans) {
        for (const s of ss.spans) spans.push({ ...s, attrs: flatten(s.attributes), resource });
      }
    }
  }
  return spans;
}

const SERVER = 2; // OTLP SpanKind SERVER
const ERROR = 2; // OTLP StatusCode ERROR

let telemetry: Telemetry | undefined;
const receivers: Server[] = [];

afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
  for (const r of receivers.splice(0)) r.close();
});

/** A receiver, telemetry exporting to it, and a listening server whose JSON log lines are kept. */
async function traced(env: Record<string, string> = { OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" }) {
  const otlp = await receiver();
  receivers.push(otlp.server);
  const started = await startTelemetry({
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
    OTEL_SERVICE_NAME: "scaffold-test",
    OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=test,service.namespace=slipway%2Dsystem",
    ...env,
  });
  telemetry = started;
  const log = logSink();
  const app = await server({ logger: log.logger });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  /** Closes the server, flushes the exporter and decodes what the receiver got (OTLP/JSON). */
  const spans = async () => {
    await app.close();
    await started.shutdown();
    return spansOf(otlp.received);
  };
  /** The log lines written so far, parsed. */
  const lines = () => log.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { app, base, lines, received: otlp.received, telemetry: started, spans };
}

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID = "00f067aa0ba902b7";

describe("telemetry", () => {
  it("exports a server span per request and a scaffold.generate child for each generation", async () => {
    const t = await traced();
    expect(t.telemetry.exporting).toEqual({
      url: expect.stringMatching(/\/v1\/traces$/),
      protocol: "http/json",
    });
    const zip = await fetch(`${t.base}/starter.zip`, {
      method: "POST",
      headers: FORM,
      body: "type=node-service&name=demo",
    });
    expect(zip.status).toBe(200);
    await zip.arrayBuffer();
    const home = await fetch(`${t.base}/`, { headers: { accept: "text/html" } });
    expect(home.status).toBe(200);
    await home.text();

    const spans = await t.spans();
    const post = spans.find((s) => s.name === "POST /starter.zip");
    expect(post).toBeDefined();
    expect(post?.kind).toBe(SERVER);
    expect(post?.parentSpanId ?? "").toBe("");
    expect(post?.attrs).toMatchObject({
      "http.request.method": "POST",
      "http.route": "/starter.zip",
      "url.path": "/starter.zip",
      "url.scheme": "http",
      "http.response.status_code": 200,
    });
    expect(post?.resource).toMatchObject({
      "service.name": "scaffold-test",
      "deployment.environment": "test",
      "service.namespace": "slipway-system",
    });
    // The form body is read after the onRequest hook entered the span's context: still its child.
    const generate = spans.find((s) => s.name === "scaffold.generate");
    expect(generate?.traceId).toBe(post?.traceId);
    expect(generate?.parentSpanId).toBe(post?.spanId);
    expect(generate?.attrs).toMatchObject({ "scaffold.preset": "node-service", "scaffold.output": "zip" });
    expect(generate?.attrs["scaffold.files"]).toBeGreaterThan(3);
    expect(generate?.attrs["scaffold.bytes"]).toBeGreaterThan(1000);

    const get = spans.find((s) => s.name === "GET /");
    expect(get?.attrs).toMatchObject({
      "http.route": "/",
      "url.path": "/",
      "http.response.status_code": 200,
    });
    expect(get?.traceId).not.toBe(post?.traceId);
  });

  it("keeps the request's context when the body arrives later, on a kept-alive connection", async () => {
    const t = await traced();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const body = "type=node-service&name=demo";
    for (let i = 0; i < 2; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = request(`${t.base}/starter.zip`, {
          agent,
          method: "POST",
          headers: { ...FORM, "content-length": String(body.length) },
        });
        req.on("response", (res) => res.resume().on("end", resolve));
        req.on("error", reject);
        req.flushHeaders();
        setTimeout(() => req.end(body), 20);
      });
    }
    agent.destroy();

    const spans = await t.spans();
    const posts = spans.filter((s) => s.name === "POST /starter.zip");
    expect(posts).toHaveLength(2);
    for (const post of posts) {
      const children = spans.filter((s) => s.name === "scaffold.generate" && s.parentSpanId === post.spanId);
      expect(children.map((c) => c.traceId)).toEqual([post.traceId]);
    }
  });

  it("continues an incoming traceparent and puts its trace id on the request's log lines", async () => {
    const t = await traced();
    const res = await fetch(`${t.base}/starter.tgz?type=static-frontend&name=site`, {
      headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` },
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();

    const spans = await t.spans();
    const get = spans.find((s) => s.name === "GET /starter.tgz");
    expect(get?.traceId).toBe(TRACE_ID);
    expect(get?.parentSpanId).toBe(PARENT_ID);
    const generate = spans.find((s) => s.name === "scaffold.generate");
    expect(generate).toMatchObject({ traceId: TRACE_ID, parentSpanId: get?.spanId });
    expect(generate?.attrs).toMatchObject({ "scaffold.preset": "static-frontend", "scaffold.output": "tgz" });

    const request = t.lines().filter((l) => l.reqId !== undefined);
    expect(request.map((l) => l.msg)).toEqual(["incoming request", "request completed"]);
    for (const line of request) {
      expect(line).toMatchObject({ trace_id: TRACE_ID, span_id: get?.spanId, trace_flags: "01" });
    }
  });

  it("records a failed generation on its span; the 400 leaves the server span unset", async () => {
    const t = await traced();
    const res = await fetch(`${t.base}/starter.zip?type=node-service&port=80`);
    expect(res.status).toBe(400);
    await res.text();

    const spans = await t.spans();
    const get = spans.find((s) => s.name === "GET /starter.zip");
    expect(get?.attrs).toMatchObject({ "http.response.status_code": 400, "url.path": "/starter.zip" });
    expect(get?.status?.code ?? 0).not.toBe(ERROR);
    const generate = spans.find((s) => s.name === "scaffold.generate");
    expect(generate?.parentSpanId).toBe(get?.spanId);
    expect(generate?.status?.code).toBe(ERROR);
    expect(generate?.attrs["error.type"]).toBe("SW_PRESET_INVALID_PARAMETER");
    expect(generate?.events?.map((e) => e.name)).toContain("exception");
    const completed = t.lines().find((l) => l.msg === "request completed");
    expect(completed?.trace_id).toBe(get?.traceId);
  });

  it("traces the UI's Generate and Explore, failing the span when the form is refused", async () => {
    const t = await traced();
    const { cookie, token } = await csrfSession(t.app);
    const post = async (path: string, fields: Record<string, string>) => {
      const body = new URLSearchParams({
        preset: "node-service",
        name: "api",
        owner: "octocat",
        _csrf: token,
        ...fields,
      });
      const r = await fetch(`${t.base}${path}`, {
        method: "POST",
        headers: { ...FORM, cookie },
        body: String(body),
      });
      await r.arrayBuffer();
      return r.status;
    };
    expect(await post("/generate", {})).toBe(200);
    expect(await post("/explore", {})).toBe(200);
    expect(await post("/explore", { port: "80" })).toBe(422);

    const spans = await t.spans();
    const child = (route: string, output: string) =>
      spans
        .filter((s) => s.name === `POST ${route}`)
        .map((p) => spans.find((s) => s.name === "scaffold.generate" && s.parentSpanId === p.spanId))
        .filter((s) => s?.attrs["scaffold.output"] === output);
    const [generated] = child("/generate", "zip");
    expect(generated?.attrs).toMatchObject({ "scaffold.preset": "node-service" });
    expect(generated?.attrs["scaffold.bytes"]).toBeGreaterThan(1000);
    const [explored, refused] = child("/explore", "explore");
    expect(explored?.status?.code ?? 0).not.toBe(ERROR);
    expect(explored?.attrs["scaffold.files"]).toBeGreaterThan(3);
    expect(refused?.status?.code).toBe(ERROR);
    expect(refused?.attrs).toMatchObject({
      "error.type": "invalid_parameters",
      "scaffold.invalid_fields": ["port"],
    });
  });

  it("exports OTLP protobuf by default, as the platform configures it", async () => {
    const t = await traced({});
    expect(t.telemetry.exporting?.protocol).toBe("http/protobuf");
    const res = await fetch(`${t.base}/starter.zip?type=node-service&name=demo`, {
      headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` },
    });
    await res.arrayBuffer();
    await t.app.close();
    await t.telemetry.shutdown();

    expect(t.received.length).toBeGreaterThan(0);
    const body = Buffer.concat(t.received.map((r) => r.body));
    expect(t.received.every((r) => r.contentType === "application/x-protobuf")).toBe(true);
    // Protobuf carries ids as raw bytes and names as UTF-8: enough to know the spans went out.
    expect(body.includes(Buffer.from(TRACE_ID, "hex"))).toBe(true);
    expect(body.includes(Buffer.from("scaffold.generate"))).toBe(true);
    expect(body.includes(Buffer.from("GET /starter.zip"))).toBe(true);
  });

  it("is off without an endpoint, when disabled, and for gRPC; withSpan is then a no-op", async () => {
    for (const env of [
      {},
      { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:1", OTEL_SDK_DISABLED: "true" },
      { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:1", OTEL_TRACES_EXPORTER: "none" },
    ]) {
      const off = await startTelemetry(env);
      expect(off.exporting).toBeUndefined();
      expect(telemetryActive()).toBe(false);
    }
    const grpc = await startTelemetry({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:1",
      OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
    });
    expect(grpc.exporting).toBeUndefined();
    expect(grpc.warning).toMatch(/grpc/);
    expect(withSpan("x", {}, (span) => span.isRecording())).toBe(false);
    expect(() =>
      withSpan("x", {}, () => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
  });
});

describe("trustProxy", () => {
  const ipsLimited = async (app: FastifyInstance) => {
    const statuses: number[] = [];
    for (const ip of ["10.0.0.1", "10.0.0.2"]) {
      const res = await app.inject({
        url: "/starter.zip?type=node-service&name=demo",
        headers: { "x-forwarded-for": ip },
      });
      statuses.push(res.statusCode);
    }
    return statuses;
  };

  it("keys the rate limit on the forwarded client only behind a trusted proxy", async () => {
    const limits = { archivesPerWindow: 1 };
    expect(await ipsLimited(await server({ limits }))).toEqual([200, 429]);
    expect(await ipsLimited(await server({ limits, trustProxy: ["loopback"] }))).toEqual([200, 200]);
  });

  it("reads SCAFFOLD_TRUST_PROXY", () => {
    expect(trustProxyOption(undefined)).toEqual({});
    expect(trustProxyOption("false")).toEqual({});
    expect(trustProxyOption("true")).toEqual({ trustProxy: true });
    expect(trustProxyOption("loopback, uniquelocal,")).toEqual({ trustProxy: ["loopback", "uniquelocal"] });
  });
});
