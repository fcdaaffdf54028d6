/**
 * A closed minute's local hosts as columns: the addresses (family and four words each) and their sums,
 * HOST_FIELDS numbers a host in one Float64Array. The analyzers read the numbers and name (format) only
 * the hosts they report; the rows of MinuteSummary.hosts, an object and an address string per host, are
 * made only when something reads them (the flow history in the daemon; nothing in a replay). For the
 * bench capture's 33,000 hosts the rows cost about 15 ms a minute.
 */
import type { MinuteHostRow } from "../events/mod.ts";
import { formatIp } from "../net/mod.ts";

/** The host columns, in MinuteHostRow's order. */
export const SENT_BYTES = 0, RECEIVED_BYTES = 1, SENT_PACKETS = 2, RECEIVED_PACKETS = 3, FLOWS = 4;
export const DNS_QUERIES = 5, DNS_SERVED = 6, HOST_FIELDS = 7;

/** One minute's hosts (columns of at least `count` rows, its own: the aggregates start new ones). */
export class MinuteHosts {
  /** Hosts, in the order first met in the minute. */
  readonly count: number;
  /** 4 or 6, by host. */
  readonly family: Uint8Array;
  /** Address words, 4 a host (IPv4 in word 0). */
  readonly words: Uint32Array;
  /** HOST_FIELDS sums a host. */
  readonly sums: Float64Array;
  #rows: MinuteHostRow[] | undefined;

  constructor(count: number, family: Uint8Array, words: Uint32Array, sums: Float64Array) {
    this.count = count;
    this.family = family;
    this.words = words;
    this.sums = sums;
  }

  /** Sum `field` (SENT_BYTES …) of host `i`. */
  get(i: number, field: number): number {
    return this.sums[i * HOST_FIELDS + field];
  }

  /** Host `i`'s address in text. */
  ip(i: number): string {
    return formatIp(this.family[i], this.words, i << 2);
  }

  /** Whether host `i` is (family, w[o…]). */
  is(i: number, family: number, w: ArrayLike<number>, o: number): boolean {
    const k = i << 2, words = this.words;
    if (this.family[i] !== family || words[k] !== w[o]) return false;
    return family === 4 ||
      (words[k + 1] === w[o + 1] && words[k + 2] === w[o + 2] && words[k + 3] === w[o + 3]);
  }

  /** The hosts as rows, made at the first call. */
  rows(): MinuteHostRow[] {
    if (this.#rows) return this.#rows;
    const sums = this.sums, rows: MinuteHostRow[] = [];
    for (let i = 0; i < this.count; i++) {
      const h = i * HOST_FIELDS;
      rows.push({
        ip: this.ip(i),
        sent_bytes: sums[h + SENT_BYTES],
        received_bytes: sums[h + RECEIVED_BYTES],
        sent_packets: sums[h + SENT_PACKETS],
        received_packets: sums[h + RECEIVED_PACKETS],
        flows: sums[h + FLOWS],
        dns_queries: sums[h + DNS_QUERIES],
        dns_served: sums[h + DNS_SERVED],
      });
    }
    return this.#rows = rows;
  }
}
