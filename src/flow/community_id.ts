/**
 * Community ID v1 flow hashing (https://github.com/corelight/community-id-spec), so a Flintnet flow
 * can be matched with the same flow in Zeek, Suricata, Elastic or Wireshark. Computed when a flow is
 * shown, not per packet.
 */
import { createHash } from "node:crypto";

/** ICMP types that pair with a counterpart (spec: icmp.py), making the flow two-way. */
const ICMP4_PAIRS: Record<number, number> = {
  8: 0,
  0: 8,
  13: 14,
  14: 13,
  15: 16,
  16: 15,
  10: 9,
  9: 10,
  17: 18,
  18: 17,
};
const ICMP6_PAIRS: Record<number, number> = {
  128: 129,
  129: 128,
  133: 134,
  134: 133,
  135: 136,
  136: 135,
  139: 140,
  140: 139,
  144: 145,
  145: 144,
};
/** Protocols whose "ports" enter the hash. */
const WITH_PORTS = new Set([1, 6, 17, 58, 132]);

/**
 * The Community ID ("1:" + base64 SHA-1) of one flow direction.
 * @param src source address words (IPv4 in word 0), starting at sOff
 * @param srcPort for ICMP/ICMPv6 the type; dstPort the code
 */
export function communityId(
  family: number,
  src: ArrayLike<number>,
  sOff: number,
  dst: ArrayLike<number>,
  dOff: number,
  proto: number,
  srcPort: number,
  dstPort: number,
  seed = 0,
): string {
  const n = family === 4 ? 4 : 16;
  let s = addrBytes(family, src, sOff), d = addrBytes(family, dst, dOff);
  let sp = srcPort, dp = dstPort;
  let oneWay = false;
  if (proto === 1 || proto === 58) {
    const pairs = proto === 1 ? ICMP4_PAIRS : ICMP6_PAIRS;
    const peer = pairs[srcPort];
    if (peer === undefined) oneWay = true;
    else dp = peer;
  }
  if (!oneWay && !isOrdered(s, d, sp, dp)) {
    [s, d] = [d, s];
    [sp, dp] = [dp, sp];
  }
  const ports = WITH_PORTS.has(proto);
  const buf = new Uint8Array(2 + 2 * n + 2 + (ports ? 4 : 0));
  buf[0] = seed >> 8;
  buf[1] = seed & 255;
  buf.set(s, 2);
  buf.set(d, 2 + n);
  buf[2 + 2 * n] = proto; // followed by one byte of zero padding
  if (ports) {
    const o = 4 + 2 * n;
    buf[o] = sp >> 8;
    buf[o + 1] = sp & 255;
    buf[o + 2] = dp >> 8;
    buf[o + 3] = dp & 255;
  }
  return "1:" + createHash("sha1").update(buf).digest("base64");
}

function addrBytes(family: number, words: ArrayLike<number>, o: number): Uint8Array {
  const n = family === 4 ? 1 : 4;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    const w = words[o + i];
    out[4 * i] = w >>> 24;
    out[4 * i + 1] = (w >>> 16) & 255;
    out[4 * i + 2] = (w >>> 8) & 255;
    out[4 * i + 3] = w & 255;
  }
  return out;
}

/** The spec orders endpoints by address bytes, then by port. */
function isOrdered(a: Uint8Array, b: Uint8Array, pa: number, pb: number): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i] < b[i];
  }
  return pa <= pb;
}
