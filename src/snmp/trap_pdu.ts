/**
 * BER decoding of SNMPv1 Trap-PDUs, SNMPv2c SNMPv2-Trap-PDUs and InformRequest-PDUs (RFC 1157 §4.1.6,
 * RFC 3416 §3), and encoding of the Response-PDU that acknowledges an inform (RFC 3416 §4.2.7).
 *
 * Written here rather than taken from net-snmp's receiver because the bytes come from anyone on the
 * network: every length is checked against its enclosing value, nothing recurses, sizes are capped,
 * and every failure is a {@link MalformedPdu} the receiver can count (a fuzz test holds it to that).
 * Decoding happens in two steps so the community is checked before the PDU body is looked at.
 */

import type { TrapVarbind } from "../events/mod.ts";
import {
  asUnsigned,
  BerReader,
  concat,
  hex2,
  MalformedPdu,
  readOid,
  readSigned,
  TAG_INTEGER,
  TAG_IP_ADDRESS,
  TAG_OCTET_STRING,
  TAG_OID,
  TAG_SEQUENCE,
  TAG_TIMETICKS,
  tlv,
} from "./ber.ts";

export { MalformedPdu } from "./ber.ts";

/** msgVersion values (RFC 3584 §2.1: SNMPv1 = 0, SNMPv2c = 1, SNMPv3 = 3). */
export const SNMP_VERSION_1 = 0;
/** SNMPv2c, RFC 1901. */
export const SNMP_VERSION_2C = 1;
/** SNMPv3, RFC 3412: no community; this receiver does not take it. */
export const SNMP_VERSION_3 = 3;

/** Context-specific constructed PDU tags, RFC 3416 §3 (GetRequest-PDU [0] … Report-PDU [8]). */
export const PDU_TAG = {
  getRequest: 0xa0,
  response: 0xa2,
  trapV1: 0xa4, // RFC 1157 Trap-PDU [4]
  inform: 0xa6, // InformRequest-PDU [6]
  trapV2: 0xa7, // SNMPv2-Trap-PDU [7]
  report: 0xa8,
} as const;

/** The outer layer of a message: enough to check the version and the community. */
export interface SnmpEnvelope {
  /** msgVersion as sent (0, 1, 3 or anything else). */
  version: number;
  /** The community octets (empty for SNMPv3, which has none). */
  community: Uint8Array;
  /** The PDU's tag (0 for SNMPv3, whose PDU is not read). */
  pduTag: number;
  /** The PDU's contents, a view into the datagram. */
  pdu: Uint8Array;
}

/** A decoded trap or inform, before it is turned into an event. */
export interface DecodedTrap {
  /** v1 Trap-PDU, v2c SNMPv2-Trap-PDU or InformRequest-PDU. */
  version: "v1" | "v2c";
  /** trap or inform. */
  pdu: "trap" | "inform";
  /** v1 only: enterprise (dotted), agent-addr (dotted quad), generic-trap, specific-trap, time-stamp. */
  v1?: {
    enterprise: string;
    agentAddr: string;
    genericTrap: number;
    specificTrap: number;
    timestamp: number;
  };
  /** v2c only: the request-id TLV exactly as received, for the inform's Response. */
  requestIdTlv?: Uint8Array;
  /** The variable-bindings TLV exactly as received, for the inform's Response. */
  varbindsTlv: Uint8Array;
  /** The first `maxVarbinds` varbinds, rendered. */
  varbinds: TrapVarbind[];
  /** Varbinds beyond `maxVarbinds`, checked for framing but not rendered. */
  omitted: number;
}

