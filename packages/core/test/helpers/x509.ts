import { generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";

/**
 * Just enough X.509 (DER by hand) to issue a test CA and a client certificate signed by it, so
 * that tests can prove client-certificate authentication against a real kube-apiserver without
 * an openssl binary. ECDSA P-256 with SHA-256; one hour of validity.
 */
export interface Issued {
  /** PEM. */
  readonly cert: string;
  /** PEM (PKCS#8). */
  readonly key: string;
  readonly privateKey: KeyObject;
}

const tlv = (tag: number, content: Buffer): Buffer => {
  const n = content.length;
  const len =
    n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, content]);
};
const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts));
const explicit = (n: number, content: Buffer) => tlv(0xa0 + n, content);
const octets = (b: Buffer) => tlv(0x04, b);
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, "utf8"));
const bits = (b: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), b]));
const int = (b: Buffer) => tlv(0x02, (b[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
const utcTime = (d: Date) => tlv(0x17, Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-:T]/g, "")}Z`));

function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split(".").map(Number);
  const out = [40 * a + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

const ECDSA_SHA256 = seq(oid("1.2.840.10045.4.3.2"));

/** A Name of an organization (optional, e.g. a Kubernetes group) and a common name (the user). */
function name(cn: string, o?: string): Buffer {
  const rdn = (type: string, value: string) => set(seq(oid(type), utf8(value)));
  return seq(...(o ? [rdn("2.5.4.10", o)] : []), rdn("2.5.4.3", cn));
}

function issue(subject: Buffer, issuer: Buffer, extensions: Buffer[], signer?: KeyObject): Issued {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const now = Date.now();
  const tbs = seq(
    explicit(0, int(Buffer.from([2]))),
    int(randomBytes(12)),
    ECDSA_SHA256,
    issuer,
    seq(utcTime(new Date(now - 60_000)), utcTime(new Date(now + 3_600_000))),
    subject,
    publicKey.export({ type: "spki", format: "der" }),
    explicit(3, seq(...extensions)),
  );
  const der = seq(tbs, ECDSA_SHA256, bits(sign("sha256", tbs, signer ?? privateKey)));
  const b64 = der.toString("base64").replace(/.{64}/g, "$&\n");
  return {
    cert: `-----BEGIN CERTIFICATE-----\n${b64.replace(/\n$/, "")}\n-----END CERTIFICATE-----\n`,
    key: String(privateKey.export({ type: "pkcs8", format: "pem" })),
    privateKey,
  };
}

/** A self-signed CA (basicConstraints CA:TRUE). */
export function issueCa(cn: string): Issued {
  const basicConstraints = seq(oid("2.5.29.19"), bool(true), octets(seq(bool(true))));
  return issue(name(cn), name(cn), [basicConstraints]);
}

/** A client certificate (extKeyUsage clientAuth) for user `cn` in group `o`, signed by `ca`. */
export function issueClient(ca: Issued, caName: string, cn: string, o?: string): Issued {
  const clientAuth = seq(oid("2.5.29.37"), octets(seq(oid("1.3.6.1.5.5.7.3.2"))));
  return issue(name(cn, o), name(caName), [clientAuth], ca.privateKey);
}
