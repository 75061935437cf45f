import { describe, expect, it } from "vitest";
import { logSink, server } from "./helpers.js";

describe("observability", () => {
  it("answers /healthz and /readyz", async () => {
    const app = await server();
    expect((await app.inject({ url: "/healthz" })).json()).toEqual({ status: "ok" });
    const ready = await app.inject({ url: "/readyz" });
    expect(ready.statusCode).toBe(200);
  });

  it("counts requests by route and generations by preset", async () => {
    const app = await server();
    await app.inject({ url: "/starter.zip?type=node-service&name=demo" });
    await app.inject({ url: "/starter.tgz?type=static-frontend&name=site" });
    const res = await app.inject({ url: "/metrics" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    expect(res.body).toMatch(
      /scaffold_http_requests_total\{method="GET",route="\/starter.zip",status="200"\} 1/,
    );
    expect(res.body).toMatch(/scaffold_generations_total\{preset="node-service",output="zip"\} 1/);
    expect(res.body).toMatch(/scaffold_generations_total\{preset="static-frontend",output="tgz"\} 1/);
    expect(res.body).toContain(
      'scaffold_http_request_duration_seconds_bucket{le="0.05",method="GET",route="/starter.zip"}',
    );
  });

  it("logs JSON without cookies, authorization headers or query strings", async () => {
    const { logger, lines } = logSink();
    const app = await server({ logger });
    await app.inject({
      url: "/starter.zip?name=demo&token=s3cr3t-query",
      headers: { authorization: "Bearer s3cr3t-bearer", cookie: "session=s3cr3t-cookie" },
    });
    logger.info({ headers: { authorization: "Bearer s3cr3t-direct", cookie: "x=s3cr3t-c2" } }, "direct");
    expect(lines.length).toBeGreaterThan(1);
    const all = lines.join("");
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(all).not.toContain("s3cr3t");
    expect(all).toContain('"url":"/starter.zip"');
  });
});
