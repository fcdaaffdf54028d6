/**
 * Which payloads carry names, picked in the decoder (the capture Worker) and copied into the batch's aside
 * area for the main thread: DNS messages (UDP or TCP port 53, RFC 1035 §4.2), the first segments of a TLS
 * ClientHello (RFC 8446 §4.1.2; the record and handshake headers say how long it is, so the segments that
 * follow are taken too until it is complete), and the head of an HTTP/1.x request (RFC 9112 §3, a method
 * then a space). Everything else costs one or two byte reads: no allocation, no strings.
 *
 * A ClientHello that spans segments is followed by a small fixed table of pending connections (5-tuple,
 * next sequence number, octets still missing), scanned only while it holds something and only for TCP
 * packets with payload; an entry older than {@link PENDING_MS} is dropped.
 */
import { ASIDE_BYTES, AsideUse, type PacketBatch } from "./packet_batch.ts";
import { IpProto } from "./transport.ts";

/** DNS port (RFC 1035 §4.2.1). */
export const DNS_PORT = 53;
/** The most of one segment's payload copied aside: a DNS message over UDP with EDNS fits, as does a ClientHello segment. */
export const MAX_TAKE = 4096;
/** An HTTP request head is taken up to here: Host comes early in every client measured. */
export const HTTP_HEAD_TAKE = 1024;
/** Connections whose ClientHello is awaited in pieces at once. */
export const PENDING_SLOTS = 16;
/** A missing piece that does not come within this time is given up on (ms of capture time). */
export const PENDING_MS = 5000;
/** A ClientHello larger than this is not followed (RFC 8446 allows 2^24 − 1; real ones are below 2 KiB). */
export const MAX_CLIENT_HELLO = 16384;

/** TLS content type handshake (RFC 8446 §5.1) and handshake type client_hello (§4). */
const TLS_HANDSHAKE = 0x16, CLIENT_HELLO = 1;
/** Payloads up to this many octets are copied in a loop, longer ones with set() (see #copy). */
const SHORT_COPY = 256;

/** First four octets of the HTTP/1.x methods (RFC 9110 §9), big-endian. */
const METHODS = [
  0x47455420, // "GET "
  0x504f5354, // "POST"
  0x48454144, // "HEAD"
  0x50555420, // "PUT "
  0x44454c45, // "DELE"
  0x4f505449, // "OPTI"
  0x50415443, // "PATC"
  0x434f4e4e, // "CONN"
];

/** What kind of payload a taken row holds, from its first octets (for the main thread, which sees the same bytes). */
export const PayloadKind = {
  None: 0,
  Dns: 1,
  TlsClientHello: 2,
  Http: 3,
  /** A later piece of a ClientHello whose first segment was taken. */
  TlsContinued: 4,
} as const;

/** Picks name-bearing payloads and copies them aside. One per decoder. */
export class NamePayloads {
  #fam = new Uint8Array(PENDING_SLOTS);
  #src = new Uint32Array(PENDING_SLOTS * 4);
  #dst = new Uint32Array(PENDING_SLOTS * 4);
  #ports = new Int32Array(PENDING_SLOTS);
  #seq = new Uint32Array(PENDING_SLOTS);
  #missing = new Int32Array(PENDING_SLOTS);
  #since = new Float64Array(PENDING_SLOTS);
  #pending = 0;
  /** Payloads copied aside, by kind (index PayloadKind). */
  readonly taken = new Float64Array(5);

