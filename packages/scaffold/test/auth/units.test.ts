import { Writable } from "node:stream";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { createSealer, readCookie } from "../../src/auth/cookie.js";
import { oidcAuth, oidcAuthFromEnv } from "../../src/auth/index.js";
import { LOOPBACK_NETWORKS, networkMatcher } from "../../src/auth/networks.js";
import { safeReturnPath } from "../../src/auth/return-path.js";
import { HOSTILE_RETURN_PATHS, SAFE_RETURN_PATHS } from "./return-paths.js";

const base = {
  issuerUrl: "https://issuer.example",
  clientId: "scaffold",
  clientSecret: "s",
  redirectUri: "https://scaffold.example/auth/callback",
  cookieSecret: "x".repeat(32),
};

describe("safeReturnPath", () => {
  it.each([
    ["/", "/"],
    ["/explore?preset=node&x=1", "/explore?preset=node&x=1"],
    ["/a/../b", "/b"],
  ])("keeps %s", (input, expected) => expect(safeReturnPath(input)).toBe(expected));

  it.each([
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil",
    "/\tevil",
    "/auth/login",
    "/auth/callback?code=x",
    `/${"a".repeat(3000)}`,
    undefined,
    ["/a"],
  ])("refuses %s", (input) => expect(safeReturnPath(input)).toBe("/"));

  it.each(SAFE_RETURN_PATHS)("keeps the same-origin path %s unchanged", (input) =>
    expect(safeReturnPath(input)).toBe(input),
  );

  it.each(HOSTILE_RETURN_PATHS)("refuses the off-site variant %j", (input) =>
    expect(safeReturnPath(input)).toBe("/"),
  );
});

describe("networkMatcher", () => {
  it("matches nothing by default", () => {
    expect(networkMatcher([])("127.0.0.1")).toBe(false);
  });

  it("matches loopback, including IPv4-mapped IPv6", () => {
    const loopback = networkMatcher(LOOPBACK_NETWORKS);
    expect(loopback("127.0.0.1")).toBe(true);
    expect(loopback("127.1.2.3")).toBe(true);
    expect(loopback("::1")).toBe(true);
    expect(loopback("::ffff:127.0.0.1")).toBe(true);
    expect(loopback("10.0.0.1")).toBe(false);
    expect(loopback("::ffff:10.0.0.1")).toBe(false);
    expect(loopback("not-an-ip")).toBe(false);
  });

  it("refuses invalid CIDRs at startup", () => {
    expect(() => networkMatcher(["10.0.0.0"])).toThrow();
    expect(() => networkMatcher(["10.0.0.0/33"])).toThrow();
    expect(() => networkMatcher(["example.com/8"])).toThrow();
  });
});

describe("sealed cookies", () => {
  const sealer = createSealer("k".repeat(32));

  it("round-trips and is bound to the cookie name and key", () => {
    const sealed = sealer.seal("session", { sub: "dev" });
    expect(sealer.unseal("session", sealed)).toEqual({ sub: "dev" });
    expect(sealer.unseal("auth", sealed)).toBeUndefined();
    expect(createSealer("j".repeat(32)).unseal("session", sealed)).toBeUndefined();
    expect(sealed).not.toContain("dev");
  });

  it("rejects tampering and truncation", () => {
    const sealed = sealer.seal("session", { sub: "dev" });
    const raw = Buffer.from(sealed.slice(3), "base64url");
    raw[raw.length - 20] = (raw[raw.length - 20] ?? 0) ^ 1;
    expect(sealer.unseal("session", `v1.${raw.toString("base64url")}`)).toBeUndefined();
    expect(sealer.unseal("session", sealed.slice(0, 20))).toBeUndefined();
    expect(sealer.unseal("session", "v2.AAAA")).toBeUndefined();
  });

  it("refuses short secrets", () => {
    expect(() => createSealer("short")).toThrow();
  });

  it("reads one cookie from a header", () => {
    expect(readCookie("a=1; b=2=3", "b")).toBe("2=3");
    expect(readCookie(undefined, "b")).toBeUndefined();
  });
});

describe("configuration", () => {
  it("allows insecure cookies only for an http loopback redirect URI", () => {
    expect(() => oidcAuth({ ...base, secureCookies: false })).toThrow();
    expect(() =>
      oidcAuth({ ...base, secureCookies: false, redirectUri: "http://127.0.0.1:3000/auth/callback" }),
    ).not.toThrow();
  });

  it("reads the platform's env names and names what is missing", () => {
    const rest = { redirectUri: base.redirectUri };
    expect(() => oidcAuthFromEnv({ OIDC_ISSUER_URL: base.issuerUrl }, rest)).toThrow(
      /OIDC_CLIENT_ID.*OIDC_CLIENT_SECRET.*SCAFFOLD_COOKIE_SECRET/,
    );
    const env = {
      OIDC_ISSUER_URL: base.issuerUrl,
      OIDC_CLIENT_ID: "c",
      OIDC_CLIENT_SECRET: "s",
      SCAFFOLD_COOKIE_SECRET: "y".repeat(40),
    };
    expect(typeof oidcAuthFromEnv(env, rest).requirePage).toBe("function");
  });
});

describe("logging", () => {
  it("never writes the authorization code or cookies of a callback to the logs", async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const app = Fastify({ logger: { level: "info", stream } });
    await oidcAuth(base).register(app);
    const response = await app.inject({
      url: "/auth/callback?code=SECRET-CODE-123&state=abc",
      headers: { cookie: "__Host-slipway-auth=SECRET-COOKIE" },
    });
    expect(response.statusCode).toBe(400);
    await app.close();
    expect(lines.join("")).not.toMatch(/SECRET-CODE-123|SECRET-COOKIE/);
  });
});
