/**
 * The connection attempts of the minute in progress, for the port-scan and host-sweep advisory: one row
 * per (source, destination, protocol, port) that looked like a probe — a TCP flow with SYN and no ACK (a
 * half-open or refused attempt: an `nmap -sS` probe is a one-packet flow), a UDP flow nobody answered, an
 * ICMP echo or timestamp request, an ARP request. Kept exactly for the minute, so the 60-second counts in
 * an advisory are counts, not estimates; at the minute's end {@link ProbeLog.close} counts per source and
 * empties the log.
 */
import { AddressIndex } from "../flow/mod.ts";
import { formatIp } from "../net/mod.ts";
import { probeOrder } from "./probe_order.ts";

/** The protocol column of an ARP request (no IP protocol has number 0 on the wire as a probe). */
export const PROTO_ARP = 0;

/** One source's minute. */
export interface SourceProbes {
  /** The source address. */
  source: string;
  /** 4 or 6. */
  family: number;
  /** Its address words (a copy). */
  words: Uint32Array;
  /** Distinct TCP and UDP destination ports it probed, over every destination. */
  ports: number;
  /** Distinct destinations it probed (any protocol, ARP included). */
  hosts: number;
  /** Distinct (destination, protocol, port) probes. */
  probes: number;
  /** The destination it probed the most distinct ports of, and how many. */
  topTarget: string | null;
  topTargetPorts: number;
  /** A few of the ports (lowest first) and hosts, for the evidence. */
  portSample: number[];
  hostSample: string[];
  /** Port keys (protocol << 16 | port) and host hashes of its probes, for the sliding window. */
  portKeys: number[];
  hostKeys: number[];
}

const SAMPLE = 20;
/** Rows allocated at first; doubled as needed up to the capacity. */
const INITIAL_ROWS = 4096;

