import type { IncomingMessage } from "node:http";
import {
  type Attributes,
  type Context,
  context,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import type { Sampler, SpanExporter } from "@opentelemetry/sdk-trace";
import type { FastifyBaseLogger, FastifyInstance, FastifyServerOptions } from "fastify";
import { isSlipwayError } from "./errors.js";
import { invalidSetting, isHttpUrl } from "./startup-errors.js";

/**
 * OpenTelemetry traces for the scaffold service: a server span per HTTP request, a
 * `scaffold.generate` span per generation, trace ids in the JSON logs.
 *
 * Not the NodeSDK: importing `@opentelemetry/sdk-node` loads every exporter it can configure
 * (gRPC, Zipkin, Prometheus, metrics and logs SDKs), several times the idle RSS in `serve` of the
 * tracer provider, one OTLP/HTTP exporter, the AsyncLocalStorage context manager and the W3C
 * propagator used here (bench/README.md). No auto-instrumentation either: the request hooks below are the
 * instrumentation. Everything is imported only when telemetry starts, so a server without it pays
 * nothing.
 */

/** OTLP protocols this service can export with (no gRPC exporter: it would pull in grpc-js). */
export type OtlpProtocol = "http/protobuf" | "http/json";

export interface Telemetry {
  /** Where spans are exported, or `undefined` when telemetry is off. */
  readonly exporting: { readonly url: string; readonly protocol: OtlpProtocol } | undefined;
  /** Why telemetry is off although an endpoint is configured (e.g. an unsupported protocol). */
  readonly warning?: string;
  /** Ends tracing and flushes buffered spans to the collector; call it when the server closes. */
  shutdown(): Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

interface Active {
  readonly tracer: Tracer;
  readonly provider: { shutdown(): Promise<void> };
}

/** The started SDK; the OpenTelemetry API's globals are per process, and so is this. */
let active: Active | undefined;

const OFF: Telemetry = { exporting: undefined, shutdown: async () => {} };

/**
 * Starts tracing when `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT` is set,
 * unless `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`. Reads the standard variables
 * from `env`: the endpoint (`/v1/traces` appended to the generic one), `OTEL_EXPORTER_OTLP_PROTOCOL`
 * (`http/protobuf`, the default, or `http/json`), `OTEL_SERVICE_NAME` (default `scaffold`),
 * `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER`/`_ARG`. The exporter itself reads the
 * process's `OTEL_EXPORTER_OTLP_HEADERS`, `_TIMEOUT` and `_COMPRESSION`.
 *
 * Start it before `buildServer`: the server wires request tracing only when telemetry is active.
 *
 * @example
 * const telemetry = await startTelemetry(process.env);
 * const app = await buildServer(options);
 * app.addHook("onClose", telemetry.shutdown);
 */
export async function startTelemetry(env: Env = process.env): Promise<Telemetry> {
  if (active !== undefined) throw new Error("telemetry is already started in this process");
  if (/^true$/i.test(env.OTEL_SDK_DISABLED?.trim() ?? "")) return OFF;
  if (env.OTEL_TRACES_EXPORTER?.split(",").some((e) => e.trim() === "none")) return OFF;
  const url = tracesUrl(env);
  if (url === undefined) return OFF;
  if (!isHttpUrl(url)) {
    const setting = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim()
      ? "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
      : "OTEL_EXPORTER_OTLP_ENDPOINT";
    throw invalidSetting(
      setting,
      `${setting} '${env[setting]?.trim()}' is not an http(s) URL`,
      "set it to the OTLP/HTTP collector's URL, e.g. http://otel-collector.observability:4318, or unset it to turn tracing off",
    );
  }
  const requested = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim();
  const protocol = requested === undefined || requested === "" ? "http/protobuf" : requested;
  if (protocol !== "http/protobuf" && protocol !== "http/json") {
    return {
      ...OFF,
      warning: `OTEL_EXPORTER_OTLP_PROTOCOL ${protocol} is not supported (use http/protobuf or http/json): tracing is off`,
    };
  }

  const [sdk, resources, core, hooks] = await Promise.all([
    import("@opentelemetry/sdk-trace"),
    import("@opentelemetry/resources"),
    import("@opentelemetry/core"),
    import("@opentelemetry/context-async-hooks"),
  ]);
  const exporter: SpanExporter =
    protocol === "http/json"
      ? new (await import("@opentelemetry/exporter-trace-otlp-http")).OTLPTraceExporter({ url })
      : new (await import("@opentelemetry/exporter-trace-otlp-proto")).OTLPTraceExporter({ url });
  const resource = resources
    .defaultResource()
    .merge(resources.resourceFromAttributes(parseResourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES)))
    .merge(resources.resourceFromAttributes({ "service.name": env.OTEL_SERVICE_NAME?.trim() || "scaffold" }));
  const provider = new sdk.TracerProvider({
    resource,
    sampler: samplerFrom(sdk, env),
    spanProcessors: [new sdk.BatchSpanProcessor({ exporter })],
  });
  const contextManager = new hooks.AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(
    new core.CompositePropagator({
      propagators: [new core.W3CTraceContextPropagator(), new core.W3CBaggagePropagator()],
    }),
  );
  trace.setGlobalTracerProvider(provider);
  const started: Active = { tracer: provider.getTracer("@slipway/scaffold"), provider };
  active = started;

  let stopped: Promise<void> | undefined;
  return {
    exporting: { url, protocol },
    shutdown: () => {
      stopped ??= (async () => {
        if (active === started) active = undefined;
        try {
          await provider.shutdown();
        } finally {
          trace.disable();
          propagation.disable();
          context.disable();
        }
      })();
      return stopped;
    },
  };
}

/** True between `startTelemetry` (with an endpoint) and its `shutdown`. */
export function telemetryActive(): boolean {
  return active !== undefined;
}

function tracesUrl(env: Env): string | undefined {
  const specific = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (specific) return specific;
  const generic = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return generic ? `${generic.replace(/\/+$/, "")}/v1/traces` : undefined;
}

/** `k=v,k2=v2` with percent-encoded values (W3C baggage syntax), as the platform renders it. */
function parseResourceAttributes(raw: string | undefined): Attributes {
  const out: Attributes = {};
  for (const pair of raw?.split(",") ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) continue;
    try {
      out[pair.slice(0, eq).trim()] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      // A malformed escape drops that attribute, as the SDKs' env detector does.
    }
  }
  return out;
}

