/**
 * Names on flows, from the payloads the decoder set aside (decode/name_payloads.ts): DNS queries and
 * answers into the DNS book (each host's history, addresses → names), the TLS ClientHello's SNI and the
 * HTTP/1.x Host onto the flow and its reverse. A ClientHello in several segments is gathered per flow
 * until complete. Only rows with a copied payload are looked at: a batch without any costs one read.
 */
import {
  AsideUse,
  clientHelloLength,
  clientHelloServerName,
  DNS_PORT,
  httpRequestHost,
  MAX_CLIENT_HELLO,
  type PacketBatch,
  parseDnsMessage,
  PENDING_MS,
} from "../decode/mod.ts";
import { type Detector, type FlowTable, type FlowVisibility, NameSource, visibilityOf } from "../flow/mod.ts";
import { formatIp } from "../net/mod.ts";
import { DnsBook, type DnsBookLimits } from "./dns_book.ts";

/** ClientHellos gathered at once; the oldest is given up first. */
const MAX_GATHERING = 1024;

interface Gathering {
  gen: number;
  buf: Uint8Array;
  have: number;
  nextSeq: number;
  sinceMs: number;
}

/** Names from DNS, TLS and HTTP. */
export class NameWatch implements Detector {
  readonly name = "names";
  readonly book: DnsBook;
  readonly #t: FlowTable;
  readonly #v: FlowVisibility;
  readonly #gathering = new Map<number, Gathering>();
  #src = new Uint32Array(4);
  #dst = new Uint32Array(4);
  /** Names found, by source, and payloads that gave none. */
  readonly counters = { sni: 0, http_host: 0, dns_messages: 0, unnamed: 0, client_hello_pieces: 0 };

  constructor(table: FlowTable, limits: DnsBookLimits = {}) {
    this.#t = table;
    this.#v = visibilityOf(table);
    this.book = new DnsBook(limits);
    this.#v.namer = (family, words, o, at) => this.book.nameFor(family, words, o, at);
  }

  onRows(b: PacketBatch, from: number, to: number): void {
    if (b.asideUse[AsideUse.Payloads] === 0) return;
    const taken = b.payTaken, rowFlow = this.#t.rowFlow;
    for (let r = from; r < to; r++) {
      const n = taken[r];
      if (n === 0) continue;
      const id = rowFlow[r];
      if (id < 0) continue;
      const at = b.payAt[r];
      // DNS is parsed in place (most copied payloads, and most are not DNS at all); a view only for TCP
      if (b.srcPort[r] === DNS_PORT || b.dstPort[r] === DNS_PORT) this.#dns(b, r, at, n);
      else if (b.proto[r] === 6) this.#tcp(b, r, id, b.aside.subarray(at, at + n));
    }
  }

  onInterval(_startMs: number, endMs: number): void {
    for (const [id, g] of this.#gathering) if (endMs - g.sinceMs > PENDING_MS) this.#gathering.delete(id);
  }

  /** The DNS payload of row `r`: `n` octets of `b.aside` from `at`. */
  #dns(b: PacketBatch, r: number, at: number, n: number): void {
    const bytes = b.aside, end = at + n;
    if (b.proto[r] === 6) {
      // RFC 1035 §4.2.2: each message after a two-octet length; a segment may hold several
      let p = at;
      while (p + 2 <= end) {
        const len = (bytes[p] << 8) | bytes[p + 1];
        if (len === 0) return;
        this.#dnsMessage(b, r, p + 2, Math.min(end, p + 2 + len) - (p + 2));
        p += 2 + len;
      }
      return;
    }
    this.#dnsMessage(b, r, at, n);
  }

  /** One DNS message: `len` octets of `b.aside` from `off` (its compression offsets count from there). */
  #dnsMessage(b: PacketBatch, r: number, off: number, len: number): void {
    const m = parseDnsMessage(b.aside, off, len);
    if (!m) {
      this.book.counters.malformed++;
      return;
    }
    this.counters.dns_messages++;
    const a = r << 2, fam = b.family[r];
    const src = formatIp(fam, b.src, a), dst = formatIp(fam, b.dst, a);
    if (m.response) this.book.response(dst, src, m, b.tsMs[r]);
    else this.book.query(src, dst, m, b.tsMs[r]);
  }

  #tcp(b: PacketBatch, r: number, id: number, bytes: Uint8Array): void {
    const gen = this.#t.generation[id], seq = b.tcpSeq[r];
    const g = this.#gathering.get(id);
    if (g && g.gen === gen && g.nextSeq === seq) {
      this.counters.client_hello_pieces++;
      const n = Math.min(bytes.length, g.buf.length - g.have);
      g.buf.set(bytes.subarray(0, n), g.have);
      g.have += n;
      g.nextSeq = (seq + b.payLen[r]) >>> 0;
      g.sinceMs = b.tsMs[r];
      // a piece cut short by the snaplen leaves a hole: read what there is
      if (g.have >= g.buf.length || bytes.length < b.payLen[r]) {
        this.#helloDone(b, r, id, g.buf.subarray(0, g.have));
      }
      return;
    }
    if (bytes[0] === 0x16) {
      const need = clientHelloLength(bytes);
      if (need > bytes.length && bytes.length === b.payLen[r] && need <= MAX_CLIENT_HELLO) {
        if (this.#gathering.size >= MAX_GATHERING) {
          this.#gathering.delete(this.#gathering.keys().next().value!);
        }
        const buf = new Uint8Array(need);
        buf.set(bytes);
        this.#gathering.set(id, {
          gen,
          buf,
          have: bytes.length,
          nextSeq: (seq + b.payLen[r]) >>> 0,
          sinceMs: b.tsMs[r],
        });
        return;
      }
      return this.#helloDone(b, r, id, bytes);
    }
    const host = httpRequestHost(bytes);
    if (host === null) return void this.counters.unnamed++;
    this.counters.http_host++;
    this.#name(b, r, id, host, NameSource.HttpHost);
  }

  #helloDone(b: PacketBatch, r: number, id: number, hello: Uint8Array): void {
    this.#gathering.delete(id);
    const sni = clientHelloServerName(hello);
    if (sni === null) return void this.counters.unnamed++;
    this.counters.sni++;
    this.#name(b, r, id, sni, NameSource.Sni);
  }

  /** Names the flow of row `r` and the flow of the other direction. */
  #name(b: PacketBatch, r: number, id: number, name: string, source: number): void {
    this.#v.setName(id, name, source);
    const a = r << 2, s = this.#src, d = this.#dst;
    for (let i = 0; i < 4; i++) {
      s[i] = b.dst[a + i];
      d[i] = b.src[a + i];
    }
    const rev = this.#t.find(b.family[r], s, d, b.dstPort[r], b.srcPort[r], b.proto[r]);
    if (rev >= 0) this.#v.setName(rev, name, source);
  }
}