  /**
   * Looks at the payload `b[s, capEnd)` of decoded row `row` (TCP or UDP, `s > 0`) and copies it aside
   * when it carries a name. The caller made sure the aside area has {@link MAX_TAKE} octets free.
   */
  take(b: Uint8Array, s: number, capEnd: number, batch: PacketBatch, row: number): void {
    const proto = batch.proto[row], sp = batch.srcPort[row], dp = batch.dstPort[row];
    let cap = capEnd - s;
    const pl = batch.payLen[row];
    if (pl < cap) cap = pl; // Ethernet pads short frames: the IP length says where the payload ends
    if (cap <= 0) return;
    if (sp === DNS_PORT || dp === DNS_PORT) {
      if (proto === IpProto.Udp || proto === IpProto.Tcp) {
        return this.#copy(b, s, cap, batch, row, PayloadKind.Dns);
      }
    }
    if (proto !== IpProto.Tcp) return;
    if (this.#pending > 0 && this.#continued(b, s, cap, batch, row)) return;
    const first = b[s];
    if (first === TLS_HANDSHAKE) {
      // record: type (1) | version (2) | length (2); handshake: type (1) | length (3)
      if (cap < 6 || b[s + 1] !== 3 || b[s + 5] !== CLIENT_HELLO) return;
      const need = 5 + ((b[s + 3] << 8) | b[s + 4]);
      const have = batch.payLen[row];
      if (need > have && need <= MAX_CLIENT_HELLO) this.#remember(batch, row, need - have);
      return this.#copy(b, s, cap, batch, row, PayloadKind.TlsClientHello);
    }
    if (cap < 16 || first < 0x41 || first > 0x50) return; // methods start with A–P
    const w = ((first << 24) | (b[s + 1] << 16) | (b[s + 2] << 8) | b[s + 3]) >>> 0;
    for (let i = 0; i < METHODS.length; i++) {
      if (METHODS[i] === w) {
        return this.#copy(b, s, cap < HTTP_HEAD_TAKE ? cap : HTTP_HEAD_TAKE, batch, row, PayloadKind.Http);
      }
    }
  }

  /** Connections whose ClientHello is still arriving. */
  get pending(): number {
    return this.#pending;
  }

  #copy(b: Uint8Array, s: number, n: number, batch: PacketBatch, row: number, kind: number): void {
    if (n > MAX_TAKE) n = MAX_TAKE;
    const use = batch.asideUse, at = use[AsideUse.Bytes];
    if (at + n > ASIDE_BYTES) return; // the caller keeps room; a batch it could not hand off loses the name
    const aside = batch.aside;
    // A DNS message or an HTTP head is mostly short: copied byte by byte, as a subarray() for set() is an
    // object a payload (a tenth of the reading Worker's time went to this copy on the bench capture)
    if (n <= SHORT_COPY) { for (let i = 0; i < n; i++) aside[at + i] = b[s + i]; }
    else aside.set(b.subarray(s, s + n), at);
    batch.payAt[row] = at;
    batch.payTaken[row] = n;
    use[AsideUse.Bytes] = at + n;
    use[AsideUse.Payloads]++;
    this.taken[kind]++;
  }

  #remember(batch: PacketBatch, row: number, missing: number): void {
    // a free slot, else the oldest
    let slot = 0;
    for (let i = 0; i < PENDING_SLOTS; i++) {
      if (this.#fam[i] === 0) {
        slot = i;
        break;
      }
      if (this.#since[i] < this.#since[slot]) slot = i;
    }
    if (this.#fam[slot] === 0) this.#pending++;
    const a = row << 2, k = slot << 2;
    this.#fam[slot] = batch.family[row];
    for (let w = 0; w < 4; w++) {
      this.#src[k + w] = batch.src[a + w];
      this.#dst[k + w] = batch.dst[a + w];
    }
    this.#ports[slot] = (batch.srcPort[row] << 16) | batch.dstPort[row];
    this.#seq[slot] = (batch.tcpSeq[row] + batch.payLen[row]) >>> 0;
    this.#missing[slot] = missing;
    this.#since[slot] = batch.tsMs[row];
  }

  /** A later piece of a pending ClientHello: copied, and the entry advanced or closed. */
  #continued(b: Uint8Array, s: number, cap: number, batch: PacketBatch, row: number): boolean {
    const a = row << 2, ports = (batch.srcPort[row] << 16) | batch.dstPort[row], ts = batch.tsMs[row];
    for (let i = 0; i < PENDING_SLOTS; i++) {
      if (this.#fam[i] === 0) continue;
      if (ts - this.#since[i] > PENDING_MS) {
        this.#fam[i] = 0;
        this.#pending--;
        continue;
      }
      const k = i << 2;
      if (
        this.#ports[i] !== ports || this.#fam[i] !== batch.family[row] ||
        this.#seq[i] !== batch.tcpSeq[row] ||
        this.#src[k] !== batch.src[a] || this.#dst[k] !== batch.dst[a] ||
        this.#src[k + 1] !== batch.src[a + 1] || this.#src[k + 2] !== batch.src[a + 2] ||
        this.#src[k + 3] !== batch.src[a + 3] || this.#dst[k + 1] !== batch.dst[a + 1] ||
        this.#dst[k + 2] !== batch.dst[a + 2] || this.#dst[k + 3] !== batch.dst[a + 3]
      ) continue;
      const len = batch.payLen[row];
      this.#missing[i] -= len;
      this.#seq[i] = (this.#seq[i] + len) >>> 0;
      this.#since[i] = ts;
      if (this.#missing[i] <= 0) {
        this.#fam[i] = 0;
        this.#pending--;
      }
      this.#copy(b, s, cap, batch, row, PayloadKind.TlsContinued);
      return true;
    }
    return false;
  }
}
