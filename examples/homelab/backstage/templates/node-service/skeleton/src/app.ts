import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { OidcLogin } from "./oidc.ts";

export interface AppOptions {
  readonly serviceName: string;
  /** Readiness: false until dependencies (the OIDC issuer) are reachable. */
  readonly isReady: () => boolean;
  /** Login through the platform's issuer; absent means every visitor is anonymous. */
  readonly login?: OidcLogin;
}

const tracer = trace.getTracer("http-server");

/** The request handler: health probes, a page, the signed-in user, and the OIDC login routes. */
export function createApp(options: AppOptions): RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    tracer.startActiveSpan(`${req.method} ${url.pathname}`, { kind: SpanKind.SERVER }, (span) => {
      route(options, req, res, url)
        .catch((error: unknown) => {
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR });
          if (!res.headersSent) send(res, 500, { error: "internal error" });
          else res.destroy();
        })
        .finally(() => {
          span.setAttribute("http.response.status_code", res.statusCode);
          span.end();
        });
    });
  };
}

async function route(options: AppOptions, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const { login } = options;
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, { error: "method not allowed" });
  switch (url.pathname) {
    case "/healthz":
      return send(res, 200, { status: "ok" });
    case "/readyz":
      return options.isReady() ? send(res, 200, { status: "ready" }) : send(res, 503, { status: "starting" });
    case "/api/me": {
      if (!login) return send(res, 200, { anonymous: true });
      const user = login.user(req);
      return user ? send(res, 200, user) : send(res, 401, { error: "login required", login: "/login" });
    }
    case "/login":
      if (!login) return send(res, 404, { error: "login is disabled (OIDC_ISSUER_URL is not set)" });
      return redirect(res, await login.start(res));
    case "/auth/callback":
      if (!login) return send(res, 404, { error: "not found" });
      return redirect(res, await login.finish(req, res, url));
    case "/logout":
      login?.logout(req, res);
      return redirect(res, "/");
    case "/": {
      const user = login?.user(req);
      const greeting = user ? `Hello, ${user.name ?? user.subject}!` : `Hello from ${options.serviceName}.`;
      return send(res, 200, { message: greeting, login: login && !user ? "/login" : undefined });
    }
    default:
      return send(res, 404, { error: "not found" });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(json),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  res.end(json);
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, "cache-control": "no-store" });
  res.end();
}
