import { Counter, Histogram, Registry } from "prom-client";

/** The service's Prometheus metrics, one registry per server (tests build many servers). */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "scaffold_http_requests_total",
    help: "HTTP requests by method, route and status",
    labelNames: ["method", "route", "status"],
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: "scaffold_http_request_duration_seconds",
    help: "HTTP request duration by route",
    labelNames: ["method", "route"],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly generations = new Counter({
    name: "scaffold_generations_total",
    help: "Generated projects by preset and output",
    labelNames: ["preset", "output"],
    registers: [this.registry],
  });
}
