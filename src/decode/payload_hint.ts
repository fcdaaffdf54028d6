/**
 * What the first bytes of a TCP or UDP payload give away about a cleartext protocol a person should know
 * is in use: HTTP basic authentication (a password in base64), SMB version 1, SNMP v1/v2c with a default
 * community. The decoder asks once per packet that carries payload; almost every packet is answered by a
 * comparison or two of its first bytes, and only an HTTP request is read further (its header lines, up to
 * the captured length). Nothing is copied: the answer is a small number in the row's `hint` column, and
 * nothing secret (no password, no community other than the well-known defaults) leaves this function.
 *
 * Telnet, FTP, TFTP and rlogin need no payload (their ports say it, in NetFlow records too): the analysis
 * finds them by port.
 */

/** The values of PacketBatch.hint. */
export const PayloadHint = {
  /** Nothing to say. */
  None: 0,
  /** An HTTP request with `Authorization: Basic` (or `Proxy-Authorization: Basic`) in cleartext (RFC 7617). */
  HttpBasicAuth: 1,
  /** An SMB1 message (MS-CIFS §2.2.3.1, protocol 0xFF 'SMB') other than a client's opening NEGOTIATE. */
  Smb1: 2,
  /** SNMPv1 (RFC 1157) with community "public". */
  SnmpV1Public: 3,
  /** SNMPv1 with community "private". */
  SnmpV1Private: 4,
  /** SNMPv2c (RFC 1901) with community "public". */
  SnmpV2cPublic: 5,
  /** SNMPv2c with community "private". */
  SnmpV2cPrivate: 6,
} as const;

/** Names of the hints, by value (for evidence and tests). */
export const PAYLOAD_HINT_NAMES: readonly string[] = [
  "none",
  "http_basic_auth",
  "smb1",
  "snmp_v1_public",
  "snmp_v1_private",
  "snmp_v2c_public",
  "snmp_v2c_private",
];

/** The first four octets of HTTP/1.x request lines (RFC 9110 §9.3 methods), as big-endian words. */
const GET_ = 0x47455420, POST = 0x504f5354, PUT_ = 0x50555420, HEAD = 0x48454144;
const DELE = 0x44454c45, PATC = 0x50415443, OPTI = 0x4f505449;
/** 0xFF 'S' 'M' 'B': the SMB1 header's protocol field (MS-CIFS §2.2.3.1). */
const SMB1 = 0xff534d42;
/** SMB_COM_NEGOTIATE (MS-CIFS §2.2.4.52): clients open with it, offering SMB2 dialects too. */
const SMB_COM_NEGOTIATE = 0x72;
/** NetBIOS session service (RFC 1002) on 139, direct SMB (MS-SMB2 §2.1) on 445. */
const SMB_PORT = 445, NETBIOS_SSN_PORT = 139;
/** SNMP agents (161) and trap receivers (162), RFC 3417. */
const SNMP_PORT = 161, SNMP_TRAP_PORT = 162;

const AUTHORIZATION = bytesOf("authorization:");
const PROXY_AUTHORIZATION = bytesOf("proxy-authorization:");
const BASIC = bytesOf("basic");
const PUBLIC = bytesOf("public");
const PRIVATE = bytesOf("private");

