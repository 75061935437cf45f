import {
  ConflictError,
  diag,
  ERROR_KINDS,
  InputError,
  NotFoundError,
  type SlipwayError,
  UnavailableError,
} from "@slipway/core/lite";
import { describe, expect, it } from "vitest";
import { server } from "./helpers.js";

// The error handler answered every Slipway error with 400, whatever its kind, while the body it
// sent stated the catalogue's status (404, 409, 503): a client reading the status line saw "bad request".
describe("a Slipway error a route throws is answered with its kind's status from the catalogue", () => {
  const cases: [string, () => SlipwayError, number][] = [
    [
      "input",
      () =>
        new InputError([
          diag("SW_SCAFFOLD_INVALID_PARAMETER", "packaging is invalid", { path: ["packaging"] }),
        ]),
      400,
    ],
    ["not-found", () => new NotFoundError([diag("SW_PRESET_NOT_FOUND", "no preset 'nope'")]), 404],
    ["conflict", () => new ConflictError([diag("SW_NEW_SERVICE_EXISTS", "demo is already declared")]), 409],
    [
      "unavailable",
      () => new UnavailableError([diag("SW_NEW_GIT_UNREACHABLE", "the remote cannot be reached")]),
      503,
    ],
  ];

  it.each(cases)("%s", async (kind, make, status) => {
    expect(ERROR_KINDS[kind as keyof typeof ERROR_KINDS].http).toBe(status);
    const app = await server();
    app.get("/test/throws", async () => {
      throw make();
    });
    const res = await app.inject({ method: "GET", url: "/test/throws" });
    expect(res.statusCode).toBe(status);
    const body = res.json() as { status: number; code: string };
    expect(body.status).toBe(status);
    expect(body.code).toBe(make().diagnostics[0]?.code);
  });

  it("a real route's refusal keeps 400", async () => {
    const app = await server();
    const res = await app.inject({ method: "GET", url: "/dependencies?bootVersion=1.0.0" });
    expect([res.statusCode, (res.json() as { code: string }).code]).toEqual([400, "SW_SCAFFOLD_UNSUPPORTED"]);
  });
});