function samplerFrom(sdk: typeof import("@opentelemetry/sdk-trace"), env: Env): Sampler {
  const ratio = Number(env.OTEL_TRACES_SAMPLER_ARG ?? "1");
  const ratioSampler = () => new sdk.TraceIdRatioBasedSampler(Number.isFinite(ratio) ? ratio : 1);
  switch (env.OTEL_TRACES_SAMPLER?.trim()) {
    case "always_off":
      return new sdk.AlwaysOffSampler();
    case "always_on":
      return new sdk.AlwaysOnSampler();
    case "traceidratio":
      return ratioSampler();
    case "parentbased_always_off":
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new sdk.ParentBasedSampler({ root: ratioSampler() });
    default:
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() });
  }
}

const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Runs `fn` in a new active span, a child of the current one; records a thrown error (or a rejected
 * promise) with status ERROR and rethrows. Without telemetry `fn` gets a no-op span.
 *
 * @example
 * withSpan("scaffold.generate", { "scaffold.preset": id }, (span) => {
 *   const files = generate(description);
 *   span.setAttribute("scaffold.files", files.length);
 *   return files;
 * });
 */
export function withSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => T): T {
  const tracer = active?.tracer;
  if (tracer === undefined) return fn(NOOP_SPAN);
  return tracer.startActiveSpan(name, { attributes }, (span) => {
    let result: T;
    try {
      result = fn(span);
    } catch (e) {
      recordError(span, e);
      span.end();
      throw e;
    }
    if (result instanceof Promise) {
      return result.then(
        (value) => {
          span.end();
          return value;
        },
        (e: unknown) => {
          recordError(span, e);
          span.end();
          throw e;
        },
      ) as T;
    }
    span.end();
    return result;
  });
}

/** Marks a span failed: the exception event, status ERROR and `error.type` (a Slipway code when there is one). */
function recordError(span: Span, e: unknown): void {
  const type = isSlipwayError(e) ? (e.diagnostics[0]?.code ?? e.name) : e instanceof Error ? e.name : "Error";
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof Error) span.recordException(e);
  span.setAttribute("error.type", type);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

// ---------------------------------------------------------------------------------------------
// Requests

