import { describe, expect, it } from "vitest";
import { clientKey } from "../src/security/rate-limit.js";
import { server } from "./helpers.js";

// Issue 16: the archive rate limit counted each IPv6 address alone; a host holds a whole /64.
describe("clientKey", () => {
  it.each([
    ["192.0.2.1", "192.0.2.1"],
    ["::ffff:192.0.2.1", "192.0.2.1"],
    ["::FFFF:192.0.2.1", "192.0.2.1"],
    ["2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"],
    ["2001:0db8:0001:0002::1", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["2001:db8:0:0:ffff::", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["::", "0:0:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["64:ff9b::192.0.2.1", "64:ff9b:0:0::/64"],
    ["not an address", "not an address"],
  ])("%s → %s", (ip, key) => {
    expect(clientKey(ip)).toBe(key);
  });

  // Red-team rerun: the hex spelling of an IPv4-mapped address had a budget of its own.
  it.each(["::ffff:203.0.113.7", "::ffff:cb00:7107", "0:0:0:0:0:ffff:cb00:7107", "::FFFF:CB00:7107"])(
    "%s shares 203.0.113.7's budget",
    (ip) => {
      expect(clientKey(ip)).toBe("203.0.113.7");
    },
  );

  it("puts the addresses of one /64 together and other /64s apart", () => {
    expect(clientKey("2001:db8:1:2::1")).toBe(clientKey("2001:db8:1:2:ffff:ffff:ffff:fffe"));
    expect(clientKey("2001:db8:1:2::1")).not.toBe(clientKey("2001:db8:1:3::1"));
  });
});

describe("the archive rate limit over IPv6", () => {
  it("counts a /64 as one client", async () => {
    const app = await server({ limits: { archivesPerWindow: 2, windowMs: 60_000 } });
    const from = (remoteAddress: string) =>
      app.inject({ url: "/starter.zip?name=demo", remoteAddress }).then((r) => r.statusCode);
    expect(await from("2001:db8:1:2::1")).toBe(200);
    expect(await from("2001:db8:1:2::2")).toBe(200);
    expect(await from("2001:db8:1:2:abcd::3")).toBe(429);
    expect(await from("2001:db8:1:3::1")).toBe(200);
    expect(await from("192.0.2.1")).toBe(200);
  });
});
