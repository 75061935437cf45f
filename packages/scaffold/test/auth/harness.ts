import { createServer } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import type { AuthPlugin } from "../../src/auth/index.js";

/** A port free on 127.0.0.1 now, for a server whose URLs (redirect URIs) must be known before it listens. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** The smallest app with one guarded page and one guarded API route. */
export async function startApp(auth: AuthPlugin, port: number): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await auth.register(app);
  app.get("/", { preHandler: auth.requirePage }, async (request) => ({
    page: "home",
    who: auth.principal(request),
  }));
  app.get("/guarded", { preHandler: auth.requirePage }, async (request) => ({
    page: "guarded",
    who: auth.principal(request),
  }));
  app.get("/api/ping", { preHandler: auth.requireApi }, async (request) => ({
    who: auth.principal(request),
  }));
  await app.listen({ port, host: "127.0.0.1" });
  return app;
}

/** Cookies per origin (host:port), enough for driving a redirect flow with fetch. */
export class CookieJar {
  readonly #jar = new Map<string, Map<string, string>>();

  store(url: string, response: Response): void {
    const origin = new URL(url).host;
    const cookies = this.#jar.get(origin) ?? new Map<string, string>();
    for (const header of response.headers.getSetCookie()) {
      const [pair = ""] = header.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (/max-age=0/i.test(header) || value === "") cookies.delete(name);
      else cookies.set(name, value);
    }
    this.#jar.set(origin, cookies);
  }

  header(url: string): string {
    const cookies = this.#jar.get(new URL(url).host) ?? new Map<string, string>();
    return [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  set(url: string, name: string, value: string): void {
    const origin = new URL(url).host;
    const cookies = this.#jar.get(origin) ?? new Map<string, string>();
    cookies.set(name, value);
    this.#jar.set(origin, cookies);
  }

  get(url: string, name: string): string | undefined {
    return this.#jar.get(new URL(url).host)?.get(name);
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.header(url);
    if (cookie) headers.set("cookie", cookie);
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    this.store(url, response);
    return response;
  }
}

export function location(response: Response, base: string): string {
  const value = response.headers.get("location");
  if (!value) throw new Error(`no Location on HTTP ${response.status}`);
  return new URL(value, base).href;
}

/**
 * Follows redirects from `start` through the provider's dev interactions (login `dev`, then
 * consent) until the browser would land on the app's /auth/callback; returns that URL unvisited.
 */
export async function authorizeAtProvider(jar: CookieJar, start: string, appOrigin: string): Promise<string> {
  let url = start;
  for (let hop = 0; hop < 20; hop++) {
    if (url.startsWith(`${appOrigin}/auth/callback`)) return url;
    const response = await jar.fetch(url);
    if (response.status >= 300 && response.status < 400) {
      url = location(response, url);
      continue;
    }
    const html = await response.text();
    if (response.status !== 200)
      throw new Error(`provider answered ${response.status}: ${html.slice(0, 300)}`);
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    if (!action || !prompt) throw new Error("no interaction form");
    const body = new URLSearchParams({ prompt });
    if (prompt === "login") {
      body.set("login", "dev");
      body.set("password", "any");
    }
    const submit = await jar.fetch(new URL(action, url).href, { method: "POST", body });
    url = location(submit, url);
  }
  throw new Error("too many redirects");
}

/**
 * Logs in from `/auth/login?returnTo=<returnTo>` with a fresh browser and returns the Location the
 * app redirects to after the callback, after checking that no browser could read it as another
 * site. The caller asserts where it leads.
 */
export async function returnAfterLogin(appOrigin: string, returnTo: string): Promise<string> {
  const jar = new CookieJar();
  const loginUrl = `${appOrigin}/auth/login?returnTo=${encodeURIComponent(returnTo)}`;
  const start = await jar.fetch(loginUrl);
  if (start.status !== 302) throw new Error(`login answered ${start.status}`);
  const callback = await jar.fetch(await authorizeAtProvider(jar, location(start, loginUrl), appOrigin));
  if (callback.status !== 303) throw new Error(`callback answered ${callback.status}`);
  const target = callback.headers.get("location") ?? "";
  if (new URL(target, appOrigin).origin !== appOrigin || /^[/\\]{2}|\\/.test(target))
    throw new Error(`redirected off-site to ${JSON.stringify(target)}`);
  return target;
}