/** SNMP application types (RFC 2578 §7.1, RFC 3416 §3) and their names, with the width of unsigned ones. */
const VALUE_TYPES: ReadonlyMap<number, { name: string; unsignedBits?: number }> = new Map([
  [0x02, { name: "Integer" }],
  [0x04, { name: "OctetString" }],
  [0x05, { name: "Null" }],
  [0x06, { name: "ObjectIdentifier" }],
  [0x40, { name: "IpAddress" }],
  [0x41, { name: "Counter32", unsignedBits: 32 }],
  [0x42, { name: "Gauge32", unsignedBits: 32 }],
  [0x43, { name: "TimeTicks", unsignedBits: 32 }],
  [0x44, { name: "Opaque" }],
  [0x45, { name: "NsapAddress" }],
  [0x46, { name: "Counter64", unsignedBits: 64 }],
  [0x47, { name: "UInteger32", unsignedBits: 32 }],
  [0x80, { name: "NoSuchObject" }],
  [0x81, { name: "NoSuchInstance" }],
  [0x82, { name: "EndOfMibView" }],
]);

/** Reads the version and community (SNMPv1/v2c, RFC 1157 §4 Message) and locates the PDU. */
export function decodeEnvelope(datagram: Uint8Array): SnmpEnvelope {
  const outer = new BerReader(datagram, 0, datagram.length);
  const msg = outer.enter(TAG_SEQUENCE, "message");
  if (!outer.done) throw new MalformedPdu("bytes after the message");
  const v = msg.expect(TAG_INTEGER, "version");
  const version = Number(readSigned(datagram, v.start, v.end));
  if (version === SNMP_VERSION_3) {
    return { version, community: new Uint8Array(0), pduTag: 0, pdu: new Uint8Array(0) };
  }
  const c = msg.expect(TAG_OCTET_STRING, "community");
  const p = msg.next();
  if (!msg.done) throw new MalformedPdu("bytes after the PDU");
  return {
    version,
    community: datagram.subarray(c.start, c.end),
    pduTag: p.tag,
    pdu: datagram.subarray(p.start, p.end),
  };
}

/**
 * Decodes a Trap-PDU (v1) or SNMPv2-Trap-PDU / InformRequest-PDU (v2c) body from an envelope whose
 * version and tag the caller has already accepted.
 */
export function decodeTrapPdu(env: SnmpEnvelope, maxVarbinds: number, maxValueBytes: number): DecodedTrap {
  const buf = env.pdu;
  const r = new BerReader(buf, 0, buf.length);
  if (env.pduTag === PDU_TAG.trapV1) {
    const e = r.expect(TAG_OID, "enterprise");
    const enterprise = readOid(buf, e.start, e.end);
    const a = r.expect(TAG_IP_ADDRESS, "agent-addr");
    if (a.end - a.start !== 4) throw new MalformedPdu("agent-addr is not 4 octets");
    const agentAddr = Array.from(buf.subarray(a.start, a.end)).join(".");
    const g = r.expect(TAG_INTEGER, "generic-trap");
    const s = r.expect(TAG_INTEGER, "specific-trap");
    const t = r.expect(TAG_TIMETICKS, "time-stamp");
    const v1 = {
      enterprise,
      agentAddr,
      genericTrap: Number(readSigned(buf, g.start, g.end)),
      specificTrap: Number(readSigned(buf, s.start, s.end)),
      timestamp: Number(asUnsigned(readSigned(buf, t.start, t.end), 32)),
    };
    return { version: "v1", pdu: "trap", v1, ...readVarbindList(r, maxVarbinds, maxValueBytes) };
  }
  const id = r.expect(TAG_INTEGER, "request-id");
  readSigned(buf, id.start, id.end);
  r.expect(TAG_INTEGER, "error-status");
  r.expect(TAG_INTEGER, "error-index");
  return {
    version: "v2c",
    pdu: env.pduTag === PDU_TAG.inform ? "inform" : "trap",
    requestIdTlv: buf.subarray(id.tlvStart, id.end),
    ...readVarbindList(r, maxVarbinds, maxValueBytes),
  };
}