function bytesOf(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** The big-endian u32 at `p` (the caller checked p + 4 ≤ end). */
function word(b: Uint8Array, p: number): number {
  return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}

/**
 * The hint of the payload `b[p, end)` of a packet of `proto` (6 TCP, 17 UDP) between `srcPort` and
 * `dstPort`. Never throws and never reads outside `[p, end)`.
 */
export function payloadHint(
  b: Uint8Array,
  p: number,
  end: number,
  proto: number,
  srcPort: number,
  dstPort: number,
): number {
  if (proto === 6) {
    if (p + 4 > end) return PayloadHint.None;
    const w = word(b, p);
    if (w === GET_ || w === POST || w === PUT_ || w === HEAD || w === DELE || w === PATC || w === OPTI) {
      return hasBasicAuth(b, p, end) ? PayloadHint.HttpBasicAuth : PayloadHint.None;
    }
    // NetBIOS session message type 0 and a 24-bit length, then the SMB header.
    if (b[p] === 0 && p + 9 <= end && word(b, p + 4) === SMB1) {
      const fromServer = srcPort === SMB_PORT || srcPort === NETBIOS_SSN_PORT;
      const toServer = dstPort === SMB_PORT || dstPort === NETBIOS_SSN_PORT;
      if (fromServer || (toServer && b[p + 8] !== SMB_COM_NEGOTIATE)) return PayloadHint.Smb1;
    }
    return PayloadHint.None;
  }
  if (proto === 17 && (dstPort === SNMP_PORT || srcPort === SNMP_PORT || dstPort === SNMP_TRAP_PORT)) {
    return snmpCommunity(b, p, end);
  }
  return PayloadHint.None;
}

/** Whether a header line of the request at `p` is `Authorization: Basic …` (names case-insensitive). */
function hasBasicAuth(b: Uint8Array, p: number, end: number): boolean {
  for (let i = p; i < end - 1; i++) {
    if (b[i] !== 0x0a) continue; // a header line starts after LF
    if (b[i + 1] === 0x0d || b[i + 1] === 0x0a) return false; // the empty line: end of the headers
    const q = i + 1;
    const after = matchLower(b, q, end, AUTHORIZATION) || matchLower(b, q, end, PROXY_AUTHORIZATION);
    if (after === 0) continue;
    let v = after;
    while (v < end && (b[v] === 0x20 || b[v] === 0x09)) v++;
    const scheme = matchLower(b, v, end, BASIC);
    return scheme !== 0 && scheme < end && (b[scheme] === 0x20 || b[scheme] === 0x09);
  }
  return false;
}

/** The offset after `word` when `b[q…]` spells it (ASCII letters compared case-insensitively), else 0. */
function matchLower(b: Uint8Array, q: number, end: number, word: Uint8Array): number {
  if (q + word.length > end) return 0;
  for (let k = 0; k < word.length; k++) {
    const c = b[q + k];
    if ((c >= 0x41 && c <= 0x5a ? c | 0x20 : c) !== word[k]) return 0;
  }
  return q + word.length;
}

/**
 * SNMPv1/v2c message (RFC 3416 §3, BER): SEQUENCE { INTEGER version (0 v1, 1 v2c), OCTET STRING community,
 * PDU }. A default community gives its hint; anything else (v3, another community, garbage) gives None.
 */
function snmpCommunity(b: Uint8Array, p: number, end: number): number {
  if (p + 2 > end || b[p] !== 0x30) return PayloadHint.None;
  let q = p + 2;
  const first = b[p + 1];
  if (first & 0x80) q += first & 0x7f; // long-form length: skip its octets
  // version: INTEGER of length 1
  if (q + 3 > end || b[q] !== 0x02 || b[q + 1] !== 0x01) return PayloadHint.None;
  const version = b[q + 2];
  if (version > 1) return PayloadHint.None;
  q += 3;
  if (q + 2 > end || b[q] !== 0x04) return PayloadHint.None;
  const len = b[q + 1];
  q += 2;
  if (len > 0x7f || q + len > end) return PayloadHint.None;
  if (same(b, q, len, PUBLIC)) return version === 0 ? PayloadHint.SnmpV1Public : PayloadHint.SnmpV2cPublic;
  if (same(b, q, len, PRIVATE)) return version === 0 ? PayloadHint.SnmpV1Private : PayloadHint.SnmpV2cPrivate;
  return PayloadHint.None;
}

/** Whether the `len` octets at `q` are exactly `name`. */
function same(b: Uint8Array, q: number, len: number, name: Uint8Array): boolean {
  if (len !== name.length) return false;
  for (let k = 0; k < len; k++) if (b[q + k] !== name[k]) return false;
  return true;
}