/** The minute's probes. */
export class ProbeLog {
  readonly capacity: number;
  #family: Uint8Array;
  #src: Uint32Array;
  #dst: Uint32Array;
  #port: Uint16Array;
  #proto: Uint8Array;
  #count = 0;
  #seen = new Uint16Array(2 << 16); // generation stamps of TCP and UDP port keys
  #generation = 0;
  /** Sources of the minute (for #busy), and their probe counts. */
  #sources = new AddressIndex();
  #perSource = new Int32Array(1024);
  /** Probes not logged this minute because the log was full. */
  notLogged = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    // Rows as the minutes need them, up to capacity (131,072 rows up front were a few ms of every start).
    const n = Math.min(capacity, INITIAL_ROWS);
    this.#family = new Uint8Array(n);
    this.#src = new Uint32Array(n * 4);
    this.#dst = new Uint32Array(n * 4);
    this.#port = new Uint16Array(n);
    this.#proto = new Uint8Array(n);
  }

  /** Probes logged. */
  get size(): number {
    return this.#count;
  }

  /** Logs a probe from `src[a…]` to `dst[b…]` (`port` 0 for ICMP and ARP). No allocation. */
  add(
    family: number,
    src: ArrayLike<number>,
    a: number,
    dst: ArrayLike<number>,
    b: number,
    proto: number,
    port: number,
  ) {
    if (this.#count === this.capacity) {
      this.notLogged++;
      return;
    }
    if (this.#count === this.#family.length) this.#grow();
    const r = this.#count++, k = r << 2;
    this.#family[r] = family;
    for (let w = 0; w < 4; w++) {
      this.#src[k + w] = src[a + w];
      this.#dst[k + w] = dst[b + w];
    }
    this.#proto[r] = proto;
    this.#port[r] = port;
  }

  /** Twice the rows, at most capacity (called when full). */
  #grow(): void {
    const n = Math.min(this.capacity, this.#family.length * 2);
    const grown = <T extends Uint8Array | Uint16Array | Uint32Array>(
      a: T,
      make: new (n: number) => T,
      width: number,
    ) => {
      const b = new make(n * width);
      b.set(a);
      return b;
    };
    this.#family = grown(this.#family, Uint8Array, 1);
    this.#src = grown(this.#src, Uint32Array, 4);
    this.#dst = grown(this.#dst, Uint32Array, 4);
    this.#port = grown(this.#port, Uint16Array, 1);
    this.#proto = grown(this.#proto, Uint8Array, 1);
  }

  /**
   * Counts per source, keeping the sources with at least `minDistinct` distinct ports or hosts, and empties
   * the log (what was not logged is reset too). A source below the bar is counted without allocating: most
   * sources of a busy minute probe one port of one host, and their objects were most of this call's cost.
   */
  close(minDistinct: number): SourceProbes[] {
    const n = this.#count, src = this.#src, dst = this.#dst, port = this.#port, proto = this.#proto;
    const fam = this.#family;
    // by family, source, destination, protocol, port (probe_order.ts); only the probes of sources that
    // made at least minDistinct, as fewer cannot reach minDistinct distinct ports or hosts
    const order = probeOrder(
      n,
      fam,
      src,
      dst,
      proto,
      port,
      minDistinct > 1 ? this.#busy(minDistinct) : undefined,
    );
    const sameSource = (x: number, y: number) => {
      const a = x << 2, b = y << 2;
      return fam[x] === fam[y] && src[a] === src[b] && src[a + 1] === src[b + 1] &&
        src[a + 2] === src[b + 2] &&
        src[a + 3] === src[b + 3];
    };
    const out: SourceProbes[] = [], m = order.length;
    for (let i = 0; i < m;) {
      let j = i;
      while (j < m && sameSource(order[j], order[i])) j++;
      if (this.#distinct(order, i, j, minDistinct)) out.push(this.#source(order, i, j));
      i = j;
    }
    this.#count = 0;
    this.notLogged = 0;
    return out;
  }

  /** The rows (ascending) whose source logged at least `min` probes. */
  #busy(min: number): Int32Array {
    const n = this.#count, fam = this.#family, src = this.#src, sources = this.#sources;
    const of = new Int32Array(n);
    let perSource = this.#perSource;
    sources.clear();
    for (let r = 0; r < n; r++) {
      const i = of[r] = sources.indexOf(fam[r], src, r << 2);
      if (i === perSource.length) {
        const grown = new Int32Array(perSource.length * 2);
        grown.set(perSource);
        perSource = this.#perSource = grown;
      }
      perSource[i]++;
    }
    let m = 0;
    for (let r = 0; r < n; r++) if (perSource[of[r]] >= min) m++;
    const rows = new Int32Array(m);
    m = 0;
    for (let r = 0; r < n; r++) if (perSource[of[r]] >= min) rows[m++] = r;
    perSource.fill(0, 0, sources.size);
    return rows;
  }

  /** Whether order[i … j-1] (one source's probes) has at least `min` distinct ports or hosts. No allocation. */
  #distinct(order: Int32Array, i: number, j: number, min: number): boolean {
    if (min <= 1) return true; // every source has a host
    const dst = this.#dst, port = this.#port, proto = this.#proto, seen = this.#nextGeneration();
    const g = this.#generation;
    let ports = 0, hosts = 0, prev = -1;
    for (let x = i; x < j; x++) {
      const r = order[x], k = r << 2, p = prev << 2;
      const newHost = prev < 0 || dst[k] !== dst[p] || dst[k + 1] !== dst[p + 1] ||
        dst[k + 2] !== dst[p + 2] ||
        dst[k + 3] !== dst[p + 3];
      if (newHost && ++hosts >= min) return true;
      const pr = proto[r];
      if ((pr === 6 || pr === 17) && (newHost || pr !== proto[prev] || port[r] !== port[prev])) {
        const key = (pr === 6 ? 0 : 0x10000) | port[r];
        if (seen[key] !== g) {
          seen[key] = g;
          if (++ports >= min) return true;
        }
      }
      prev = r;
    }
    return false;
  }

  /** The port stamps, with a generation no port key carries yet. */
  #nextGeneration(): Uint16Array {
    if (++this.#generation === 0x10000) {
      this.#seen.fill(0);
      this.#generation = 1;
    }
    return this.#seen;
  }

  /** The counts of one source's probes, order[i … j-1] (sorted by destination, protocol, port). */
  #source(order: Int32Array, i: number, j: number): SourceProbes {
    const src = this.#src,
      dst = this.#dst,
      port = this.#port,
      proto = this.#proto,
      fam = this.#family[order[i]];
    const seen = this.#nextGeneration(), g = this.#generation;
    let ports = 0, hosts = 0, probes = 0, top = -1, topPorts = 0, targetPorts = 0;
    const portKeys: number[] = [], hostKeys: number[] = [], hostSample: string[] = [];
    let prev = -1;
    for (let x = i; x < j; x++) {
      const r = order[x], k = r << 2;
      const newHost = prev < 0 || dst[k] !== dst[prev << 2] || dst[k + 1] !== dst[(prev << 2) + 1] ||
        dst[k + 2] !== dst[(prev << 2) + 2] || dst[k + 3] !== dst[(prev << 2) + 3];
      if (newHost) {
        hosts++;
        targetPorts = 0;
        hostKeys.push((dst[k] ^ Math.imul(dst[k + 1] ^ dst[k + 2] ^ dst[k + 3], 0x9e3779b1)) >>> 0);
        if (hostSample.length < SAMPLE) hostSample.push(formatIp(fam, dst, k));
      }
      const samePrev = !newHost && proto[r] === proto[prev] && port[r] === port[prev];
      if (!samePrev) probes++;
      if ((proto[r] === 6 || proto[r] === 17) && !samePrev) {
        targetPorts++;
        if (targetPorts > topPorts) [topPorts, top] = [targetPorts, r];
        const key = (proto[r] === 6 ? 0 : 0x10000) | port[r];
        if (seen[key] !== g) {
          seen[key] = g;
          ports++;
          portKeys.push((proto[r] << 16) | port[r]);
        }
      }
      prev = r;
    }
    const first = order[i] << 2;
    return {
      source: formatIp(fam, src, first),
      family: fam,
      words: src.slice(first, first + 4),
      ports,
      hosts,
      probes,
      topTarget: top < 0 ? null : formatIp(fam, dst, top << 2),
      topTargetPorts: topPorts,
      portSample: portKeys.map((k) => k & 0xffff).sort((a, b) => a - b).slice(0, SAMPLE),
      hostSample,
      portKeys,
      hostKeys,
    };
  }
}
