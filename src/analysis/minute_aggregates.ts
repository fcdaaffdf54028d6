/**
 * The minute's sums per local host, per local subnet (/24, /64) and per exporter interface, counted in
 * the same per-interval pass that fills MinuteFlows, so flows past MinuteFlows' bound still count here.
 * Hosts and subnets are keyed by address words (AddressIndex: no boxed number or string a flow, IPv6
 * included), interfaces by number; bounded per minute: what does not fit is counted in `notKept`.
 */
import type { MinuteInterfaceRow, MinuteSubnetRow } from "../events/mod.ts";
import { AddressIndex, type CidrWords, inNetwork } from "../flow/mod.ts";
import { formatIp, formatIpv4 } from "../net/mod.ts";
import {
  DNS_QUERIES,
  DNS_SERVED,
  FLOWS,
  HOST_FIELDS,
  MinuteHosts,
  RECEIVED_BYTES,
  RECEIVED_PACKETS,
  SENT_BYTES,
  SENT_PACKETS,
} from "./minute_hosts.ts";

/** DNS (RFC 1035 §4.2), UDP and TCP. */
const DNS_PORT = 53;

/** Hosts, subnets and interfaces kept a minute, each. */
export const MAX_AGGREGATES = 65_536;

/** Sums for one minute. */
export class MinuteAggregates {
  #local: readonly CidrWords[];
  /**
   * Hosts by address, in the order first met, with their sums in #sums: typed arrays, as a Map keyed by
   * the address (boxed numbers, IPv6 text) cost a microsecond a flow in every interval's pass.
   */
  #hosts = new AddressIndex();
  #sums = new Float64Array(1024 * HOST_FIELDS);
  /** Subnets by their network address (words 2 and 3 always 0), rows in the order first met. */
  #subnetIndex = new AddressIndex(256);
  #subnetRows: MinuteSubnetRow[] = [];
  #subnetKey = new Uint32Array(4);
  /** By host index: its subnet's index in #subnetRows (-1: not kept), set as the host is first met. */
  #hostNet = new Int32Array(1024);
  #interfaces = new Map<number, MinuteInterfaceRow>();
  /** Rows not kept this minute because their map was full. */
  notKept = 0;

  /** `local`: the networks whose hosts and subnets are summed. */
  constructor(local: readonly CidrWords[]) {
    this.#local = local;
  }

