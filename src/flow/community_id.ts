/**
 * Community ID v1 flow hashing (https://github.com/corelight/community-id-spec), so a Flintnet flow
 * can be matched with the same flow in Zeek, Suricata, Elastic or Wireshark. Computed when a flow is
 * shown, not per packet, and cached per flow (community_id_cache.ts). SHA-1 is computed here over the
 * one 64-byte block every input fits in, without allocating (node:crypto's createHash cost 10–16 µs
 * a call here, this about 1 µs).
 */

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

/** Longest hashed input: seed 2, two IPv6 addresses 32, protocol and pad 2, ports 4. */
const MAX_INPUT = 40;
const input = new Uint8Array(64); // one SHA-1 block: every Community ID input fits with its padding
const digest = new Uint8Array(20);
const ab = new Uint8Array(16), bb = new Uint8Array(16);
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * The Community ID ("1:" + base64 SHA-1) of one flow direction. Allocates only the returned string.
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
  addrBytes(family, src, sOff, ab);
  addrBytes(family, dst, dOff, bb);
  let sp = srcPort, dp = dstPort;
  let oneWay = false;
  if (proto === 1 || proto === 58) {
    const pairs = proto === 1 ? ICMP4_PAIRS : ICMP6_PAIRS;
    const peer = pairs[srcPort];
    if (peer === undefined) oneWay = true;
    else dp = peer;
  }
  let s = ab, d = bb;
  if (!oneWay && !isOrdered(ab, bb, n, sp, dp)) {
    s = bb;
    d = ab;
    const t = sp;
    sp = dp;
    dp = t;
  }
  const ports = WITH_PORTS.has(proto);
  const len = 2 + 2 * n + 2 + (ports ? 4 : 0);
  input.fill(0);
  input[0] = seed >> 8;
  input[1] = seed & 255;
  for (let i = 0; i < n; i++) {
    input[2 + i] = s[i];
    input[2 + n + i] = d[i];
  }
  input[2 + 2 * n] = proto; // followed by one byte of zero padding
  if (ports) {
    const o = 4 + 2 * n;
    input[o] = sp >> 8;
    input[o + 1] = sp & 255;
    input[o + 2] = dp >> 8;
    input[o + 3] = dp & 255;
  }
  sha1OneBlock(input, len, digest);
  let out = "1:";
  for (let i = 0; i < 18; i += 3) {
    const v = (digest[i] << 16) | (digest[i + 1] << 8) | digest[i + 2];
    out += B64[v >> 18] + B64[(v >> 12) & 63] + B64[(v >> 6) & 63] + B64[v & 63];
  }
  const v = (digest[18] << 16) | (digest[19] << 8);
  return out + B64[v >> 18] + B64[(v >> 12) & 63] + B64[(v >> 6) & 63] + "=";
}

const W = new Int32Array(80);

/**
 * SHA-1 (FIPS 180-4 §6.1) of the first `len` (≤ 40) bytes of `block`, whose other bytes must be zero:
 * one padded block is all a Community ID input needs. Writes the 20-byte digest to `out`.
 */
export function sha1OneBlock(block: Uint8Array, len: number, out: Uint8Array): void {
  if (len > MAX_INPUT) throw new RangeError(`sha1OneBlock() takes at most ${MAX_INPUT} bytes, got ${len}`);
  block[len] = 0x80;
  block[62] = (len * 8) >> 8;
  block[63] = (len * 8) & 255;
  for (let i = 0; i < 16; i++) {
    W[i] = (block[4 * i] << 24) | (block[4 * i + 1] << 16) | (block[4 * i + 2] << 8) | block[4 * i + 3];
  }
  for (let i = 16; i < 80; i++) {
    const x = W[i - 3] ^ W[i - 8] ^ W[i - 14] ^ W[i - 16];
    W[i] = (x << 1) | (x >>> 31);
  }
  let a = 0x67452301, b = 0xefcdab89 | 0, c = 0x98badcfe | 0, d = 0x10325476, e = 0xc3d2e1f0 | 0;
  for (let i = 0; i < 80; i++) {
    let f: number, k: number;
    if (i < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (i < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (i < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc | 0;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6 | 0;
    }
    const t = (((a << 5) | (a >>> 27)) + f + e + k + W[i]) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  const h = [
    (0x67452301 + a) | 0,
    (0xefcdab89 + b) | 0,
    (0x98badcfe + c) | 0,
    (0x10325476 + d) | 0,
    (0xc3d2e1f0 + e) | 0,
  ];
  for (let i = 0; i < 5; i++) {
    out[4 * i] = h[i] >>> 24;
    out[4 * i + 1] = (h[i] >>> 16) & 255;
    out[4 * i + 2] = (h[i] >>> 8) & 255;
    out[4 * i + 3] = h[i] & 255;
  }
}

function addrBytes(family: number, words: ArrayLike<number>, o: number, out: Uint8Array): void {
  const n = family === 4 ? 1 : 4;
  for (let i = 0; i < n; i++) {
    const w = words[o + i];
    out[4 * i] = w >>> 24;
    out[4 * i + 1] = (w >>> 16) & 255;
    out[4 * i + 2] = (w >>> 8) & 255;
    out[4 * i + 3] = w & 255;
  }
}

/** The spec orders endpoints by address bytes, then by port. */
function isOrdered(a: Uint8Array, b: Uint8Array, n: number, pa: number, pb: number): boolean {
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] < b[i];
  }
  return pa <= pb;
}
