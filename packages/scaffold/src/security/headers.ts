import type { FastifyInstance } from "fastify";

/** Headers on every response: the pages load nothing but their own stylesheet. */
const HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
};

/**
 * `formActions`: origins besides `'self'` that a form post may be redirected to (the OIDC issuer,
 * for logout and for a login that a form post started).
 */
export function securityHeaders(app: FastifyInstance, formActions: readonly string[] = []): void {
  const csp = `default-src 'self'; frame-ancestors 'none'; form-action ${["'self'", ...formActions].join(" ")}; base-uri 'none'; object-src 'none'`;
  app.addHook("onSend", async (_request, reply, payload) => {
    reply.header("content-security-policy", csp);
    for (const [k, v] of Object.entries(HEADERS)) reply.header(k, v);
    return payload;
  });
}