  /** Room for `n` hosts (at most MAX_AGGREGATES) at once, when the minute has none yet. */
  reserve(n: number): void {
    n = Math.min(n, MAX_AGGREGATES);
    if (this.#hosts.size > 0 || this.#hosts.family.length >= n) return;
    this.#hosts = new AddressIndex(n);
    if (this.#sums.length < n * HOST_FIELDS) this.#sums = new Float64Array(n * HOST_FIELDS);
  }

  /** Whether `w[a…]` of `family` is a local address. */
  isLocal(family: number, w: ArrayLike<number>, a: number): boolean {
    for (const n of this.#local) if (inNetwork(n, family, w, a)) return true;
    return false;
  }

  /**
   * What one flow carried in an interval: its source sent it, its destination received it; DNS queries
   * are packets to port 53, answers packets from it.
   */
  addFlow(
    family: number,
    src: Uint32Array,
    dst: Uint32Array,
    a: number,
    dstPort: number,
    proto: number,
    bytes: number,
    packets: number,
  ): void {
    const dns = (proto === 17 || proto === 6) && dstPort === DNS_PORT;
    let from: MinuteSubnetRow | undefined;
    if (this.isLocal(family, src, a)) {
      const h = this.#host(family, src, a);
      if (h >= 0) {
        const sums = this.#sums;
        sums[h + SENT_BYTES] += bytes;
        sums[h + SENT_PACKETS] += packets;
        sums[h + FLOWS]++;
        if (dns) sums[h + DNS_QUERIES] += packets;
      }
      const s = from = this.#subnetOf(h, family, src, a);
      if (s) {
        s.sent_bytes += bytes;
        s.sent_packets += packets;
        s.bytes += bytes;
      }
    }
    if (this.isLocal(family, dst, a)) {
      const h = this.#host(family, dst, a);
      if (h >= 0) {
        const sums = this.#sums;
        sums[h + RECEIVED_BYTES] += bytes;
        sums[h + RECEIVED_PACKETS] += packets;
        sums[h + FLOWS]++;
        if (dns) sums[h + DNS_SERVED] += packets;
      }
      const s = this.#subnetOf(h, family, dst, a);
      if (s) {
        s.received_bytes += bytes;
        s.received_packets += packets;
        // Traffic within the subnet is its traffic once, not sent plus received.
        if (s !== from) s.bytes += bytes;
      }
    }
  }

  /** A flow's record entered exporter `exporter` (its address) by `inIf` and left by `outIf`. */
  addInterfaces(
    exporterId: number,
    exporter: () => string,
    inIf: number,
    outIf: number,
    bytes: number,
    packets: number,
  ) {
    if (inIf !== 0) {
      const r = this.#interface(exporterId, exporter, inIf);
      if (r) {
        r.in_bytes += bytes;
        r.in_packets += packets;
      }
    }
    if (outIf !== 0) {
      const r = this.#interface(exporterId, exporter, outIf);
      if (r) {
        r.out_bytes += bytes;
        r.out_packets += packets;
      }
    }
  }

  /** The minute's hosts (columns), subnets and interfaces, and a new minute. */
  take(): { hosts: MinuteHosts; subnets: MinuteSubnetRow[]; interfaces: MinuteInterfaceRow[] } {
    // The columns themselves go with the minute (no copy); the next minute starts small and is given
    // room at its first pass (reserve).
    const index = this.#hosts;
    const hosts = new MinuteHosts(index.size, index.family, index.words, this.#sums);
    this.#hosts = new AddressIndex();
    this.#sums = new Float64Array(1024 * HOST_FIELDS);
    const out = {
      hosts,
      subnets: this.#subnetRows,
      interfaces: [...this.#interfaces.values()],
    };
    this.#subnetIndex.clear();
    this.#subnetRows = [];
    this.#interfaces.clear();
    this.notKept = 0;
    return out;
  }

  /** Where the sums of host (family, w[a…]) start in #sums, or -1 when it is new and the minute is full. */
  #host(family: number, w: Uint32Array, a: number): number {
    const index = this.#hosts, before = index.size;
    const i = index.indexOf(family, w, a, before < MAX_AGGREGATES);
    if (i < 0) {
      this.notKept++;
      return -1;
    }
    const at = i * HOST_FIELDS;
    if (at + HOST_FIELDS > this.#sums.length) {
      const grown = new Float64Array(this.#sums.length * 2); // zeroed: a new host's sums start at 0
      grown.set(this.#sums);
      this.#sums = grown;
    }
    if (index.size > before) {
      // A new host: its subnet, looked up once for the minute (a host's subnet never changes).
      if (i >= this.#hostNet.length) {
        const grown = new Int32Array(Math.max(i + 1, this.#hostNet.length * 2));
        grown.set(this.#hostNet);
        this.#hostNet = grown;
      }
      this.#hostNet[i] = this.#subnetAt(family, w, a);
    }
    return at;
  }

  /** The subnet row of local address (family, w[a…]) whose host's sums are at `h` (-1: host not kept). */
  #subnetOf(h: number, family: number, w: Uint32Array, a: number): MinuteSubnetRow | undefined {
    const i = h < 0 ? this.#subnetAt(family, w, a) : this.#hostNet[h / HOST_FIELDS];
    if (i < 0) return void this.notKept++;
    return this.#subnetRows[i];
  }

  /** The index in #subnetRows of the subnet of (family, w[a…]), -1 when it is new and the minute is full. */
  #subnetAt(family: number, w: Uint32Array, a: number): number {
    // /24 for IPv4, /64 for IPv6: the sizes a LAN's subnets usually have.
    const k = this.#subnetKey, index = this.#subnetIndex, rows = this.#subnetRows;
    k[0] = family === 4 ? w[a] & 0xffffff00 : w[a];
    k[1] = family === 4 ? 0 : w[a + 1];
    const i = index.indexOf(family, k, 0, index.size < MAX_AGGREGATES);
    if (i < 0 || i < rows.length) return i;
    rows.push({
      cidr: family === 4 ? `${formatIpv4(k[0])}/24` : `${formatIp(6, k, 0)}/64`,
      bytes: 0,
      sent_bytes: 0,
      received_bytes: 0,
      sent_packets: 0,
      received_packets: 0,
    });
    return i;
  }

  #interface(exporterId: number, exporter: () => string, ifIndex: number): MinuteInterfaceRow | undefined {
    const key = exporterId * 2 ** 32 + ifIndex;
    let r = this.#interfaces.get(key);
    if (r === undefined) {
      if (this.#interfaces.size >= MAX_AGGREGATES) return void this.notKept++;
      this.#interfaces.set(
        key,
        r = {
          exporter: exporter(),
          if_index: ifIndex,
          in_bytes: 0,
          out_bytes: 0,
          in_packets: 0,
          out_packets: 0,
        },
      );
    }
    return r;
  }
}
