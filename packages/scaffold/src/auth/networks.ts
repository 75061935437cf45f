import { BlockList, isIPv4, isIPv6 } from "node:net";

/** Loopback only: what `slipway serve --dev` allows anonymously. */
export const LOOPBACK_NETWORKS: readonly string[] = ["127.0.0.0/8", "::1/128"];

/** A predicate over client IPs built from CIDRs; an empty list matches nothing. Bad CIDRs throw at startup. */
export function networkMatcher(cidrs: readonly string[]): (ip: string) => boolean {
  if (cidrs.length === 0) return () => false;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, prefixText, extra] = cidr.split("/");
    const prefix = Number(prefixText);
    if (address === undefined || extra !== undefined || !Number.isInteger(prefix)) {
      throw new Error(`invalid CIDR in anonymousNetworks: ${cidr}`);
    }
    if (isIPv4(address) && prefix >= 0 && prefix <= 32) list.addSubnet(address, prefix, "ipv4");
    else if (isIPv6(address) && prefix >= 0 && prefix <= 128) list.addSubnet(address, prefix, "ipv6");
    else throw new Error(`invalid CIDR in anonymousNetworks: ${cidr}`);
  }
  return (ip) => {
    // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
    const mapped = ip.toLowerCase().startsWith("::ffff:") ? ip.slice(7) : ip;
    if (isIPv4(mapped)) return list.check(mapped, "ipv4");
    if (isIPv6(ip)) return list.check(ip, "ipv6");
    return false;
  };
}
