/**
 * The NetFlow v9 stream the ingest benchmark sends: a template datagram, then datagrams of 36 records
 * each (softflowd's IPv4 layout, 39 octets a record, 1,428-octet datagrams), from a pool of distinct
 * flows cycled through. Deterministic (seeded), so every run and every receiver sees the same stream.
 */

/** Records per data datagram. */
export const RECORDS_PER_DATAGRAM = 36;
const TEMPLATE_ID = 1024;
const RECORD = 39;
const HEADER = 20;

function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v & 255;
}
function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 255;
  b[o + 2] = (v >>> 8) & 255;
  b[o + 3] = v & 255;
}

/** A v9 header (RFC 3954 §5.1) at the start of `b`. */
function header(b: Uint8Array, count: number, sequence: number): void {
  put16(b, 0, 9); // version
  put16(b, 2, count); // records in the packet
  put32(b, 4, 3_600_000); // sysUptime: one hour
  put32(b, 8, Math.floor(Date.now() / 1000)); // UNIX seconds
  put32(b, 12, sequence); // package sequence
  put32(b, 16, 1); // source ID
}

/** The template datagram: template 1024 with softflowd's IPv4 fields. */
export function templateDatagram(sequence: number): Uint8Array {
  const fields = [[8, 4], [12, 4], [22, 4], [21, 4], [1, 4], [2, 4], [10, 4], [14, 4], [7, 2], [11, 2], [
    4,
    1,
  ], [
    6,
    1,
  ], [5, 1]];
  const b = new Uint8Array(HEADER + 8 + 4 * fields.length);
  header(b, 1, sequence);
  put16(b, HEADER, 0); // template flowset
  put16(b, HEADER + 2, 8 + 4 * fields.length); // its length
  put16(b, HEADER + 4, TEMPLATE_ID); // template ID
  put16(b, HEADER + 6, fields.length); // field count
  fields.forEach(([type, len], i) => {
    put16(b, HEADER + 8 + 4 * i, type);
    put16(b, HEADER + 10 + 4 * i, len);
  });
  return b;
}

/** `n` data datagrams of distinct flows (n × 36 flows), seeded. Sequence numbers are set when sent. */
export function dataDatagrams(n: number, seed = 0x0f10_3b3c): Uint8Array[] {
  let s = seed >>> 0;
  const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
  const out: Uint8Array[] = [];
  let flow = 0;
  for (let d = 0; d < n; d++) {
    const b = new Uint8Array(HEADER + 4 + RECORDS_PER_DATAGRAM * RECORD);
    header(b, RECORDS_PER_DATAGRAM, 0);
    put16(b, HEADER, TEMPLATE_ID); // data flowset of template 1024
    put16(b, HEADER + 2, 4 + RECORDS_PER_DATAGRAM * RECORD);
    for (let r = 0, o = HEADER + 4; r < RECORDS_PER_DATAGRAM; r++, o += RECORD, flow++) {
      put32(b, o, 0x0ae78800 + (flow & 0x3ff)); // src 10.231.136.0/22
      put32(b, o + 4, 0x0ae78c00 + (flow >>> 10 & 0x3ff)); // dst 10.231.140.0/22
      put32(b, o + 8, 3_590_000); // FIRST_SWITCHED
      put32(b, o + 12, 3_599_000); // LAST_SWITCHED
      put32(b, o + 16, 100 + (rand() % 100_000)); // IN_BYTES
      put32(b, o + 20, 1 + (rand() % 100)); // IN_PKTS
      put32(b, o + 24, 1); // INPUT_SNMP
      put32(b, o + 28, 2); // OUTPUT_SNMP
      put16(b, o + 32, 1024 + (rand() % 60000)); // L4_SRC_PORT
      put16(b, o + 34, [53, 80, 443, 22, 123][rand() % 5]); // L4_DST_PORT
      b[o + 36] = rand() % 2 ? 6 : 17; // PROTOCOL
      b[o + 37] = 0x1b; // TCP_FLAGS
      b[o + 38] = 0; // IP_TOS
    }
    out.push(b);
  }
  return out;
}

/** Writes the package sequence number into a datagram of this stream. */
export function setSequence(b: Uint8Array, sequence: number): void {
  put32(b, 12, sequence);
}