function readVarbindList(
  r: BerReader,
  maxVarbinds: number,
  maxValueBytes: number,
): Pick<DecodedTrap, "varbindsTlv" | "varbinds" | "omitted"> {
  const list = r.expect(TAG_SEQUENCE, "variable-bindings");
  if (!r.done) throw new MalformedPdu("bytes after the variable-bindings");
  const buf = r.buf;
  const items = new BerReader(buf, list.start, list.end);
  const varbinds: TrapVarbind[] = [];
  let omitted = 0;
  while (!items.done) {
    const vb = items.enter(TAG_SEQUENCE, "varbind");
    const name = vb.expect(TAG_OID, "varbind name");
    const value = vb.next();
    if (!vb.done) throw new MalformedPdu("bytes after a varbind value");
    if (varbinds.length >= maxVarbinds) {
      omitted++;
      continue;
    }
    varbinds.push({ oid: readOid(buf, name.start, name.end), ...renderValue(buf, value, maxValueBytes) });
  }
  return { varbindsTlv: buf.subarray(list.tlvStart, list.end), varbinds, omitted };
}

/** A varbind value as its type name and text (numbers in decimal, printable strings as they are, else hex). */
function renderValue(
  buf: Uint8Array,
  v: { tag: number; start: number; end: number },
  maxValueBytes: number,
): { type: string; value: string } {
  const known = VALUE_TYPES.get(v.tag);
  if (!known) {
    return { type: `Unknown(0x${hex2(v.tag)})`, value: renderHex(buf, v.start, v.end, maxValueBytes) };
  }
  const type = known.name;
  switch (v.tag) {
    case 0x02:
      return { type, value: readSigned(buf, v.start, v.end).toString() };
    case 0x04:
      return { type, value: renderOctets(buf.subarray(v.start, v.end), maxValueBytes) };
    case 0x06:
      return { type, value: readOid(buf, v.start, v.end) };
    case 0x40:
      if (v.end - v.start !== 4) throw new MalformedPdu("IpAddress is not 4 octets");
      return { type, value: Array.from(buf.subarray(v.start, v.end)).join(".") };
    case 0x05:
    case 0x80:
    case 0x81:
    case 0x82:
      if (v.end !== v.start) throw new MalformedPdu(`${type} with contents`);
      return { type, value: "" };
  }
  if (known.unsignedBits) {
    return { type, value: asUnsigned(readSigned(buf, v.start, v.end), known.unsignedBits).toString() };
  }
  return { type, value: renderHex(buf, v.start, v.end, maxValueBytes) };
}

/**
 * OCTET STRING as text when it is printable UTF-8 (tab, CR and LF allowed), otherwise as hex octets
 * separated by spaces ("00 1a 2b"). Only the first `max` octets are rendered; "…" marks a cut.
 */
export function renderOctets(bytes: Uint8Array, max: number): string {
  const cut = bytes.length > max;
  const head = cut ? bytes.subarray(0, max) : bytes;
  let text: string | null;
  try {
    // stream: a cut in the middle of a multi-octet character is not an error.
    text = new TextDecoder("utf-8", { fatal: true }).decode(head, { stream: cut });
  } catch {
    text = null;
  }
  if (text !== null && isPrintable(text)) return cut ? `${text}…` : text;
  return renderHex(bytes, 0, bytes.length, max);
}

function isPrintable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x09 || c === 0x0a || c === 0x0d) continue;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return false;
  }
  return true;
}

function renderHex(buf: Uint8Array, start: number, end: number, max: number): string {
  const stop = Math.min(end, start + max);
  const out: string[] = [];
  for (let i = start; i < stop; i++) out.push(hex2(buf[i]));
  return out.join(" ") + (stop < end ? " …" : "");
}

/**
 * The SNMPv2c Response-PDU that acknowledges an inform: same request-id, no error, the same
 * variable-bindings (RFC 3416 §4.2.7), sent with the community the inform came with.
 */
export function encodeInformResponse(
  community: Uint8Array,
  requestIdTlv: Uint8Array,
  varbindsTlv: Uint8Array,
): Uint8Array {
  const noError = Uint8Array.of(TAG_INTEGER, 1, 0);
  const pdu = tlv(PDU_TAG.response, concat([requestIdTlv, noError, noError, varbindsTlv]));
  const version = Uint8Array.of(TAG_INTEGER, 1, SNMP_VERSION_2C);
  return tlv(TAG_SEQUENCE, concat([version, tlv(TAG_OCTET_STRING, community), pdu]));
}