interface RequestSpan {
  readonly span: Span;
  readonly ctx: Context;
}

/** Server spans by raw request, and by the request's child logger for the log mixin. */
const requestSpans = new WeakMap<IncomingMessage, RequestSpan>();
const loggerSpans = new WeakMap<object, Span>();

/**
 * Fastify's `childLoggerFactory` while telemetry is active: the earliest per-request callback
 * fastify offers, so the server span starts here and even the "incoming request" line carries
 * its trace id. The parent is the caller's `traceparent` (never the ambient context, which on a
 * pipelined connection can still be the previous request's).
 */
export const tracingChildLoggerFactory: NonNullable<FastifyServerOptions["childLoggerFactory"]> = (
  logger,
  bindings,
  opts,
  raw,
) => {
  const child = logger.child(bindings, opts);
  const tracer = active?.tracer;
  if (tracer === undefined) return child;
  const parent = propagation.extract(ROOT_CONTEXT, raw.headers);
  const method = raw.method ?? "GET";
  const span = tracer.startSpan(
    method,
    {
      kind: SpanKind.SERVER,
      attributes: { "http.request.method": method, "url.path": (raw.url ?? "/").split("?")[0] ?? "/" },
    },
    parent,
  );
  requestSpans.set(raw, { span, ctx: trace.setSpan(parent, span) });
  // A logger whose child() returns itself (fastify's disabled logger) is shared by every request.
  if (child !== logger) loggerSpans.set(child, span);
  return child;
};

/**
 * Names the request's server span after its route and makes it the active context for the later
 * hooks and the handler; ends it with the response status. A no-op unless telemetry was started before
 * the server was built.
 */
export function traceRequests(app: FastifyInstance): void {
  if (active === undefined) return;
  app.addHook("onRequest", (request, _reply, done) => {
    const s = requestSpans.get(request.raw);
    if (s === undefined) return done();
    const route = request.routeOptions.url;
    if (route !== undefined) {
      s.span.updateName(`${request.method} ${route}`);
      s.span.setAttribute("http.route", route);
    }
    s.span.setAttribute("url.scheme", request.protocol);
    // Everything after this hook runs in the span's context, the body's stream events and the
    // handler's awaits included (AsyncLocalStorage; a test posts a body on a keep-alive connection).
    context.with(s.ctx, done);
  });
  app.addHook("onResponse", (request, reply, done) => {
    endRequestSpan(request.raw, reply.statusCode);
    done();
  });
  app.addHook("onRequestAbort", (request, done) => {
    endRequestSpan(request.raw, undefined);
    done();
  });
}

function endRequestSpan(raw: IncomingMessage, status: number | undefined): void {
  const s = requestSpans.get(raw);
  if (s === undefined) return;
  requestSpans.delete(raw);
  if (status === undefined) {
    s.span.setAttribute("error.type", "aborted");
    s.span.setStatus({ code: SpanStatusCode.ERROR, message: "client aborted the request" });
  } else {
    s.span.setAttribute("http.response.status_code", status);
    // Semantic conventions: a server span fails on 5xx only; 4xx are the client's errors.
    if (status >= 500) {
      s.span.setAttribute("error.type", String(status));
      s.span.setStatus({ code: SpanStatusCode.ERROR });
    }
  }
  s.span.end();
}

/** The log fields of the current span, `{}` without one. */
export interface TraceFields {
  readonly trace_id?: string;
  readonly span_id?: string;
  readonly trace_flags?: string;
}

/**
 * The pino mixin's fields: the active span (e.g. `scaffold.generate`) when it belongs to the
 * request the logger was made for, else that request's server span, else the active span for
 * loggers not tied to a request. A new object every call: pino merges the line's fields into it.
 */
export function traceFields(logger?: FastifyBaseLogger | object): TraceFields {
  if (active === undefined) return {};
  const own = logger === undefined ? undefined : loggerSpans.get(logger);
  const current = trace.getSpan(context.active());
  const span =
    own === undefined
      ? current
      : current !== undefined && current.spanContext().traceId === own.spanContext().traceId
        ? current
        : own;
  const sc = span?.spanContext();
  if (sc === undefined || !isSpanContextValid(sc)) return {};
  return {
    trace_id: sc.traceId,
    span_id: sc.spanId,
    trace_flags: sc.traceFlags.toString(16).padStart(2, "0"),
  };
}
