import { BlockList, isIPv4, isIPv6 } from "node:net";

/** Loopback only: what `slipway serve --dev` allows anonymously. */
export const LOOPBACK_NETWORKS: readonly string[] = ["127.0.0.0/8", "::1/128"];

/** A predicate over client IPs built from CIDRs; an empty list matches nothing. Bad CIDRs throw at startup. */
export function networkMatcher(cidrs: readonly string[]): (ip: string) => boolean {
  if (cidrs.length === 0) return () => false;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const subnet = parseCidr(cidr);
    if (subnet === undefined) throw new Error(`invalid CIDR in anonymousNetworks: ${cidr}`);
    list.addSubnet(subnet.address, subnet.prefix, subnet.family);
  }
  return (ip) => {
    const address = unmapIPv4(ip);
    if (isIPv4(address)) return list.check(address, "ipv4");
    if (isIPv6(address)) return list.check(address, "ipv6");
    return false;
  };
}

/** `address/prefix` as a subnet, or undefined when it is not one (`10.0.0.0/8`, `fd00::/8`). */
export function parseCidr(
  cidr: string,
): { readonly address: string; readonly prefix: number; readonly family: "ipv4" | "ipv6" } | undefined {
  const [address, prefixText, extra] = cidr.split("/");
  const prefix = Number(prefixText);
  if (address === undefined || extra !== undefined || !Number.isInteger(prefix)) return undefined;
  if (isIPv4(address) && prefix >= 0 && prefix <= 32) return { address, prefix, family: "ipv4" };
  if (isIPv6(address) && prefix >= 0 && prefix <= 128) return { address, prefix, family: "ipv6" };
  return undefined;
}

/**
 * An IPv4-mapped IPv6 address as the IPv4 address it carries, in any spelling (`::ffff:127.0.0.1`,
 * `::ffff:7f00:1`, `0:0:0:0:0:ffff:7f00:1`; a dual-stack socket reports IPv4 peers so); any other
 * address unchanged.
 */
export function unmapIPv4(ip: string): string {
  if (!isIPv6(ip)) return ip;
  const m = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(new URL(`http://[${ip}]/`).hostname);
  if (m === null) return ip;
  const [hi, lo] = [Number.parseInt(m[1] as string, 16), Number.parseInt(m[2] as string, 16)];
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Host names and addresses that stay on this machine: `localhost`, 127.0.0.0/8, ::1, in any spelling. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return h === "localhost" || onLoopback(h);
}

const onLoopback = networkMatcher(LOOPBACK_NETWORKS);
