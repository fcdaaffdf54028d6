/**
 * Payloads that carry a server's name, written byte by byte for captures the tests build: a DNS query and
 * its response (RFC 1035 §4.1: header, question, A/AAAA/CNAME answers, no compression), a TLS ClientHello
 * with the server_name extension (RFC 8446 §4.1.2, RFC 6066 §3) and an HTTP/1.1 request with a Host
 * header (RFC 9112 §3.2). tshark reads them as such, which the tests use as their oracle.
 *
 * @example
 * const q = dnsQuery(7, "www.example.com", "A");
 * const r = dnsResponse(7, "www.example.com", "A", { answers: [{ type: "A", data: "192.0.2.80", ttl: 300 }] });
 */
import { ipv4Bytes } from "./frames.ts";

const ascii = (s: string) => [...new TextEncoder().encode(s)];

/** RFC 1035 §3.2.2 / RFC 3596 record types used here. */
const TYPES = { A: 1, CNAME: 5, AAAA: 28 } as const;
/** RFC 1035 §4.1.1 response codes used here. */
const RCODES = { NOERROR: 0, NXDOMAIN: 3 } as const;

/** A name as DNS labels, uncompressed. */
function labels(name: string): number[] {
  return [...name.split(".").flatMap((l) => [l.length, ...ascii(l)]), 0];
}

const u16 = (n: number) => [n >> 8, n & 0xff];
const u32 = (n: number) => [n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];

/** One answer of a response: an A address, or a CNAME's target. */
export interface DnsAnswer {
  type: "A" | "CNAME";
  /** The address (A) or the canonical name (CNAME). */
  data: string;
  /** TTL, seconds. */
  ttl: number;
}

/** A standard query for `name` (recursion desired). */
export function dnsQuery(id: number, name: string, type: keyof typeof TYPES): Uint8Array {
  return Uint8Array.from([
    ...u16(id),
    0x01,
    0x00,
    0,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    ...labels(name),
    ...u16(TYPES[type]),
    0,
    1,
  ]);
}

/** The response to {@link dnsQuery}: `answers` in order, owner names chained through CNAMEs. */
export function dnsResponse(
  id: number,
  name: string,
  type: keyof typeof TYPES,
  o: { answers?: DnsAnswer[]; rcode?: keyof typeof RCODES },
): Uint8Array {
  const answers = o.answers ?? [];
  const out = [
    ...u16(id),
    0x81,
    0x80 | RCODES[o.rcode ?? "NOERROR"], // QR, RD, RA; rcode
    0,
    1,
    ...u16(answers.length),
    0,
    0,
    0,
    0,
    ...labels(name),
    ...u16(TYPES[type]),
    0,
    1,
  ];
  let owner = name;
  for (const a of answers) {
    const rdata = a.type === "A" ? [...ipv4Bytes(a.data)] : labels(a.data);
    out.push(...labels(owner), ...u16(TYPES[a.type]), 0, 1, ...u32(a.ttl), ...u16(rdata.length), ...rdata);
    if (a.type === "CNAME") owner = a.data;
  }
  return Uint8Array.from(out);
}

/** A TLS record holding a ClientHello (TLS 1.2 legacy version, one cipher suite) with SNI `host`. */
export function tlsClientHello(host: string): Uint8Array {
  const n = ascii(host);
  const serverNameList = [0, ...u16(n.length), ...n]; // host_name(0), length, name
  const sni = [0, 0, ...u16(serverNameList.length + 2), ...u16(serverNameList.length), ...serverNameList];
  const body = [
    0x03,
    0x03, // legacy_version TLS 1.2
    ...new Array(32).fill(0x5a), // random
    0, // session id: empty
    0,
    2,
    0x13,
    0x01, // cipher suites: TLS_AES_128_GCM_SHA256
    1,
    0, // compression: null
    ...u16(sni.length),
    ...sni,
  ];
  const hs = [1, 0, ...u16(body.length), ...body]; // ClientHello, 24-bit length
  return Uint8Array.from([0x16, 0x03, 0x01, ...u16(hs.length), ...hs]);
}

/** `GET / HTTP/1.1` to `host`. */
export function httpGet(host: string): Uint8Array {
  return Uint8Array.from(
    ascii(`GET / HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: office\r\nAccept: */*\r\n\r\n`),
  );
}
