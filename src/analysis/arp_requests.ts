/**
 * The minute's broadcast ARP requests, held until the minute ends and then judged against the flow table
 * before they go into the probe log: a request for a host that had sent the requester IP traffic before it
 * asked is the requester finding that host to answer it, not a probe. That is what a Linux server does whose
 * neighbour cache is past `gc_thresh1` (128 entries): it drops entries left stale for a minute, and when a
 * client it dropped sends it the next query it asks for the client again by broadcast — on a LAN of a few
 * hundred hosts a steady stream of requests for its clients, which the slow-scan window added up to a host
 * sweep of the file server or the DNS server. A host must find a neighbour before it can send to it, so
 * traffic from the target before the request means the target started the conversation; a sweep (`nmap -sn`,
 * arp-scan, netdiscover) asks for hosts that sent it nothing. The evidence is only there where the capture
 * sees the clients' unicast traffic (a mirror port, or the server's own port); on an access port every such
 * request still counts.
 *
 * The flow table is scanned once a minute, only when requests are pending; a flow costs one probe of a small
 * open-addressing index of the pending (requester, target) pairs, made once for the minute.
 */
import type { FlowTable } from "../flow/mod.ts";
import { type ProbeLog, PROTO_ARP } from "./probe_log.ts";

const EMPTY = -1;
/** Requests held at first; doubled as needed up to the capacity. */
const INITIAL = 1024;

/** Its slot of the pair (requester, target) in an index of `mask + 1` slots. */
function pairSlot(requester: number, target: number, mask: number): number {
  let h = Math.imul(requester, 0x9e3779b1) ^ Math.imul(target ^ 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) & mask;
}

/** See the module comment. */
export class ArpRequests {
  readonly capacity: number;
  #requester: Uint32Array;
  #target: Uint32Array;
  #timeMs: Float64Array;
  /** The next request of the same pair (chained from the index's slot), or EMPTY. */
  #next: Int32Array;
  #answering: Uint8Array;
  #count = 0;
  /** Requests past the capacity this minute (the probe log counts them as not logged). */
  #notHeld = 0;
  readonly #words = new Uint32Array(8); // requester, then target, as ProbeLog.add reads them

  constructor(capacity: number) {
    this.capacity = capacity;
    const n = Math.min(capacity, INITIAL);
    this.#requester = new Uint32Array(n);
    this.#target = new Uint32Array(n);
    this.#timeMs = new Float64Array(n);
    this.#next = new Int32Array(n);
    this.#answering = new Uint8Array(n);
  }

  /** Requests held. */
  get size(): number {
    return this.#count;
  }

  /** `requester` (IPv4, 32-bit) asked by broadcast for `target` at `timeMs`. No allocation. */
  add(requester: number, target: number, timeMs: number): void {
    if (this.#count === this.capacity) {
      this.#notHeld++;
      return;
    }
    if (this.#count === this.#requester.length) this.#grow();
    const r = this.#count++;
    this.#requester[r] = requester;
    this.#target[r] = target;
    this.#timeMs[r] = timeMs;
  }

  /**
   * Judges the held requests against `table` and logs the probes among them into `log`; empties the list.
   * @returns how many were a host answering a neighbour (not logged)
   */
  drainInto(table: FlowTable, log: ProbeLog): number {
    const n = this.#count;
    if (n > 0) this.#markAnswering(table);
    let answering = 0;
    const w = this.#words;
    for (let r = 0; r < n; r++) {
      if (this.#answering[r] === 1) {
        answering++;
        continue;
      }
      w[0] = this.#requester[r];
      w[4] = this.#target[r];
      log.add(4, w, 0, w, 4, PROTO_ARP, 0);
    }
    log.notLogged += this.#notHeld;
    this.#notHeld = 0;
    this.#count = 0;
    return answering;
  }

  /** Marks each request whose target has a flow to its requester that started before it. */
  #markAnswering(table: FlowTable): void {
    const n = this.#count, requester = this.#requester, target = this.#target, next = this.#next;
    let slots = 64;
    while (slots < 2 * n) slots *= 2;
    const mask = slots - 1, index = new Int32Array(slots).fill(EMPTY);
    this.#answering.fill(0, 0, n);
    // Requests of the same pair are chained, so a flow finds all of them with one probe.
    for (let r = 0; r < n; r++) {
      let s = pairSlot(requester[r], target[r], mask);
      for (;; s = (s + 1) & mask) {
        const head = index[s];
        if (head === EMPTY) {
          index[s] = r;
          next[r] = EMPTY;
          break;
        }
        if (requester[head] === requester[r] && target[head] === target[r]) {
          next[r] = next[head];
          next[head] = r;
          break;
        }
      }
    }
    const family = table.family, src = table.src, dst = table.dst, time = this.#timeMs;
    for (let id = 0; id < table.highWater; id++) {
      if (family[id] !== 4) continue;
      // the flow goes from a target (src) to a requester (dst)
      const from = src[id << 2], to = dst[id << 2];
      for (let s = pairSlot(to, from, mask);; s = (s + 1) & mask) {
        const head = index[s];
        if (head === EMPTY) break;
        if (requester[head] !== to || target[head] !== from) continue;
        const first = table.firstSeen(id);
        for (let r = head; r !== EMPTY; r = next[r]) if (first < time[r]) this.#answering[r] = 1;
        break;
      }
    }
  }

  /** Twice the rows, at most capacity (called when full). */
  #grow(): void {
    const n = Math.min(this.capacity, this.#requester.length * 2);
    const requester = new Uint32Array(n), target = new Uint32Array(n), time = new Float64Array(n);
    requester.set(this.#requester);
    target.set(this.#target);
    time.set(this.#timeMs);
    this.#requester = requester;
    this.#target = target;
    this.#timeMs = time;
    this.#next = new Int32Array(n);
    this.#answering = new Uint8Array(n);
  }
}
